/**
 * Secrets of `http.auth` and `http.proxy` never leave: a Basic password from a file, a
 * bearer token from the environment, an OAuth2 client secret written literally, the access
 * token the agent fetched with it, and proxy credentials in the proxy URL. Each is first
 * shown to have reached its server, then shown absent from /metrics, the debug log,
 * exported spans, `validate --json` and the failure messages. The agent runs its probes on
 * a worker thread, where the access token is known: it must not reach the agent's thread.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startForwardProxy } from '../helpers/forward-proxy.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { startHttpServer } from '../helpers/servers.js';

const SENTINELS = {
  basicPassword: 'SntlBasicPassFile21',
  bearerToken: 'SntlBearerEnv22',
  clientSecret: 'SntlClientSecret23',
  accessToken: 'SntlAccessToken24',
  proxyPassword: 'SntlProxyPass25',
};
const base64 = (text: string): string => Buffer.from(text).toString('base64');
/** The credentials as the probe encodes them for Authorization and Proxy-Authorization. */
const ENCODED = [base64(`alice:${SENTINELS.basicPassword}`), base64(`proxyuser:${SENTINELS.proxyPassword}`)];
const ALL = [...Object.values(SENTINELS), ...ENCODED];

const dir = mkdtempSync(join(tmpdir(), 'canary-auth-sentinels-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function assertNone(where: string, text: string): void {
  for (const sentinel of ALL) assert.ok(!text.includes(sentinel), `${sentinel} appears in ${where}`);
}

function check(name: string, target: string, http: string[]): string[] {
  return [
    `  - name: ${name}`,
    '    kind: http',
    `    target: "${target}"`,
    '    http:',
    ...http,
    // Fails on purpose, quoting the echoed credentials: a failure message is a place a secret could show.
    '    expect: { json: [{ path: "$.authorization", equals: "not this" }] }',
  ];
}

function writeConfig(target: string, idp: string, otlp: string, proxyPort: number): string {
  writeFileSync(join(dir, 'password'), `${SENTINELS.basicPassword}\n`);
  const proxy = `http://proxyuser:${SENTINELS.proxyPassword}@127.0.0.1:${proxyPort}`;
  const oauth2 = (path: string): string =>
    `      auth: { oauth2: { tokenUrl: "${idp}${path}", clientId: canary, clientSecret: ${SENTINELS.clientSecret} } }`;
  const config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    [
      'server: { listen: 127.0.0.1:0 }',
      'probes: { workers: 1, defaults: { interval: 1s, timeout: 900ms } }',
      'exporters:',
      '  log: { level: debug }',
      `  otlp: { endpoint: "${otlp}" }`,
      'checks:',
      ...check('basic-proxied', target, [
        '      auth: { basic: { username: alice, passwordFile: password } }',
        `      proxy: { url: "${proxy}" }`,
      ]),
      ...check('bearer', target, ['      auth: { bearer: { token: "${BEARER}" } }']),
      ...check('oauth', target, [oauth2('/token')]),
      ...check('oauth-refused', target, [oauth2('/deny')]),
    ].join('\n'),
  );
  return config;
}

test('no http.auth or http.proxy secret appears in metrics, logs, spans, JSON output or messages', async () => {
  // Echoes what it was sent, headers included: the echo must not carry a secret further.
  const target = await startHttpServer((req, res) => void res.writeHead(200).end(JSON.stringify(req.headers)));
  const idp = await startHttpServer((req, res) => {
    if (req.url === '/deny') {
      // An authorization server that quotes the secret back: the message must not repeat it.
      res.writeHead(401).end(JSON.stringify({ error: 'invalid_client', error_description: SENTINELS.clientSecret }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: SENTINELS.accessToken, token_type: 'Bearer', expires_in: 3600 }));
  });
  const proxy = await startForwardProxy(`proxyuser:${SENTINELS.proxyPassword}`);
  const receiver = await startOtlpReceiver();
  const config = writeConfig(target.origin, idp.origin, receiver.url, proxy.port);
  const env = { BEARER: SENTINELS.bearerToken };
  try {
    const agent = new CliProcess(['run', '--config', config], env);
    try {
      const base = await agent.url();
      for (const name of ['basic-proxied', 'bearer', 'oauth'])
        await agent.waitForLog((l) => l.check === name && l.ok === false && l.reason === 'assertion');
      await agent.waitForLog((l) => l.check === 'oauth-refused' && l.reason === 'auth');
      await receiver.waitForSpans(1, (s) => s.name.includes('oauth-refused'));
      await receiver.waitForSpans(1, (s) => s.name.includes('oauth') && !s.name.includes('refused'));
      const metrics = await (await fetch(new URL('metrics', base))).text();
      const refused = metrics.split('\n').filter((l) => l.startsWith('canary_probe_runs_total{'));
      assert.ok(
        refused.some((l) => l.includes('check="oauth-refused"') && l.includes('reason="auth"')),
        refused.join('\n'),
      );
      assertNone('/metrics', metrics);
      assertNone('the debug log', agent.lines.join('\n') + agent.stderr);
      assert.ok(
        agent.lines.some((l) => l.includes('<redacted>')),
        'the echoed secrets were seen and redacted',
      );
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }

    // Every secret reached its destination: absent above means redacted, not unsent.
    const sent = JSON.stringify([target.requests, idp.requests, proxy.requests].map((l) => l.map((r) => r.headers)));
    assert.ok(sent.includes(`Basic ${ENCODED[0]}`), 'the Basic password was not sent');
    assert.ok(sent.includes(`Bearer ${SENTINELS.bearerToken}`), 'the bearer token was not sent');
    assert.ok(sent.includes(base64(`canary:${SENTINELS.clientSecret}`)), 'the client secret was not sent');
    assert.ok(sent.includes(`Bearer ${SENTINELS.accessToken}`), 'the access token was not sent');
    assert.ok(sent.includes(`Basic ${ENCODED[1]}`), 'the proxy password was not sent');

    assertNone(
      'exported spans',
      JSON.stringify(receiver.spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    );
    const validate = await runCli(['validate', '--config', config, '--json'], { env });
    assert.equal(validate.code, 0, validate.stderr);
    assertNone('validate --json', validate.stdout + validate.stderr);
  } finally {
    await receiver.close();
    await proxy.close();
    await idp.close();
    await target.close();
  }
});
