import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ResolvedCheck, ResolvedHttpCheck } from '../../src/config/types.js';
import { loadConfig } from '../../src/config/load.js';
import { fixture, repoRoot } from '../helpers/paths.js';

/** The check when it is an HTTP one (every check in these fixtures is). */
function asHttp(check: ResolvedCheck | undefined): ResolvedHttpCheck | undefined {
  return check?.kind === 'http' ? check : undefined;
}

const env = { FIXTURE_REGION: 'ap-south-1', FIXTURE_CONCURRENCY: '8' };

test('environment references are interpolated, typed and defaulted', async () => {
  const config = await loadConfig(fixture('config', 'valid', 'agent.yaml'), { env });
  assert.equal(config.agent.region, 'ap-south-1');
  assert.deepEqual(config.agent.labels, { team: 'sre' });
  // An unquoted ${VAR} standing alone keeps the type its value has in YAML.
  assert.equal(config.probes.concurrency, 8);
  const literal = config.checks.find((c) => c.name === 'literal-dollar');
  assert.equal(asHttp(literal)?.http.headers['x-price'], '$5 and ');
});

test('schema defaults and probes.defaults are applied once, at load', async () => {
  const config = await loadConfig(fixture('config', 'valid', 'agent.yaml'), { env });
  const fast = asHttp(config.checks.find((c) => c.name === 'inline-fast'));
  assert.deepEqual(fast?.schedule, { kind: 'interval', everyMs: 2_000 });
  // The default timeout (5s) is cut to the interval (2s), as Prometheus does for scrapes.
  assert.equal(fast?.timeoutMs, 2_000);
  assert.equal(fast?.http.method, 'GET');
  assert.equal(fast?.http.maxBodySize, 1_048_576);
  assert.deepEqual(fast?.expect.status, ['2xx']);
  const cron = config.checks.find((c) => c.name === 'inline-cron');
  assert.deepEqual(cron?.schedule, { kind: 'cron', expression: '*/5 * * * * *' });
  assert.equal(cron?.timeoutMs, 5_000);
  assert.equal(config.server.listen, '127.0.0.1:9464');
  assert.equal(config.exporters.prometheus.enabled, true);
});

test('probe files are found by glob relative to the config and paths inside them resolve relative to them', async () => {
  const config = await loadConfig(fixture('config', 'valid', 'agent.yaml'), { env });
  assert.deepEqual(config.probes.files, [fixture('config', 'valid', 'probes', 'tls.yaml')]);
  const tls = asHttp(config.checks.find((c) => c.name === 'private-ca'));
  assert.equal(tls?.tls.ca, fixture('config', 'valid', 'certs', 'ca.pem'));
  assert.deepEqual(tls?.source, { file: fixture('config', 'valid', 'probes', 'tls.yaml'), line: 2, col: 5 });
  assert.deepEqual(
    config.checks.map((c) => c.name),
    ['inline-fast', 'inline-cron', 'literal-dollar', 'private-ca'],
  );
});

test('a list used as a key is a problem of the file, not a warning of node on stderr', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  try {
    await assert.rejects(loadConfig(fixture('config', 'invalid', 'collection-key.yaml'), { env: {} }), /unknown key/);
    // process.emitWarning delivers on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});

test('the loaded config is frozen', async () => {
  const config = await loadConfig(fixture('config', 'valid', 'agent.yaml'), { env });
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(asHttp(config.checks[0])?.http.headers));
  assert.throws(() => {
    (config.agent as { region: string }).region = 'changed';
  }, TypeError);
});

test('an unset variable is reported by name', async () => {
  await assert.rejects(
    loadConfig(fixture('config', 'valid', 'agent.yaml'), { env: { FIXTURE_REGION: 'x' } }),
    /environment variable FIXTURE_CONCURRENCY is not set/,
  );
});

test('the shipped configs and every example probe file validate', async () => {
  const configs = readdirSync(resolve(repoRoot, 'config')).filter((f) => f.endsWith('.yaml'));
  assert.ok(configs.includes('agent.yaml') && configs.includes('demo.yaml'), `configs: ${configs.join(', ')}`);
  for (const name of configs) {
    const config = await loadConfig(resolve(repoRoot, 'config', name), { env: {} });
    assert.ok(config.checks.length > 0, `${name} has no checks`);
  }
  const agent = await loadConfig(resolve(repoRoot, 'config', 'agent.yaml'), { env: {} });
  const examples = readdirSync(resolve(repoRoot, 'probes')).filter((f) => f.endsWith('.yaml'));
  assert.deepEqual(agent.probes.files.map((f) => f.slice(f.lastIndexOf('/') + 1)).sort(), examples.sort());
});

test('one status written alone is a list of that one, in checks, flow steps and modules', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-status-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'agent.yaml');
  writeFileSync(
    file,
    [
      'checks:',
      '  - { name: code, kind: http, target: http://127.0.0.1:8080/, expect: { status: 204 } }',
      '  - { name: class, kind: http, target: http://127.0.0.1:8080/, expect: { status: 3xx } }',
      '  - { name: list, kind: http, target: http://127.0.0.1:8080/, expect: { status: [200, 2xx] } }',
      '  - name: flow',
      '    kind: flow',
      '    target: http://127.0.0.1:8080/',
      '    flow:',
      '      steps:',
      '        - { name: login, http: { url: /login }, expect: { status: 201 } }',
      'modules:',
      '  created: { prober: http, expect: { status: 201-202 } }',
      '',
    ].join('\n'),
  );
  const config = await loadConfig(file, { env: {} });
  const status = (name: string) => asHttp(config.checks.find((c) => c.name === name))?.expect.status;
  assert.deepEqual(status('code'), [204]);
  assert.deepEqual(status('class'), ['3xx']);
  assert.deepEqual(status('list'), [200, '2xx']);
  const flow = config.checks.find((c) => c.name === 'flow');
  assert.deepEqual(flow?.kind === 'flow' ? flow.flow.steps[0]?.expect.status : undefined, [201]);
  const created = config.modules.created;
  assert.deepEqual(created?.check.kind === 'http' ? created.check.expect.status : undefined, ['201-202']);
});
