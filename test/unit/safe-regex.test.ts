import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKTRACKING_MESSAGE, configuredRegex, regexProblem } from '../../src/config/safe-regex.js';
import { isCanaryError } from '../../src/errors.js';

test('a repetition nested in a repetition (star height above 1) is refused', () => {
  for (const source of ['(a+)+$', '(a*)*', '^(\\w+\\s?)*$', '(x+x+)+y', '([a-z]+)*@', '(.*a){12}', '(?<=(a+)+)b'])
    assert.equal(regexProblem(source), BACKTRACKING_MESSAGE, source);
  assert.match(BACKTRACKING_MESSAGE, /^may backtrack catastrophically \(nested quantifier\); rewrite it/);
});

test('common safe patterns pass, lookbehinds and named groups included, however many quantifiers', () => {
  for (const source of [
    '^application/json',
    '^\\d+$',
    '"status":\\s*"ok"',
    '(?<id>[a-z]+)-\\k<id>',
    '(?<=status=)ok',
    '(?<!not )ready',
    'a{2,}b{1,3}',
    '\\p{L}+',
    '[\\s\\S]*',
    'a+'.repeat(40),
  ])
    assert.equal(regexProblem(source), undefined, source);
});

test('a pattern that does not compile says so, before the guard', () => {
  assert.equal(regexProblem('(unclosed'), 'must be a valid regular expression');
  assert.equal(regexProblem('(a+)+('), 'must be a valid regular expression');
});

test('configuredRegex compiles a guarded pattern and refuses an unsafe one as a config error', () => {
  assert.ok(configuredRegex('id=(\\d+)').test('id=42'));
  assert.throws(
    () => configuredRegex('(a+)+$'),
    (err: unknown) => isCanaryError(err, 'CANARY_ERR_CONFIG') && err.message.includes('may backtrack'),
  );
});

test('an optional group adds no nesting; a repeated one still does', () => {
  // blackbox_exporter's own ssh_banner_extract module.
  assert.equal(regexProblem('^SSH-2.0-([^ -]+)(?: (.*))?$'), undefined);
  assert.equal(regexProblem('(x+)?y'), undefined);
  assert.equal(regexProblem('((a*)?)*'), BACKTRACKING_MESSAGE);
  assert.equal(regexProblem('((a+)?)+$'), BACKTRACKING_MESSAGE);
  assert.equal(regexProblem('(\\w+\\s?)*'), BACKTRACKING_MESSAGE);
});
