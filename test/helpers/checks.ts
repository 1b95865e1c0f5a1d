import { resolveRetries } from '../../src/config/resolve.js';
import { agentConfigSchema } from '../../src/config/schema/agent.js';
import { httpCheckSchema, type CheckInput } from '../../src/config/schema/check.js';
import type { ResolvedHttpCheck, RetryPolicy } from '../../src/config/types.js';

type HttpCheckInput = Extract<CheckInput, { kind: 'http' }>;

/**
 * Builds a ready-to-run HTTP check through the real schema (so defaults are the shipped
 * ones), the way the config loader would for a check written in a file.
 */
export function makeHttpCheck(
  input: Omit<HttpCheckInput, 'kind' | 'name'> & { name?: string },
  extra: { timeoutMs?: number; everyMs?: number; retries?: RetryPolicy } = {},
): ResolvedHttpCheck {
  const {
    interval: _i,
    schedule: _s,
    timeout: _t,
    retries: written,
    ...parsed
  } = httpCheckSchema.parse({
    name: 'test-check',
    kind: 'http',
    ...input,
  });
  return {
    ...parsed,
    retries: extra.retries ?? resolveRetries(written, agentConfigSchema.parse({}).probes.defaults.retries),
    schedule: { kind: 'interval', everyMs: extra.everyMs ?? 30_000 },
    timeoutMs: extra.timeoutMs ?? 5_000,
    source: { file: 'test', line: 1, col: 1 },
  };
}
