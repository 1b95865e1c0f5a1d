/**
 * Secrets never leave: a sentinel value in every place a secret can enter (a target's
 * userinfo and query token, check headers and body, chaos call headers, body, query and
 * exec env, OTLP headers, the control API token, secret files) appears in none of the
 * places the agent prints or stores: /metrics in both formats, debug logs, exported spans,
 * the chaos journal and audit log, `--json` outputs, `validate` output, error messages.
 * Each sentinel is first shown to have been used, so "absent" means redacted, not unsent.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const SENTINELS = {
  TARGET_PASS: 'SntlTargetPass01',
  TARGET_TOKEN: 'SntlTargetToken02',
  CHECK_AUTH: 'SntlCheckAuth03',
  CHECK_BODY: 'SntlCheckBody04',
  OTLP_TOKEN: 'SntlOtlpToken05',
  CHAOS_AUTH: 'SntlChaosAuth06',
  CHAOS_BODY: 'SntlChaosBody07',
  CHAOS_QUERY: 'SntlChaosQuery08',
  EXEC_SECRET: 'SntlExecEnv09',
};
/** A collector header from the standard variable, not from the config. */
const OTLP_ENV = 'SntlOtlpEnv13';
const FILE_SENTINELS = { serverToken: 'SntlServerTokenFile10', otlpKey: 'SntlOtlpFile11', chaosKey: 'SntlChaosFile12' };
const ALL = [...Object.values(SENTINELS), ...Object.values(FILE_SENTINELS), OTLP_ENV];

const dir = mkdtempSync(join(tmpdir(), 'canary-sentinels-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function assertNone(where: string, text: string): void {
  for (const sentinel of ALL) assert.ok(!text.includes(sentinel), `${sentinel} appears in ${where}`);
}

function writeFiles(origin: string, otlp: string): { config: string; experiment: string; bad: string } {
  writeFileSync(join(dir, 'server-token'), `${FILE_SENTINELS.serverToken}\n`);
  writeFileSync(join(dir, 'otlp-key'), `${FILE_SENTINELS.otlpKey}\n`);
  writeFileSync(join(dir, 'chaos-key'), FILE_SENTINELS.chaosKey);
  const host = origin.replace('http://', '');
  const config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    [
      'server:',
      '  listen: 127.0.0.1:0',
      '  tokenFile: server-token',
      'chaos: { enabled: true, files: [], stateDir: state }',
      'probes: { defaults: { interval: 1s, timeout: 900ms } }',
      'exporters:',
      '  log: { level: debug }',
      '  otlp:',
      `    endpoint: "${otlp}"`,
      '    headers:',
      '      authorization: "Bearer ${OTLP_TOKEN}"',
      '      x-otlp-key: "${file:otlp-key}"',
      'checks:',
      '  - name: secret-check',
      '    kind: http',
      `    target: "http://bob:\${TARGET_PASS}@${host}/echo?token=\${TARGET_TOKEN}&q=1"`,
      '    http:',
      '      method: POST',
      '      headers: { authorization: "Bearer ${CHECK_AUTH}" }',
      '      body: "${CHECK_BODY}"',
      // Fails on purpose: the failure message and its span are places a secret could show.
      '    expect: { status: [299], body: [{ matches: "never there" }] }',
    ].join('\n'),
  );
  const experiment = join(dir, 'sentinel.chaos.yaml');
  const url = `${origin}/fault?token=\${CHAOS_QUERY}`;
  writeFileSync(
    experiment,
    [
      'name: sentinel-run',
      'blastRadius: { maxInstances: 1 }',
      'method:',
      '  - action: http',
      '    method: POST',
      `    url: "${url}"`,
      '    headers: { authorization: "Bearer ${CHAOS_AUTH}", x-key: "${file:chaos-key}" }',
      '    body: "${CHAOS_BODY}"',
      `    revert: { method: DELETE, url: "${url}", headers: { authorization: "Bearer \${CHAOS_AUTH}" } }`,
      '  - action: exec',
      `    argv: ["${process.execPath}", "-e", "console.log('env is ' + process.env.SECRET_VAR)"]`,
      '    env: { SECRET_VAR: "${EXEC_SECRET}" }',
    ].join('\n'),
  );
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, ['server:', '  token: ${CHECK_AUTH}', 'probes:', '  concurrency: ${CHECK_AUTH}'].join('\n'));
  return { config, experiment, bad };
}

test('no sentinel secret appears in metrics, logs, spans, journal, audit, JSON output, validate or errors', async () => {
  // Echoes what it was sent: a response that quotes a secret must not carry it any further.
  const target: HttpTestServer = await startHttpServer((_req, res) => {
    // The request was recorded (its body read) before this runs.
    const seen = target.requests.at(-1);
    res.writeHead(200).end(`${JSON.stringify(seen?.headers)} ${seen?.url} ${seen?.body}`);
  });
  const receiver = await startOtlpReceiver();
  const { config, experiment, bad } = writeFiles(target.origin, receiver.url);
  const env = { ...SENTINELS, OTEL_EXPORTER_OTLP_HEADERS: `x-env-key=${OTLP_ENV}` };
  try {
    const chaos = await runCli(['chaos', 'run', experiment, '--config', config, '--json'], { env });
    assert.equal(chaos.code, 0, chaos.stderr);
    const runId = (JSON.parse(chaos.stdout) as { runId: string }).runId;
    assert.match(chaos.stdout, /env is <redacted>/);

    const agent = new CliProcess(['run', '--config', config], env);
    try {
      const base = await agent.url();
      await agent.waitForLog((l) => l.check === 'secret-check' && l.ok === false);
      await receiver.waitForSpans(1, (s) => s.name.includes('secret-check'));
      await receiver.waitForSpans(1, (s) => s.name === 'chaos sentinel-run');
      // The base URL ends in a slash: a path joined by hand would be //metrics, a 404 with nothing to check.
      const scrape = async (accept: string): Promise<string> => {
        const res = await fetch(new URL('metrics', base), { headers: { accept } });
        assert.equal(res.status, 200);
        const body = await res.text();
        assert.match(body, /probe_success\{[^}]*check="secret-check"/);
        return body;
      };
      const text = await scrape('text/plain');
      const open = await scrape('application/openmetrics-text; version=1.0.0');
      const control = await fetch(new URL('-/chaos/status', base), {
        headers: { authorization: `Bearer ${FILE_SENTINELS.serverToken}` },
      });
      // The token from the file is the control API's token.
      assert.equal(control.status, 200);
      assert.equal((await fetch(new URL('-/chaos/status', base))).status, 401);
      assertNone('the control API', await control.text());
      assertNone('/metrics', text);
      assertNone('/metrics (OpenMetrics)', open);
      assertNone('the debug log', agent.lines.join('\n') + agent.stderr);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }

    // Every secret reached its destination: absent below means redacted.
    const seen = target.requests.map((r) => `${JSON.stringify(r.headers)} ${r.url} ${r.body}`).join('\n');
    for (const name of ['TARGET_TOKEN', 'CHECK_AUTH', 'CHECK_BODY', 'CHAOS_AUTH', 'CHAOS_BODY', 'CHAOS_QUERY'] as const)
      assert.ok(seen.includes(SENTINELS[name]), `${name} was not sent`);
    assert.ok(seen.includes(FILE_SENTINELS.chaosKey));
    const otlpHeaders = JSON.stringify(receiver.requests.map((r) => r.headers));
    for (const sentinel of [SENTINELS.OTLP_TOKEN, FILE_SENTINELS.otlpKey, OTLP_ENV])
      assert.ok(otlpHeaders.includes(sentinel), `${sentinel} was not sent to the collector`);

    assertNone(
      'exported spans',
      JSON.stringify(receiver.spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    );
    const journal = readFileSync(join(dir, 'state', 'journal', `${runId}.json`), 'utf8');
    assertNone('the journal', journal);
    assert.match(journal, /<secret sha256:[0-9a-f]{16}>/);
    assertNone('the audit log', readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8'));
    assertNone('chaos run --json', chaos.stdout + chaos.stderr);
    assert.deepEqual(readdirSync(join(dir, 'state', 'journal')).filter((f) => f.endsWith('.json')).length, 1);

    for (const args of [
      ['validate', '--config', config],
      ['validate', '--config', config, '--json'],
      ['chaos', 'validate', experiment, '--config', config],
    ]) {
      const run = await runCli(args, { env });
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      assertNone(args.join(' '), run.stdout + run.stderr);
    }
    for (const args of [
      ['validate', '--config', bad, '--json'],
      ['run', '--config', bad],
    ]) {
      const run = await runCli(args, { env });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout + run.stderr, /probes\.concurrency/);
      assertNone(args.join(' '), run.stdout + run.stderr);
    }
  } finally {
    await receiver.close();
    await target.close();
  }
});
