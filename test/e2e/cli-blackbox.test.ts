import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

const AGENT = 'test/fixtures/blackbox/agent.yaml';

test('validate --blackbox-config: a file canary loads is valid; what it cannot honour is a warning', async () => {
  const run = await runCli(['validate', '--config', AGENT, '--blackbox-config', 'test/fixtures/blackbox/blackbox.yml']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^test\/fixtures\/blackbox\/agent\.yaml: valid /m);
  assert.deepEqual(run.stderr.trim().split('\n'), [
    'canary: warning: test/fixtures/blackbox/blackbox.yml:23:21: modules.http3.http.enable_http3: canary cannot honour this: HTTP/3 is not available in canary; /probe answers an error for module http3',
    'canary: warning: test/fixtures/blackbox/blackbox.yml:48:9: modules.grpc_health.grpc.metadata: canary cannot honour this: gRPC request metadata is not available in canary; /probe answers an error for module grpc_health',
  ]);
});

test('validate --blackbox-config --json: modules, the ones not probeable, the warnings', async () => {
  const args = ['validate', '--json', '--config', AGENT, '--blackbox-config', 'test/fixtures/blackbox/blackbox.yml'];
  const run = await runCli(args);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as {
    modules: number;
    blackbox: { notProbeable: string[] };
    warnings: unknown[];
  };
  // The file's and the agent's six, and the five of blackbox's default modules that neither
  // names: grpc, grpc_plain, icmp_ttl5, irc_banner, pop3s_banner.
  assert.equal(report.modules, 12);
  assert.deepEqual(report.blackbox.notProbeable, ['http3', 'grpc_health']);
  assert.equal(report.warnings.length, 2);
});

test('validate: a blackbox file blackbox_exporter would refuse is refused with every problem, exit 2', async () => {
  const run = await runCli(['validate', '--config', AGENT, '--blackbox-config', 'test/fixtures/blackbox/invalid.yml']);
  assert.equal(run.code, 2);
  assert.deepEqual(run.stderr.trim().split('\n'), [
    'canary: invalid configuration (3 problems):',
    'test/fixtures/blackbox/invalid.yml:6:26: modules.http_post_2xx.http.bearer_token_file: at most one of bearer_token, bearer_token_file may be set',
    'test/fixtures/blackbox/invalid.yml:11:7: modules.dns_test.dns.invalid_extra_field: unknown field (blackbox_exporter refuses it too)',
    'test/fixtures/blackbox/invalid.yml:13:13: modules.typo.prober: prober "htp" is not valid: one of http, tcp, icmp, dns, grpc, unix, websocket',
  ]);
});

test('run and gate take --blackbox-config too: an invalid file stops them with exit 2', async () => {
  for (const command of [['run'], ['gate', '--base-url', 'http://127.0.0.1:1', '--runs', '1']]) {
    const run = await runCli([
      ...command,
      '--config',
      AGENT,
      '--blackbox-config',
      'test/fixtures/blackbox/invalid.yml',
    ]);
    assert.equal(run.code, 2, `${command[0]}: ${run.stderr}`);
    assert.match(run.stderr, /invalid\.yml:13:13: modules\.typo\.prober: prober "htp" is not valid/);
  }
});

test('import blackbox --targets --job --out: modules, checks (file_sd http targets included) and their summary', async () => {
  const out = mkdtempSync(join(tmpdir(), 'canary-import-'));
  try {
    const run = await runCli([
      'import',
      'blackbox',
      'test/fixtures/blackbox/blackbox.yml',
      '--targets',
      'test/fixtures/blackbox/prometheus.yml',
      '--job',
      'blackbox-http',
      '--out',
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['blackbox-http.yaml', 'modules.yaml']);
    assert.match(run.stderr, /targets\/web\.json: http targets written as checks/);
    const probe = readFileSync(join(out, 'blackbox-http.yaml'), 'utf8');
    for (const target of ['https://www.example.com', 'http://127.0.0.1:8080/health', 'https://api.example.com']) {
      assert.match(probe, new RegExp(`target: ${target.replaceAll('.', '\\.')}\\n`));
    }
    // What was written loads as canary config: the probe file through an agent that names it.
    writeFileSync(join(out, 'agent.yaml'), 'probes: { files: [blackbox-http.yaml] }\n');
    const valid = await runCli(['validate', '--config', join(out, 'agent.yaml')]);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /valid \(3 checks, 1 probe file\)/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('import blackbox --json prints the files; an invalid blackbox file is exit 2 with its problems', async () => {
  const run = await runCli(['import', 'blackbox', 'test/fixtures/blackbox/blackbox.yml', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { files: { name: string; content: { modules: Record<string, unknown> } }[] };
  assert.deepEqual(
    report.files.map((f) => f.name),
    ['modules.yaml'],
  );
  assert.deepEqual(Object.keys(report.files[0]?.content.modules ?? {}).length, 6);
  const bad = await runCli(['import', 'blackbox', 'test/fixtures/blackbox/invalid.yml']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid\.yml:13:13: modules\.typo\.prober: prober "htp" is not valid/);
  const help = await runCli(['import', 'blackbox', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:\n {2}canary import blackbox /);
});
