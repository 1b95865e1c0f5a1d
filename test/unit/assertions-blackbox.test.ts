import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from '../../src/assertions/evaluate.js';
import { httpCheckSchema } from '../../src/config/schema/check.js';
import type { HttpFacts, Observation } from '../../src/results/types.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { makeCheck } from '../helpers/kind-checks.js';

const NOW = Date.UTC(2025, 0, 1);

function seen(http: Partial<HttpFacts> = {}, extra: Partial<Observation> = {}): Observation {
  const facts = { status: 200, version: '1.1', redirects: 0, finalUrl: 'http://127.0.0.1/', headers: {}, bodyBytes: 0 };
  return { ok: true, durationSeconds: 0.01, phases: {}, http: { ...facts, ssl: false, ...http }, ...extra };
}

function outcome(expect: Record<string, unknown>, observation: Observation) {
  const check = makeHttpCheck({ target: 'http://127.0.0.1/', expect });
  const outcomes = evaluate(check, observation, { now: NOW }).filter((o) => o.name !== 'status');
  assert.equal(outcomes.length, 1, JSON.stringify(outcomes));
  return outcomes[0] as (typeof outcomes)[number];
}

test('cel matches / notMatches judge the JSON body as blackbox_exporter does', () => {
  const body = JSON.stringify({ status: 'up', count: 2, items: [{ id: 1 }] });
  assert.equal(outcome({ cel: [{ matches: 'body.count > 1 && body.items[0].id == 1' }] }, seen({ body })).ok, true);
  assert.equal(outcome({ cel: [{ matches: 'body.status == "down"' }] }, seen({ body })).ok, false);
  assert.equal(outcome({ cel: [{ notMatches: 'body.status == "down"' }] }, seen({ body })).ok, true);
  assert.equal(outcome({ cel: [{ notMatches: 'body.status == "up"' }] }, seen({ body })).ok, false);
  const missing = outcome({ cel: [{ notMatches: 'body.nope == 1' }] }, seen({ body }));
  assert.equal(missing.ok, false, 'an evaluation error fails, even for notMatches');
  assert.match(missing.actual, /^error: /);
  assert.match(outcome({ cel: [{ matches: 'body.count' }] }, seen({ body })).actual, /^not a boolean/);
  assert.match(outcome({ cel: [{ matches: 'true' }] }, seen({ body: 'nope' })).actual, /^not JSON/);
});

test('a CEL expression that does not parse is refused by the schema', () => {
  const parsed = httpCheckSchema.safeParse({
    name: 'c',
    kind: 'http',
    target: 'http://x/',
    expect: { cel: [{ matches: 'body.' }] },
  });
  assert.equal(parsed.success, false);
  assert.match(parsed.error?.issues[0]?.message ?? '', /must be a valid CEL expression/);
});

test('ssl: the final response over TLS, or not', () => {
  assert.equal(outcome({ ssl: true }, seen({ ssl: true })).ok, true);
  assert.equal(outcome({ ssl: true }, seen({ ssl: false })).ok, false);
  assert.equal(outcome({ ssl: false }, seen({ ssl: true })).ok, false);
});

test('header notMatches and allowMissing', () => {
  const headers = { server: 'nginx/1.2' };
  assert.equal(outcome({ headers: [{ name: 'Server', notMatches: 'nginx' }] }, seen({ headers })).ok, false);
  assert.equal(outcome({ headers: [{ name: 'Server', notMatches: 'apache' }] }, seen({ headers })).ok, true);
  assert.equal(outcome({ headers: [{ name: 'X-A', matches: 'a' }] }, seen({ headers })).ok, false);
  assert.equal(outcome({ headers: [{ name: 'X-A', matches: 'a', allowMissing: true }] }, seen({ headers })).ok, true);
  assert.equal(outcome({ headers: [{ name: 'X-A', notMatches: 'a' }] }, seen({ headers })).ok, false);
});

test('a leading (?i) makes a configured pattern case-insensitive', () => {
  assert.equal(outcome({ body: [{ matches: '(?i)^OK$' }] }, seen({ body: 'ok' })).ok, true);
  assert.equal(outcome({ body: [{ matches: '^OK$' }] }, seen({ body: 'ok' })).ok, false);
});

test('dns allMatch: every record matches, and there is one unless allowEmpty', () => {
  const dns = (answers: string[]): Observation => ({
    ok: true,
    durationSeconds: 0.01,
    phases: {},
    dns: {
      rcode: 'NOERROR',
      rcodeValue: 0,
      authoritative: false,
      truncated: false,
      answers,
      authority: [],
      additional: [],
    },
  });
  const judge = (e: Record<string, unknown>, answers: string[]) => {
    const check = makeCheck('dns', { target: 'example.com', expect: { answers: [e] } });
    return evaluate(check, dns(answers), { now: NOW }).find((o) => o.name === 'answers allMatch')?.ok;
  };
  assert.equal(judge({ allMatch: '\\tA\\t' }, ['a.\t60\tIN\tA\t1.2.3.4', 'a.\t60\tIN\tA\t1.2.3.5']), true);
  assert.equal(judge({ allMatch: '\\tA\\t' }, ['a.\t60\tIN\tA\t1.2.3.4', 'a.\t60\tIN\tCNAME\tb.']), false);
  assert.equal(judge({ allMatch: '\\tA\\t' }, []), false);
  assert.equal(judge({ allMatch: '\\tA\\t', allowEmpty: true }, []), true);
});
