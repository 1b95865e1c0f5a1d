import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpectations, evaluate } from '../../src/assertions/evaluate.js';
import type { HttpFacts, Observation, TlsFacts } from '../../src/results/types.js';
import { makeHttpCheck } from '../helpers/checks.js';

const NOW = Date.UTC(2025, 0, 1);
const DAY_S = 86_400;

/** An ok observation of an HTTP response, with the given facts over sensible ones. */
function seen(http: Partial<HttpFacts> = {}, extra: Partial<Observation> = {}): Observation {
  return {
    ok: true,
    durationSeconds: 0.05,
    phases: { resolve: 0.001, connect: 0.002, processing: 0.04, transfer: 0.007 },
    http: {
      status: 200,
      version: '1.1',
      redirects: 0,
      finalUrl: 'http://127.0.0.1/',
      headers: {},
      bodyBytes: 0,
      ssl: false,
      ...http,
    },
    ...extra,
  };
}

function outcomesOf(expect: Parameters<typeof makeHttpCheck>[0]['expect'], observation: Observation) {
  return evaluate(makeHttpCheck({ target: 'http://127.0.0.1/', expect }), observation, { now: NOW });
}

function only(expect: Parameters<typeof makeHttpCheck>[0]['expect'], observation: Observation) {
  const outcomes = outcomesOf(expect, observation).filter((o) => o.name !== 'status');
  assert.equal(outcomes.length, 1, JSON.stringify(outcomes));
  return outcomes[0]!;
}

test('status defaults to 2xx from the schema', () => {
  assert.deepEqual(outcomesOf(undefined, seen({ status: 204 })), [
    { name: 'status', ok: true, expected: 'one of 2xx', actual: '204' },
  ]);
  assert.deepEqual(outcomesOf({}, seen({ status: 503 })), [
    { name: 'status', ok: false, expected: 'one of 2xx', actual: '503' },
  ]);
});

test('status accepts a code, a class, an inclusive range, and a list of them', () => {
  const cases: Array<[Array<number | string>, number, boolean]> = [
    [[200], 200, true],
    [[200], 201, false],
    [['3xx'], 301, true],
    [['3xx'], 399, true],
    [['3xx'], 400, false],
    [['400-404'], 400, true],
    [['400-404'], 404, true],
    [['400-404'], 405, false],
    [['400-404'], 399, false],
    [[200, '3xx', '500-502'], 502, true],
    [[200, '3xx', '500-502'], 503, false],
  ];
  for (const [status, code, ok] of cases) {
    const [outcome] = outcomesOf({ status }, seen({ status: code }));
    assert.equal(outcome?.ok, ok, `${status.join(',')} vs ${code}`);
    assert.equal(outcome?.expected, `one of ${status.join(', ')}`);
    assert.equal(outcome?.actual, String(code));
  }
});

test('headers: equals, matches, absent and present, names in any case', () => {
  const obs = seen({ headers: { 'content-type': 'application/json; charset=utf-8', 'x-cache': 'HIT' } });
  assert.deepEqual(only({ headers: [{ name: 'Content-Type', equals: 'application/json; charset=utf-8' }] }, obs), {
    name: 'header content-type',
    ok: true,
    expected: 'equal to "application/json; charset=utf-8"',
    actual: '"application/json; charset=utf-8"',
  });
  assert.equal(only({ headers: [{ name: 'content-type', equals: 'application/json' }] }, obs).ok, false);
  assert.equal(only({ headers: [{ name: 'CONTENT-TYPE', matches: '^application/json' }] }, obs).ok, true);
  assert.equal(only({ headers: [{ name: 'content-type', matches: 'text/html' }] }, obs).ok, false);
  assert.deepEqual(only({ headers: [{ name: 'Server', absent: true }] }, obs), {
    name: 'header server',
    ok: true,
    expected: 'absent',
    actual: 'absent',
  });
  const leaked = only({ headers: [{ name: 'X-Cache', absent: true }] }, obs);
  assert.deepEqual([leaked.ok, leaked.actual], [false, '"HIT"']);
  assert.deepEqual(only({ headers: [{ name: 'x-cache', absent: false }] }, obs), {
    name: 'header x-cache',
    ok: true,
    expected: 'present',
    actual: '"HIT"',
  });
  assert.deepEqual(only({ headers: [{ name: 'x-missing', absent: false }] }, obs), {
    name: 'header x-missing',
    ok: false,
    expected: 'present',
    actual: 'absent',
  });
});

test('headers: a probe reporting mixed-case names still matches, and matches needs the header', () => {
  const obs = seen({ headers: { 'X-Request-Id': 'abc-123' } });
  assert.equal(only({ headers: [{ name: 'x-request-id', matches: '^[a-z]+-\\d+$' }] }, obs).ok, true);
  const missing = only({ headers: [{ name: 'etag', matches: '.*' }] }, obs);
  assert.deepEqual([missing.ok, missing.expected, missing.actual], [false, 'matching /.*/', 'absent']);
});

test('body: matches and notMatches, with the deciding text as actual', () => {
  const body = '<html><title>Welcome</title> status: healthy </html>';
  const obs = seen({ body });
  assert.deepEqual(only({ body: [{ matches: 'status: (healthy|ok)' }] }, obs), {
    name: 'body',
    ok: true,
    expected: 'matching /status: (healthy|ok)/',
    actual: 'found "status: healthy"',
  });
  const missing = only({ body: [{ matches: 'Dashboard' }] }, obs);
  assert.deepEqual([missing.ok, missing.actual], [false, `no match in ${body.length} characters`]);
  const forbidden = only({ body: [{ notMatches: 'Wel\\w+' }] }, obs);
  assert.deepEqual(
    [forbidden.ok, forbidden.expected, forbidden.actual],
    [false, 'not matching /Wel\\w+/', 'found "Welcome"'],
  );
  const clean = only({ body: [{ notMatches: '[Ee]rror' }] }, obs);
  assert.deepEqual([clean.expected, clean.actual], ['not matching /[Ee]rror/', `${body.length} characters`]);
});

test('body: a body that was not read fails, even for notMatches', () => {
  const outcome = only({ body: [{ notMatches: 'error' }] }, seen({ body: undefined }));
  assert.deepEqual([outcome.ok, outcome.actual], [false, 'no body read']);
});

test('maxDuration compares the whole attempt with the limit', () => {
  const fast = only({ maxDuration: '500ms' }, seen({}, { durationSeconds: 0.1234 }));
  assert.deepEqual(fast, { name: 'maxDuration', ok: true, expected: 'at most 500ms', actual: '123.4ms' });
  const slow = only({ maxDuration: '500ms' }, seen({}, { durationSeconds: 1.5 }));
  assert.deepEqual([slow.ok, slow.actual], [false, '1.5s']);
  assert.equal(only({ maxDuration: '500ms' }, seen({}, { durationSeconds: 0.5 })).ok, true, 'the limit itself passes');
});

test('certMinLifetime measures from the given now, and fails without TLS', () => {
  const tls = (days: number): TlsFacts => ({
    version: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    earliestCertExpiry: NOW / 1000 + days * DAY_S,
  });
  const expect = { certMinLifetime: '14d' };
  const plenty = only(expect, seen({ ssl: true }, { tls: tls(30) }));
  assert.deepEqual(plenty, { name: 'certMinLifetime', ok: true, expected: 'at least 14d left', actual: '30d left' });
  const soon = only(expect, seen({ ssl: true }, { tls: tls(3.5) }));
  assert.deepEqual([soon.ok, soon.actual], [false, '3.5d left']);
  const expired = only(expect, seen({ ssl: true }, { tls: tls(-2) }));
  assert.deepEqual([expired.ok, expired.actual], [false, 'expired 2d ago']);
  const plain = only(expect, seen());
  assert.deepEqual([plain.ok, plain.actual], [false, 'no TLS']);
  // The same facts judged later: purity means `now` is the only clock.
  const later = evaluate(
    makeHttpCheck({ target: 'https://127.0.0.1/', expect }),
    seen({ ssl: true }, { tls: tls(30) }),
    {
      now: NOW + 20 * DAY_S * 1000,
    },
  );
  assert.equal(later.find((o) => o.name === 'certMinLifetime')?.ok, false);
});

test('outcomes come in a stable order: status, headers, body, json, maxDuration, certMinLifetime', () => {
  const check = makeHttpCheck({
    target: 'https://127.0.0.1/',
    expect: {
      certMinLifetime: '1d',
      maxDuration: '1s',
      json: [{ path: '$.b' }, { path: '$.a' }],
      body: [{ matches: 'a' }],
      headers: [
        { name: 'b', absent: false },
        { name: 'a', equals: '1' },
      ],
      status: [200],
    },
  });
  const obs = seen({ body: '{"a":1,"b":2}', headers: { a: '1', b: '2' } });
  const names = evaluate(check, obs, { now: NOW }).map((o) => o.name);
  assert.deepEqual(names, [
    'status',
    'header b',
    'header a',
    'body',
    'json $.b',
    'json $.a',
    'maxDuration',
    'certMinLifetime',
  ]);
});

test('a transport failure gives no outcomes: the failure is the verdict', () => {
  const check = makeHttpCheck({
    target: 'http://127.0.0.1:1/',
    expect: { status: [200], maxDuration: '1s', body: [{ matches: 'x' }] },
  });
  const refused: Observation = {
    ok: false,
    reason: 'refused',
    message: 'connect ECONNREFUSED 127.0.0.1:1',
    durationSeconds: 0.001,
    phases: {},
  };
  assert.deepEqual(evaluate(check, refused, { now: NOW }), []);
});

test('expectations compile once per check and are reused', () => {
  const check = makeHttpCheck({ target: 'http://127.0.0.1/', expect: { body: [{ matches: 'ok' }] } });
  assert.equal(compileExpectations(check), compileExpectations(check));
  const other = makeHttpCheck({ target: 'http://127.0.0.1/', expect: { body: [{ matches: 'ok' }] } });
  assert.notEqual(compileExpectations(other), compileExpectations(check));
  assert.equal(compileExpectations(check).length, 2);
});
