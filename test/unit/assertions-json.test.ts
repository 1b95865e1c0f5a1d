import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from '../../src/assertions/evaluate.js';
import { formatJsonPath, parseJsonPath, resolveJsonPath } from '../../src/assertions/json-path.js';
import type { Observation } from '../../src/results/types.js';
import { makeHttpCheck } from '../helpers/checks.js';

const BODY = JSON.stringify({
  status: 'ok',
  version: 3,
  ready: true,
  gone: null,
  nested: { db: { latencyMs: 12, primary: 'db-1' } },
  items: [{ id: 'a1' }, { id: 'b2', tags: ['x', 'y'] }],
  'x-region': 'eu-west-1',
  'with space': { 'a"b': 1 },
});

function response(body: string | undefined): Observation {
  return {
    ok: true,
    durationSeconds: 0.01,
    phases: {},
    http: {
      status: 200,
      version: '1.1',
      redirects: 0,
      finalUrl: 'http://127.0.0.1/',
      headers: {},
      bodyBytes: body?.length ?? 0,
      body,
      ssl: false,
    },
  };
}

type JsonExpect = NonNullable<NonNullable<Parameters<typeof makeHttpCheck>[0]['expect']>['json']>;

function judge(json: JsonExpect, body: string | undefined) {
  const check = makeHttpCheck({ target: 'http://127.0.0.1/', expect: { json } });
  return evaluate(check, response(body), { now: 0 }).filter((o) => o.name.startsWith('json '));
}

test('paths parse into keys and indexes, and format back', () => {
  assert.deepEqual(parseJsonPath('$'), []);
  assert.deepEqual(parseJsonPath('$.items[1].tags[0]'), [
    { key: 'items' },
    { index: 1 },
    { key: 'tags' },
    { index: 0 },
  ]);
  assert.deepEqual(parseJsonPath('$["x-region"]'), [{ key: 'x-region' }]);
  assert.deepEqual(parseJsonPath('$["with space"].a'), [{ key: 'with space' }, { key: 'a' }]);
  assert.equal(formatJsonPath(parseJsonPath('$["with space"].items[2]')), '$["with space"].items[2]');
  assert.throws(() => parseJsonPath('$..x'), /invalid JSON path/);
});

test('resolving walks own keys and array bounds only', () => {
  const root = JSON.parse(BODY) as unknown;
  assert.deepEqual(resolveJsonPath(root, parseJsonPath('$.items[1].tags[1]')), { found: true, value: 'y' });
  assert.deepEqual(resolveJsonPath(root, parseJsonPath('$.gone')), { found: true, value: null });
  assert.deepEqual(resolveJsonPath(root, parseJsonPath('$.items[5].id')), { found: false, missingAt: '$.items[5]' });
  assert.deepEqual(resolveJsonPath(root, parseJsonPath('$.constructor')), { found: false, missingAt: '$.constructor' });
  assert.deepEqual(resolveJsonPath(root, parseJsonPath('$.status.length')), {
    found: false,
    missingAt: '$.status.length',
  });
  assert.deepEqual(resolveJsonPath(root, parseJsonPath('$.nested[0]')), { found: false, missingAt: '$.nested[0]' });
});

test('equals compares scalars strictly on nested objects, arrays and quoted keys', () => {
  const outcomes = judge(
    [
      { path: '$.status', equals: 'ok' },
      { path: '$.nested.db.latencyMs', equals: 12 },
      { path: '$.ready', equals: true },
      { path: '$.gone', equals: null },
      { path: '$.items[1].id', equals: 'b2' },
      { path: '$["x-region"]', equals: 'eu-west-1' },
      { path: '$.version', equals: '3' },
      { path: '$.nested.db.primary', equals: 'db-2' },
    ],
    BODY,
  );
  assert.deepEqual(
    outcomes.map((o) => o.ok),
    [true, true, true, true, true, true, false, false],
  );
  assert.deepEqual(outcomes[6], { name: 'json $.version', ok: false, expected: 'equal to "3"', actual: '3' });
  assert.deepEqual(outcomes[7], {
    name: 'json $.nested.db.primary',
    ok: false,
    expected: 'equal to "db-2"',
    actual: '"db-1"',
  });
});

test('matches tests strings as they are and other values as their JSON', () => {
  const outcomes = judge(
    [
      { path: '$.nested.db.primary', matches: '^db-\\d$' },
      { path: '$.version', matches: '^[0-9]+$' },
      { path: '$.items[1].tags', matches: '"y"' },
      { path: '$.status', matches: '^OK$' },
      { path: '$.missing', matches: '.*' },
    ],
    BODY,
  );
  assert.deepEqual(
    outcomes.map((o) => o.ok),
    [true, true, true, false, false],
  );
  assert.equal(outcomes[4]?.actual, 'missing at $.missing');
});

test('exists true and false, and a path alone asks for presence', () => {
  const outcomes = judge(
    [
      { path: '$.items[0].id', exists: true },
      { path: '$.items[0].name', exists: true },
      { path: '$.items[0].name', exists: false },
      { path: '$.gone', exists: true },
      { path: '$.gone', exists: false },
      { path: '$.nested.db' },
      { path: '$.nested.cache' },
    ],
    BODY,
  );
  assert.deepEqual(
    outcomes.map((o) => [o.ok, o.expected]),
    [
      [true, 'present'],
      [false, 'present'],
      [true, 'absent'],
      [true, 'present'],
      [false, 'absent'],
      [true, 'present'],
      [false, 'present'],
    ],
  );
});

test('a body that is not JSON fails every JSON expectation, saying so', () => {
  const outcomes = judge(
    [
      { path: '$.status', equals: 'ok' },
      { path: '$.x', exists: false },
    ],
    '<html>oops</html>',
  );
  assert.equal(outcomes.length, 2);
  for (const o of outcomes) {
    assert.equal(o.ok, false);
    assert.match(o.actual, /^not JSON: /);
  }
  const unread = judge([{ path: '$' }], undefined);
  assert.deepEqual([unread[0]?.ok, unread[0]?.actual], [false, 'no body read'], BODY);
});

test('the body is parsed once per evaluation, however many JSON expectations', () => {
  const json: JsonExpect = Array.from({ length: 5 }, (_, i) => ({ path: `$.items[${i % 2}].id` }));
  const check = makeHttpCheck({ target: 'http://127.0.0.1/', expect: { json } });
  const observation = response(BODY);
  const original = JSON.parse;
  let calls = 0;
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    calls++;
    return original(text, reviver) as unknown;
  }) as typeof JSON.parse;
  try {
    const outcomes = evaluate(check, observation, { now: 0 });
    assert.equal(outcomes.filter((o) => o.ok).length, 6, 'status and five JSON outcomes');
    assert.equal(calls, 1);
    evaluate(check, observation, { now: 0 });
    assert.equal(calls, 2, 'a new evaluation parses again: nothing is cached across runs');
  } finally {
    JSON.parse = original;
  }
});

test('long values are cut short in outcomes', () => {
  const body = JSON.stringify({ blob: 'z'.repeat(500) });
  const [outcome] = judge([{ path: '$.blob', equals: 'short' }], body);
  assert.ok(outcome && outcome.actual.length < 100, outcome?.actual);
  assert.ok(outcome.actual.endsWith('…'));
});
