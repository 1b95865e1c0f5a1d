/**
 * The check exposition against prom-client: the same results, fed to the sink and to a
 * prom-client registry built the way the sink used to build its series, must expose the
 * same series with the same values, in both text formats, exemplars included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrometheusSink, type CheckRef } from '../../src/exporters/prometheus.js';
import { EventBus } from '../../src/results/bus.js';
import type { CheckResult, Observation } from '../../src/results/types.js';
import { parseLine } from '../bench/prom-text.js';
import { PromClientReference } from '../helpers/prom-client-reference.js';
import { seeded } from '../helpers/random.js';
import { makeResult } from '../helpers/results.js';

const AGENT_LABELS = { region: 'eu-west-1', team: 'sre' };
const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

const KINDS = ['http', 'https', 'tcp', 'tls', 'dns', 'grpc', 'flow', 'websocket', 'icmp', 'browser'] as const;
const REASONS = ['timeout', 'refused', 'http_status', 'assertion', 'tls', 'dns'] as const;

const STEPS = ['login', 'token', 'call'];

/** A browser journey's steps, and the names its step series get. */
const JOURNEY = [{ fill: { selector: '#q', value: 'x' } }, { click: '#go' }];
const JOURNEY_STEPS = ['load', '1:fill', '2:click'];

function checks(): CheckRef[] {
  return KINDS.flatMap((kind, k) =>
    [0, 1, 2].map((i) => ({
      name: `${kind}-${i}`,
      kind: kind === 'https' ? 'http' : kind,
      target: `t${k}${i}`,
      enabled: true,
      ...(kind === 'flow' ? { flow: { steps: STEPS.map((name) => ({ name })) } } : {}),
      ...(kind === 'browser' ? { browser: { steps: JOURNEY } } : {}),
    })),
  );
}

/** A result of `check` with facts of its kind, some failing, some traced, durations of every magnitude. */
function randomResult(check: CheckRef, random: () => number, n: number): CheckResult {
  const ok = random() > 0.3;
  const reason = ok ? undefined : REASONS[Math.floor(random() * REASONS.length)];
  const seconds = ([0.0004, 0.003, 0.07, 0.4, 2.2, 9.9, 75][Math.floor(random() * 7)] as number) * (0.5 + random());
  const answered = ok || random() > 0.5;
  const observation: Observation = {
    ok: answered,
    durationSeconds: seconds,
    phases: {},
    dnsLookupSeconds: random() / 100,
  };
  if (check.kind === 'http' || check.kind === 'flow') {
    observation.phases = {
      resolve: random() / 1000,
      connect: random() / 100,
      processing: seconds / 2,
      transfer: random() / 10,
    };
    if (answered) {
      const headers: Record<string, string> =
        random() > 0.5 ? { 'content-length': String(Math.floor(random() * 5000)) } : {};
      observation.http = {
        status: ok ? 200 : 503,
        version: random() > 0.5 ? '1.1' : '2',
        redirects: Math.floor(random() * 3),
        finalUrl: 'http://x/',
        headers,
        bodyBytes: 12,
        ssl: check.name.startsWith('https'),
      };
    }
  }
  if ((check.name.startsWith('https') || check.kind === 'tls' || check.kind === 'grpc') && answered && random() > 0.2) {
    observation.tls = {
      version: ['TLSv1.3', 'TLSv1.2', 'SSLv3'][Math.floor(random() * 3)] ?? 'TLSv1.3',
      cipher: 'x',
      earliestCertExpiry: 1_900_000_000 + Math.floor(random() * 1e6),
    };
  }
  if (check.kind === 'dns' && answered) {
    observation.dns = {
      rcode: 'NOERROR',
      rcodeValue: ok ? 0 : 3,
      answers: ok ? ['a', 'b'] : [],
      authority: ['c'],
      additional: [],
      authoritative: true,
      truncated: false,
      ...(random() > 0.5 ? { serial: 2024_01_01 + n } : {}),
    };
  }
  if (check.kind === 'grpc' && answered) {
    observation.grpc = {
      statusCode: ok ? 0 : 12,
      ssl: random() > 0.5,
      ...(ok ? { servingStatus: random() > 0.5 ? 'SERVING' : 'NOT_SERVING' } : {}),
    };
  }
  if (check.kind === 'websocket') {
    observation.phases = { resolve: random() / 1000, connect: random() / 100 };
    observation.websocket = {
      status: answered ? 101 : 0,
      stepsCompleted: 0,
      ssl: random() > 0.5,
      ...(answered ? { upgradeSeconds: random() / 100 } : {}),
      ...(ok && random() > 0.5 ? { firstMessageSeconds: random() / 10 } : {}),
    };
  }
  if (check.kind === 'icmp') {
    observation.phases = { resolve: random() / 1000 };
    observation.icmp = {
      ipProtocol: random() > 0.5 ? 4 : 6,
      setupSeconds: random() / 1000,
      rttSeconds: seconds,
      ...(answered ? { hopLimit: 64 - Math.floor(random() * 10) } : {}),
    };
  }
  if (check.kind === 'flow') {
    const reached = 1 + Math.floor(random() * 3);
    const steps = STEPS.slice(0, reached).map((name, i) => ({
      name,
      ok: ok || i < reached - 1,
      durationSeconds: random() / 10,
      phases: {},
    }));
    observation.flow = ok ? { steps } : { steps, failedStep: steps[steps.length - 1]?.name as string };
  }
  if (check.kind === 'browser') {
    const reached = 1 + Math.floor(random() * 3);
    const steps = JOURNEY_STEPS.slice(0, reached).map((name, i) => ({
      name,
      ok: ok || i < reached - 1,
      durationSeconds: random() / 10,
    }));
    const vitals = {
      ...(random() > 0.3 ? { lcpSeconds: random() * 3 } : {}),
      ...(random() > 0.3 ? { cls: random() / 4 } : {}),
      ...(random() > 0.3 ? { ttfbSeconds: random() / 2 } : {}),
    };
    observation.browser = ok
      ? { steps, vitals }
      : { steps, vitals, failedStep: steps[steps.length - 1]?.name as string };
  }
  const traced =
    random() > 0.6
      ? { traceId: `${n}`.padStart(32, 'a'), ...(random() > 0.3 ? { spanId: `${n}`.padStart(16, 'b') } : {}) }
      : {};
  return makeResult(
    {
      check: check.name,
      kind: check.kind,
      target: check.target ?? '',
      region: 'eu-west-1',
      ok,
      ...(reason ? { reason } : {}),
      startedAt: Date.now(),
      durationSeconds: seconds,
      ...traced,
    },
    observation,
  );
}

interface Parsed {
  /** Value by `name{sorted labels}`. */
  values: Map<string, number>;
  /** Exemplar (labels and value, without its timestamp) by bucket key. */
  exemplars: Map<string, string>;
  /** `# TYPE` and `# HELP` lines by family. */
  meta: Set<string>;
}

/**
 * Every sample of a check (a `check` label) in `text`, but `canary_check_info`, which comes
 * from the configuration, not from results (its own tests are in prometheus.test.ts).
 */
function parse(text: string): Parsed {
  const out: Parsed = { values: new Map(), exemplars: new Map(), meta: new Set() };
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ') || line.startsWith('# HELP ')) out.meta.add(line);
    const sample = parseLine(line);
    if (sample?.labels.check === undefined || sample.name === 'canary_check_info') continue;
    const key = `${sample.name}{${Object.entries(sample.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}}`;
    assert.ok(!out.values.has(key), `series twice: ${key}`);
    out.values.set(key, sample.value);
    const exemplar = / # (\{[^}]*\}) (\S+) \S+$/.exec(line);
    if (exemplar) out.exemplars.set(key, `${exemplar[1]} ${Number(exemplar[2])}`);
  }
  return out;
}

function compare(mine: Parsed, reference: Parsed, format: string): void {
  const extra = [...mine.values.keys()].filter((k) => !reference.values.has(k));
  const missing = [...reference.values.keys()].filter((k) => !mine.values.has(k));
  assert.deepEqual({ extra, missing }, { extra: [], missing: [] }, `${format}: the same series`);
  for (const [key, expected] of reference.values) {
    const actual = mine.values.get(key) as number;
    // Durations are written at nanosecond resolution, as blackbox's Go durations are.
    assert.ok(Math.abs(actual - expected) <= 1e-9, `${format} ${key}: ${actual} against prom-client's ${expected}`);
  }
  assert.deepEqual(mine.exemplars, reference.exemplars, `${format}: the same exemplars`);
  for (const line of reference.meta) {
    const name = line.split(' ')[2] as string;
    const used = [...reference.values.keys()].some((k) => k.startsWith(name));
    if (used) assert.ok(mine.meta.has(line), `${format}: missing "${line}"`);
  }
}

/** Feeds the same results to the sink and to prom-client and compares what each exposes. */
async function equivalence(renderThread: boolean): Promise<void> {
  const bus = new EventBus();
  const configured = checks();
  const sink = new PrometheusSink({
    bus,
    region: AGENT_LABELS.region,
    agentLabels: { team: AGENT_LABELS.team },
    version: '1',
    checks: configured,
    tracing: true,
    renderThread,
  });
  const reference = new PromClientReference(AGENT_LABELS);
  const random = seeded(42);
  for (let n = 0; n < 600; n++) {
    const check = configured[Math.floor(random() * configured.length)] as CheckRef;
    if (random() > 0.95) {
      bus.emit('scheduler.skipped', { check: check.name, kind: check.kind });
      reference.skip(check.name, check.kind);
      continue;
    }
    const result = randomResult(check, random, n);
    for (let retry = 0; retry < (result.ok ? 0 : Math.floor(random() * 2)); retry++) {
      const failed = { ...result, ok: false, reason: 'reset' as const };
      bus.emit('result.attempt', failed);
      reference.attempt(failed);
    }
    bus.emit('result.attempt', result);
    reference.attempt(result);
    bus.emit('result', result);
    reference.record(result);
  }
  assert.equal(sink.renderThreaded, renderThread);
  const prometheus = parse((await sink.metrics()).body);
  const openMetrics = parse((await sink.metrics(OPENMETRICS)).body);
  assert.ok(prometheus.values.size > 500, `only ${prometheus.values.size} series: the results did not reach the sink`);
  assert.ok(openMetrics.exemplars.size > 20, 'traced runs left no exemplars');
  assert.equal(prometheus.exemplars.size, 0, 'the Prometheus text format has no exemplars');
  compare(prometheus, parse(await reference.text(false)), 'Prometheus text');
  compare(openMetrics, parse(await reference.text(true)), 'OpenMetrics');
  sink.close();
}

test('the check exposition exposes what prom-client would for the same results, in both formats', () =>
  equivalence(false));

test('rendered on the render thread, it exposes the same', () => equivalence(true));
