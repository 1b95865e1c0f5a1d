/**
 * Secrets driven into the text the agent writes: each case makes the agent's own behaviour
 * put a secret into a log line, a span or a journal entry (a redirect whose Location quotes
 * the token, a server that resets the connection, an assertion that quotes an echoed body,
 * a chaos call that fails, a refused connection to a URL with a password, an exec argv
 * built from `${VAR}` and `${file:…}`, a flow token sent on in a header). Each secret is
 * first shown to have reached a server, then to be absent from every output, with a
 * redaction marker where the agent would have written it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const ENV = {
  REDIRECT_TOKEN: 'DrvRedirectTok01',
  RESET_TOKEN: 'DrvResetTok02',
  ECHO_AUTH: 'DrvEchoAuth03',
  REFUSED_PASS: 'DrvRefusedPass04',
  CHAOS_QUERY: 'DrvChaosQuery05',
  EXEC_ARG: 'DrvExecArg06',
};
const EXEC_FILE = 'DrvExFile07';
/** Minted by the login server, never in any file: only the flow's extraction knows it. */
const FLOW_TOKEN = 'DrvFlowMinted08';
const CHECKS = ['redirect-loop', 'redirect-away', 'reset', 'echo', 'refused', 'flow'];
const ALL = [...Object.values(ENV), EXEC_FILE, FLOW_TOKEN];

const dir = mkdtempSync(join(tmpdir(), 'canary-driven-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Enough of a secret to tell it was quoted, even cut short: every sentinel starts and ends differently here. */
const PART = 7;

/** Where each secret, or its head or tail, showed up: one readable failure instead of one per place. */
function leaks(outputs: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(outputs))
    for (const secret of ALL)
      if (text.includes(secret.slice(0, PART)) || text.includes(secret.slice(-PART)))
        found.push(`${secret} in ${where}`);
  return found;
}

/** Pushes what follows it past the 80 characters an assertion quotes, so the cut falls inside the secret. */
const PADDING = 'p'.repeat(64);

/** The exec action's program: writes its arguments after the first to the file named first, and prints them. */
const PRINT_ARGV =
  "const [f, ...a] = process.argv.slice(1); require('fs').writeFileSync(f, a.join(' ')); console.log(a.join(' '))";
const seenFile = join(dir, 'exec-seen');
/** Output whose last 4096 bytes (what an exec call keeps) start 7 characters before the end of its argument. */
const PRINT_LONG = "console.log('x'.repeat(5000) + process.argv[1] + 'y'.repeat(4096 - 7 - 1))";

function route(origin: string, refused: number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', origin);
    const token = url.searchParams.get('token') ?? '';
    const echo = `${JSON.stringify(req.headers)} ${req.url}`;
    if (url.pathname === '/redirect')
      // Back to itself with the token in the query and the userinfo: the loop message quotes both URLs.
      res.writeHead(302, { location: `http://u:${token}@${url.host}/redirect?token=${token}` }).end();
    else if (url.pathname === '/away')
      res.writeHead(302, { location: `http://u:${token}@127.0.0.1:${refused}/gone?token=${token}` }).end();
    else if (url.pathname === '/reset') req.socket.destroy();
    else if (url.pathname === '/login')
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"token":"${FLOW_TOKEN}"}`);
    // The padding puts the start of the token just before the cut of the quoted header value.
    else res.writeHead(500, { 'x-echo': `${PADDING} ${req.headers.authorization}` }).end(echo);
  };
}

function writeFiles(origin: string, otlp: string, refused: number): { config: string; experiment: string } {
  writeFileSync(join(dir, 'exec-arg'), `${EXEC_FILE}\n`);
  const config = join(dir, 'agent.yaml');
  const check = (name: string, target: string, extra: string[] = []) => [
    `  - name: ${name}`,
    '    kind: http',
    `    target: "${target}"`,
    ...extra,
  ];
  writeFileSync(
    config,
    [
      'server: { listen: 127.0.0.1:0 }',
      'chaos: { enabled: true, files: [], stateDir: state }',
      // Probes on a worker thread: the secrets registry is the agent thread's, so redaction must
      // happen where results are written (or, for flow values, in the probe itself).
      'probes: { workers: 1, defaults: { interval: 1s, timeout: 900ms } }',
      'modules: { http_2xx: { prober: http } }',
      'exporters:',
      // The most verbose level: whatever the agent logs at all is checked.
      '  log: { level: trace }',
      `  otlp: { endpoint: "${otlp}" }`,
      'checks:',
      ...check('redirect-loop', `${origin}/redirect?token=\${REDIRECT_TOKEN}`),
      ...check('redirect-away', `${origin}/away?token=\${REDIRECT_TOKEN}`),
      ...check('reset', `${origin}/reset?token=\${RESET_TOKEN}`),
      ...check('echo', `${origin}/echo`, [
        '    http: { headers: { authorization: "Bearer ${ECHO_AUTH}" } }',
        '    expect: { status: [500], headers: [{ name: x-echo, matches: "never there" }] }',
      ]),
      ...check('refused', `http://dave:\${REFUSED_PASS}@127.0.0.1:${refused}/x`),
      '  - name: flow',
      '    kind: flow',
      `    target: "${origin}"`,
      '    flow:',
      '      steps:',
      '        - name: login',
      '          http: { url: /login }',
      '          extract: { session: { json: $.token } }',
      '        - name: use',
      '          http: { url: "/api?sid={{session}}", headers: { authorization: "Bearer {{session}}" } }',
      '          expect: { status: [500], headers: [{ name: x-echo, matches: "never there" }] }',
    ].join('\n'),
  );
  const experiment = join(dir, 'driven.chaos.yaml');
  writeFileSync(
    experiment,
    [
      'name: driven-run',
      'blastRadius: { maxInstances: 1 }',
      'method:',
      // Prints its argv (the call's output, kept in the journal, quotes both values) and
      // leaves it in a file the agent never reads, to show what the program was given.
      '  - action: exec',
      `    argv: ["${process.execPath}", "-e", ${JSON.stringify(PRINT_ARGV)}, "${seenFile}",`,
      '      "${EXEC_ARG}", "${file:exec-arg}"]',
      // Prints more than the 4 KiB of output kept, so the kept tail starts inside the secret.
      '  - action: exec',
      `    argv: ["${process.execPath}", "-e", ${JSON.stringify(PRINT_LONG)}, "\${EXEC_ARG}"]`,
      '  - action: http',
      '    method: POST',
      // The server hangs up: the call's error quotes its URL.
      `    url: "${origin}/reset?token=\${CHAOS_QUERY}"`,
      'rollback:',
      // Fails: its error and argv are journaled and logged.
      '  - action: exec',
      `    argv: ["${process.execPath}", "-e", "process.exit(3)", "--token=\${EXEC_ARG}", "\${file:exec-arg}"]`,
    ].join('\n'),
  );
  return { config, experiment };
}

function spansText(spans: readonly ReceivedSpan[]): string {
  return JSON.stringify(spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

/** The last log line of a failed run of `check`. */
function failure(agent: CliProcess, check: string): { message: string; target: string } {
  const line = agent.logs().findLast((l) => l.check === check && l.ok === false);
  assert.ok(line, `no failure logged for ${check}`);
  return { message: String(line.message), target: String(line.target) };
}

/** Runs the agent until every check failed once, asks its /probe endpoint, and collects what it wrote and served. */
async function runAgent(
  config: string,
  origin: string,
  receiver: OtlpReceiver,
  outputs: Record<string, string>,
): Promise<void> {
  const agent = new CliProcess(['run', '--config', config], ENV);
  try {
    const base = await agent.url();
    for (const name of CHECKS) await agent.waitForLog((l) => l.check === name && l.ok === false);
    for (const name of CHECKS) await receiver.waitForSpans(1, (s) => s.name.includes(name) && s.status.code === 2);
    for (const [name, accept] of [
      ['metrics', 'text/plain'],
      ['openmetrics', 'application/openmetrics-text; version=1.0.0'],
    ] as const) {
      const res = await fetch(new URL('metrics', base), { headers: { accept } });
      assert.equal(res.status, 200);
      outputs[name] = await res.text();
      assert.match(outputs[name], /probe_success\{[^}]*check="refused"/);
    }
    // blackbox's endpoint, asked for its debug output: the probe log names the target.
    const probed = `http://u:${ENV.REFUSED_PASS}@${new URL(origin).host}/echo?token=${ENV.RESET_TOKEN}`;
    const debug = await fetch(new URL(`probe?target=${encodeURIComponent(probed)}&debug=true`, base));
    outputs['/probe debug'] = await debug.text();
    assert.match(outputs['/probe debug'], /target="http:\/\/REDACTED:REDACTED@[^ ]*\/echo\?token=REDACTED"/);
    // Where the agent would have quoted each secret, it quotes a marker.
    assert.match(
      failure(agent, 'redirect-loop').message,
      /^redirect loop: http:\/\/REDACTED:REDACTED@[^ ]*\?token=REDACTED /,
    );
    assert.match(failure(agent, 'redirect-away').target, /\?token=REDACTED$/);
    assert.match(failure(agent, 'reset').target, /\?token=REDACTED$/);
    assert.match(failure(agent, 'refused').target, /^http:\/\/REDACTED:REDACTED@127\.0\.0\.1:/);
    assert.match(failure(agent, 'echo').message, / Bearer <redacted>…$/);
    assert.match(failure(agent, 'flow').message, /^step "use": .* Bearer <redacted>…$/);
  } finally {
    agent.child.kill('SIGTERM');
    await agent.exited;
  }
  outputs.log = agent.lines.join('\n') + agent.stderr;
}

test('secrets the agent itself writes into logs, spans, metrics, journal and JSON output are redacted', async () => {
  const refused = await closedPort();
  let origin = '';
  const target: HttpTestServer = await startHttpServer((req, res) => route(origin, refused)(req, res));
  origin = target.origin;
  const receiver = await startOtlpReceiver();
  const { config, experiment } = writeFiles(origin, receiver.url, refused);
  const outputs: Record<string, string> = {};
  try {
    const chaos = await runCli(['chaos', 'run', experiment, '--config', config, '--json'], { env: ENV });
    outputs['chaos run --json'] = chaos.stdout + chaos.stderr;
    const run = JSON.parse(chaos.stdout) as { runId: string };
    assert.equal(readFileSync(seenFile, 'utf8'), `${ENV.EXEC_ARG} ${EXEC_FILE}`, 'the program got both values');
    outputs.journal = readFileSync(join(dir, 'state', 'journal', `${run.runId}.json`), 'utf8');
    outputs.audit = readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8');
    assert.match(chaos.stdout, /<redacted> <redacted>/, 'the exec output, as shown');
    assert.match(
      outputs.journal,
      /<secret sha256:[0-9a-f]{16}> <secret sha256:[0-9a-f]{16}>/,
      'the exec output, as kept',
    );
    assert.match(chaos.stdout, /POST http:[^ ]*\/reset\?token=REDACTED failed/);
    assert.match(chaos.stdout, /"--token=<redacted>"/, 'the rollback argv, as shown');
    assert.match(chaos.stdout, /bytes dropped\]…<redacted>yyy/, 'the kept tail of a long output');

    await runAgent(config, origin, receiver, outputs);
    outputs.spans = spansText(receiver.spans);
    assert.match(outputs.spans, /Bearer <redacted>…/);
    assert.match(outputs.spans, /redirect loop: http:\/\/REDACTED:REDACTED@/);
    const probe = await runCli([
      'probe',
      `http://u:${ENV.REFUSED_PASS}@127.0.0.1:${refused}/?token=${ENV.RESET_TOKEN}`,
      '--json',
    ]);
    outputs['probe --json'] = probe.stdout + probe.stderr;
    assert.match(probe.stdout, /"target": "http:\/\/u:<redacted>@127\.0\.0\.1:\d+\/\?token=<redacted>"/);

    // Every secret reached a server (or the exec program): absent means redacted, not unsent.
    const seen = target.requests.map((r) => `${JSON.stringify(r.headers)} ${r.url}`).join('\n');
    for (const secret of [ENV.REDIRECT_TOKEN, ENV.RESET_TOKEN, ENV.ECHO_AUTH, ENV.CHAOS_QUERY, FLOW_TOKEN])
      assert.ok(seen.includes(secret), `${secret} was not sent`);
    assert.ok(
      target.requests.some((r) => r.url.startsWith('/api?sid=') && r.headers.authorization === `Bearer ${FLOW_TOKEN}`),
    );
    assert.deepEqual(leaks(outputs), []);
  } finally {
    await receiver.close();
    await target.close();
  }
});
