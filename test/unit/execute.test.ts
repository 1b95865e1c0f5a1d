import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedHttpCheck } from '../../src/config/types.js';
import type { Probe, ProbeContext } from '../../src/probes/types.js';
import { executeCheck } from '../../src/run/execute.js';
import { verdict } from '../../src/assertions/verdict.js';
import type { Observation } from '../../src/results/types.js';
import { makeHttpCheck } from '../helpers/checks.js';

/**
 * A stand-in for the probe interface: returns a fixed observation (or throws) and records
 * what it was called with. The real HTTP probe is tested against real servers elsewhere;
 * this covers only the pipeline around it.
 */
function fakeProbe(
  behaviour: Observation | Error,
): Probe<ResolvedHttpCheck> & { calls: Array<{ check: string; ctx: ProbeContext }> } {
  const calls: Array<{ check: string; ctx: ProbeContext }> = [];
  return {
    kind: 'http',
    calls,
    run(check, ctx) {
      calls.push({ check: check.name, ctx });
      if (behaviour instanceof Error) return Promise.reject(behaviour);
      return Promise.resolve(behaviour);
    },
  };
}

function response(status: number, body = '{"status":"ok"}', durationSeconds = 0.02): Observation {
  return {
    ok: true,
    durationSeconds,
    phases: { connect: 0.001, processing: 0.015 },
    http: {
      status,
      version: '1.1',
      redirects: 0,
      finalUrl: 'http://127.0.0.1:8080/health',
      headers: { 'content-type': 'application/json' },
      bodyBytes: body.length,
      body,
      ssl: false,
    },
  };
}

/** A clock that moves 10ms every time it is read, so start and evaluation times differ. */
function steppingClock(start: number): () => number {
  let t = start;
  return () => (t += 10);
}

const check = makeHttpCheck({
  name: 'api-health',
  target: 'http://127.0.0.1:8080/health',
  expect: { status: ['2xx'], json: [{ path: '$.status', equals: 'ok' }], maxDuration: '1s' },
});
const ctx = (): ProbeContext => ({ signal: new AbortController().signal, headers: { traceparent: '00-abc-def-01' } });

test('a passing run is ok with every outcome and the run facts', async () => {
  const probe = fakeProbe(response(200));
  const context = ctx();
  const result = await executeCheck(check, probe, context, { region: 'eu-west-1', now: steppingClock(1_000_000) });
  assert.equal(result.ok, true);
  assert.equal(result.reason, undefined);
  assert.equal(result.message, undefined);
  assert.deepEqual(
    { check: result.check, kind: result.kind, target: result.target, region: result.region, attempt: result.attempt },
    { check: 'api-health', kind: 'http', target: 'http://127.0.0.1:8080/health', region: 'eu-west-1', attempt: 1 },
  );
  assert.equal(result.startedAt, 1_000_010);
  assert.equal(result.durationSeconds, 0.02);
  assert.deepEqual(
    result.outcomes.map((o) => [o.name, o.ok]),
    [
      ['status', true],
      ['json $.status', true],
      ['maxDuration', true],
    ],
  );
  assert.equal(probe.calls.length, 1);
  assert.equal(probe.calls[0]?.ctx.signal, context.signal, 'the probe gets the caller signal');
  assert.deepEqual(probe.calls[0]?.ctx.headers, { traceparent: '00-abc-def-01' });
});

test('a failed status is http_status, and the message says expected vs actual', async () => {
  const result = await executeCheck(check, fakeProbe(response(503, '{"status":"degraded"}')), ctx(), { region: 'r' });
  assert.equal(result.ok, false);
  assert.equal(result.reason, 'http_status');
  // Both failures are named; status comes first because outcomes are in a stable order.
  assert.equal(
    result.message,
    'status: expected one of 2xx, got 503; json $.status: expected equal to "ok", got "degraded"',
  );
});

test('any other failed expectation is assertion', async () => {
  const slow = await executeCheck(check, fakeProbe(response(200, '{"status":"ok"}', 2.5)), ctx(), { region: 'r' });
  assert.equal(slow.reason, 'assertion');
  assert.equal(slow.message, 'maxDuration: expected at most 1s, got 2.5s');
  assert.equal(slow.durationSeconds, 2.5);
  const notJson = await executeCheck(check, fakeProbe(response(200, 'OK')), ctx(), { region: 'r' });
  assert.equal(notJson.reason, 'assertion');
  assert.match(notJson.message ?? '', /^json \$\.status: expected equal to "ok", got not JSON: /);
});

test('a transport failure keeps the probe reason and message and has no outcomes', async () => {
  const refused: Observation = {
    ok: false,
    reason: 'refused',
    message: 'connect ECONNREFUSED 127.0.0.1:8080',
    durationSeconds: 0.002,
    phases: {},
  };
  const result = await executeCheck(check, fakeProbe(refused), ctx(), { region: 'r' });
  assert.deepEqual(
    [result.ok, result.reason, result.message],
    [false, 'refused', 'connect ECONNREFUSED 127.0.0.1:8080'],
  );
  assert.deepEqual(result.outcomes, []);
  assert.equal(result.observation, refused);
});

test('a probe that throws becomes reason unknown with the error message; nothing rejects', async () => {
  const result = await executeCheck(check, fakeProbe(new TypeError('cannot read properties of undefined')), ctx(), {
    region: 'r',
    now: steppingClock(0),
  });
  assert.equal(result.ok, false);
  assert.equal(result.reason, 'unknown');
  assert.equal(result.message, 'probe threw: cannot read properties of undefined');
  assert.deepEqual(result.outcomes, []);
  assert.equal(result.durationSeconds, 0.01, 'measured by the injected clock');
});

test('a probe that throws synchronously is caught too', async () => {
  const probe: Probe<ResolvedHttpCheck> = {
    kind: 'http',
    run() {
      throw new Error('sync bug');
    },
  };
  const result = await executeCheck(check, probe, ctx(), { region: 'r' });
  assert.deepEqual([result.reason, result.message], ['unknown', 'probe threw: sync bug']);
});

test('the clock given is the one certMinLifetime is judged against', async () => {
  const tlsCheck = makeHttpCheck({ target: 'https://127.0.0.1:8443/', expect: { certMinLifetime: '7d' } });
  const expiry = 1_700_000_000;
  const observation: Observation = {
    ...response(200),
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', earliestCertExpiry: expiry },
  };
  const early = await executeCheck(tlsCheck, fakeProbe(observation), ctx(), {
    region: 'r',
    now: () => (expiry - 30 * 86_400) * 1000,
  });
  assert.equal(early.ok, true);
  const late = await executeCheck(tlsCheck, fakeProbe(observation), ctx(), {
    region: 'r',
    now: () => (expiry - 86_400) * 1000,
  });
  assert.deepEqual(
    [late.ok, late.reason, late.message],
    [false, 'assertion', 'certMinLifetime: expected at least 7d left, got 1d left'],
  );
});

test('verdict: an observation that is not ok without a reason is unknown', () => {
  assert.deepEqual(verdict({ ok: false, durationSeconds: 0, phases: {} }, []), {
    ok: false,
    reason: 'unknown',
    message: 'unknown',
  });
  assert.deepEqual(verdict(response(200), []), { ok: true });
});
