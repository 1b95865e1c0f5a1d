/** Filling a step's send and labels from its expect match, as Go's regexp.Expand does for blackbox_exporter. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conversationStep, tcpOptionsSchema } from '../../src/config/schema/tcp.js';
import { interpolate } from '../../src/config/env.js';
import { expand } from '../../src/probes/tcp/expand.js';

const match = (re: RegExp, text: string): RegExpExecArray => re.exec(text) as RegExpExecArray;

test('numbered and named groups, braced or bare; $$ is a dollar', () => {
  const m = match(/^PING :(?<token>\w+) (\w+)$/, 'PING :abc def');
  assert.equal(expand('PONG ${1} ${2} ${token} $token $1', m), 'PONG abc def abc abc abc');
  assert.equal(expand('cost $$5 ${0}', m), 'cost $5 PING :abc def');
});

test('a group that did not match, or does not exist, is empty; a $ naming nothing stays', () => {
  const m = match(/^(a)(b)?$/, 'a');
  assert.equal(expand('[${2}][${9}][${nope}][$1x]', m), '[][][][]');
  assert.equal(expand('$ ${-} ${', m), '$ ${-} ${');
});

test('step rules: expect and expectBytes, send and sendBytes exclusive; labels need expect', () => {
  const problems = (step: unknown): string[] =>
    conversationStep.safeParse(step).error?.issues.map((i) => i.message) ?? [];
  assert.deepEqual(problems({ expect: 'a', expectBytes: 'S' }), ['expect and expectBytes are mutually exclusive']);
  assert.deepEqual(problems({ send: 'a', sendBytes: 'AA==' }), ['send and sendBytes are mutually exclusive']);
  assert.deepEqual(problems({ expectBytes: 'S', labels: [{ name: 'v', value: '${1}' }] }), [
    'labels are filled from an expect match: they need expect',
  ]);
  assert.deepEqual(problems({ sendBytes: 'not base64!' }), ['must be base64']);
  assert.match(problems({ expect: 'a', labels: [{ name: '1bad', value: 'x' }] })[0] ?? '', /Prometheus label name/);
  assert.deepEqual(conversationStep.parse({ send: new Uint8Array([0, 1]) }), { sendBytes: 'AAE=' }, 'YAML !!binary');
  assert.deepEqual(problems({ send: 5 }).length > 0, true);
});

test('sourceIp must be an IP address', () => {
  assert.equal(tcpOptionsSchema.safeParse({ sourceIp: '127.0.0.1' }).success, true);
  assert.equal(tcpOptionsSchema.safeParse({ sourceIp: '::1' }).success, true);
  assert.equal(
    tcpOptionsSchema.safeParse({ sourceIp: 'localhost' }).error?.issues[0]?.message,
    'must be an IPv4 or IPv6 address',
  );
});

test('config files leave ${1}... to the conversation only where a step fills them', () => {
  assert.deepEqual(interpolate('PONG ${1} $${name} ${HOME}', { HOME: '/h' }, { keepGroups: true }), {
    value: 'PONG ${1} ${name} /h',
    errors: [],
  });
  assert.deepEqual(interpolate('x ${1}', {}).errors, ['invalid environment variable name "1" in ${1}']);
});
