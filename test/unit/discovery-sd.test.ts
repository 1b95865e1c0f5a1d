import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { mergeReloadable } from '../../src/config/reload.js';
import { globBase } from '../../src/config/watch.js';
import { agentConfigSchema } from '../../src/config/schema/agent.js';
import { expandSource } from '../../src/discovery/sd/expand.js';
import { parseGroups } from '../../src/discovery/sd/groups.js';
import { checkName, fill, instantiate } from '../../src/config/sd-template.js';
import { formatProblem, isCanaryError } from '../../src/errors.js';

test('checkName: <source>-<address>, fitted to the check-name pattern', () => {
  assert.equal(checkName('web', '10.0.0.1:8080'), 'web-10.0.0.1:8080');
  assert.equal(checkName('web', '[::1]:80'), 'web-_::1_:80');
  assert.equal(checkName('web', 'a b/c'), 'web-a_b_c');
  assert.equal(checkName('w', 'x'.repeat(300)).length, 128);
});

test('fill and instantiate: placeholders, a missing label is empty, group labels under the template labels', () => {
  const values = { address: 'h:1', labels: { app: 'shop', team: 'payments', __meta_zone: 'z' } };
  assert.equal(fill('http://{{address}}/{{ labels.app }}/{{labels.none}}', values), 'http://h:1/shop/');
  const raw = instantiate(
    'web',
    {
      kind: 'http',
      target: 'http://{{address}}/',
      http: { headers: { host: '{{labels.app}}' } },
      labels: { team: 'sre' },
    },
    values,
  );
  assert.deepEqual(raw, {
    kind: 'http',
    target: 'http://h:1/',
    http: { headers: { host: 'shop' } },
    labels: { app: 'shop', team: 'sre' },
    name: 'web-h:1',
  });
});

test('expandSource: valid targets become resolved checks; a bad target is a problem at its place', () => {
  const { probes } = agentConfigSchema.parse({
    probes: {
      discovery: [{ name: 'db', fileSd: ['x.json'], template: { kind: 'tcp', target: '{{address}}', interval: '5s' } }],
    },
  });
  const source = probes.discovery[0];
  assert.ok(source);
  const { doc } = parseGroups(
    '/sd/x.json',
    '[\n  {"targets": ["db1:5432", "db1:5432", "no-port"], "labels": {"env": "prod"}}\n]',
  );
  assert.ok(doc);
  const { checks, problems } = expandSource(source, [doc], '/etc/canary', probes.defaults);
  assert.deepEqual(
    checks.map((c) => [c.name, c.target, c.labels, c.source.file, c.source.line]),
    [['db-db1:5432', 'db1:5432', { env: 'prod' }, '/sd/x.json', 2]],
  );
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.file, '/sd/x.json');
  assert.equal(problems[0]?.path, '[0].targets[2]');
  assert.match(problems[0]?.message ?? '', /discovery source db: check db-no-port: target: must be HOST:PORT/);
});

test('parseGroups: Prometheus target group lists only', () => {
  assert.deepEqual(parseGroups('f.yaml', '- targets: [a:1]\n').doc?.groups, [{ targets: ['a:1'], labels: {} }]);
  assert.deepEqual(parseGroups('f.json', '').doc?.groups, []);
  const bad = parseGroups('f.json', '[{"targets": "a:1"}]');
  assert.equal(bad.doc, undefined);
  assert.equal(bad.problems[0]?.path, '[0].targets');
  const typo = parseGroups('f.yaml', '- targets: [a:1]\n  lables: { a: b }\n');
  assert.deepEqual(typo.problems.map(formatProblem), [
    'f.yaml:2:3: [0].lables: unknown key "lables" (did you mean "labels"?)',
  ]);
});

test('probes.discovery: template problems at load time, unique source names', () => {
  const parse = (discovery: unknown) => agentConfigSchema.safeParse({ probes: { discovery } });
  const template = { kind: 'http', target: 'https://{{address}}/health' };
  assert.equal(parse([{ name: 'a', fileSd: ['*.json'], template }]).success, true);
  const messages = (r: ReturnType<typeof parse>) =>
    (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
  assert.deepEqual(messages(parse([{ name: 'a', template }])), [
    'probes.discovery.0.fileSd: set exactly one of fileSd or httpSd',
  ]);
  assert.deepEqual(messages(parse([{ name: 'a', fileSd: ['x'], template: { ...template, target: '{{address}}' } }])), [
    'probes.discovery.0.template.target: must be an absolute http:// or https:// URL',
  ]);
  assert.deepEqual(
    messages(
      parse([
        { name: 'a', fileSd: ['x'], template },
        { name: 'a', fileSd: ['y'], template },
      ]),
    ),
    ['probes.discovery.1.name: duplicate discovery source name "a"'],
  );
});

test('mergeReloadable: reloadable keys from the new config, restart-only ones kept and listed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-merge-'));
  try {
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, 'server: { listen: 127.0.0.1:9000 }\nchecks: [{ name: a, kind: tcp, target: "h:1" }]\n');
    const current = await loadConfig(file);
    writeFileSync(
      file,
      'server: { listen: 127.0.0.1:9001 }\nexporters: { log: { level: debug } }\nchecks: [{ name: b, kind: tcp, target: "h:1" }]\n',
    );
    const { config, restart } = mergeReloadable(current, await loadConfig(file));
    assert.deepEqual(restart, ['server.listen', 'exporters']);
    assert.equal(config.server.listen, '127.0.0.1:9000');
    assert.equal(config.exporters.log.level, 'info');
    assert.deepEqual(
      config.checks.map((c) => c.name),
      ['b'],
    );
    writeFileSync(file, 'checks: [{ name: b, kind: tcp, target: "nope" }]\n');
    await assert.rejects(loadConfig(file), (err) => isCanaryError(err));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('globBase: the fixed leading directories of a glob', () => {
  assert.equal(globBase('sd/*.json', '/etc/canary'), '/etc/canary/sd');
  assert.equal(globBase('../targets/**/web-*.yaml', '/etc/canary'), '/etc/targets');
  assert.equal(globBase('*.json', '/etc/canary'), '/etc/canary');
});
