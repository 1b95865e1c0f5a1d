import { resolveRetries } from '../../src/config/resolve.js';
import { agentConfigSchema } from '../../src/config/schema/agent.js';
import { checkSchema } from '../../src/config/schema/check.js';
import type { ResolvedCheck, RetryPolicy } from '../../src/config/types.js';
import { PrometheusSink } from '../../src/exporters/prometheus.js';
import { EventBus } from '../../src/results/bus.js';
import type { CheckResult } from '../../src/results/types.js';

type Kind = ResolvedCheck['kind'];

/**
 * Builds a ready-to-run check of any kind through the real schema (so defaults are the
 * shipped ones), the way the config loader would for a check written in a file.
 */
export function makeCheck<K extends Kind>(
  kind: K,
  input: Record<string, unknown>,
  extra: { timeoutMs?: number; retries?: RetryPolicy } = {},
): Extract<ResolvedCheck, { kind: K }> {
  const {
    interval: _i,
    schedule: _s,
    timeout: _t,
    retries: written,
    ...parsed
  } = checkSchema.parse({ name: 'test-check', kind, ...input });
  return {
    ...parsed,
    retries: extra.retries ?? resolveRetries(written, agentConfigSchema.parse({}).probes.defaults.retries),
    schedule: { kind: 'interval', everyMs: 30_000 },
    timeoutMs: extra.timeoutMs ?? 5_000,
    source: { file: 'test', line: 1, col: 1 },
  } as Extract<ResolvedCheck, { kind: K }>;
}

/** The Prometheus exposition after publishing `result` to a fresh sink: the lines of `prefix` metrics. */
export async function metricLines(result: CheckResult, prefix: string): Promise<string[]> {
  const bus = new EventBus();
  const sink = new PrometheusSink({
    bus,
    region: 'test',
    agentLabels: {},
    version: '0.0.0',
    checks: [{ name: result.check, kind: result.kind }],
  });
  try {
    bus.emit('result', result);
    const { body } = await sink.metrics();
    return body.split('\n').filter((line) => line.startsWith(prefix));
  } finally {
    sink.close();
  }
}
