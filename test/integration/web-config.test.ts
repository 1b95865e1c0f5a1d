/**
 * The agent's server secured by a web config file, as Prometheus exporters are: HTTPS
 * with certificates made here by openssl, basic auth with bcrypt hashes, the control token
 * on top, response headers, and the file reloaded when it or a certificate changes. A real
 * Prometheus scrapes it over HTTPS with basic auth.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { prometheusBinary, startPrometheus } from '../helpers/prometheus.js';
import { eventually } from '../helpers/wait.js';

const TOKEN = 'control-token-1234';
const hash = (password: string) => bcrypt.hashSync(password, 4);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** CN of the certificate the server presented. */
  serverName: string;
}

/** One request on a fresh connection (a new handshake each time), trusting the test CA. */
function get(url: string, options: RequestOptions & { user?: [string, string] } = {}): Promise<Answer> {
  const { user, ...rest } = options;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent: false, timeout: 10_000, ...rest, ...(user ? { auth: `${user[0]}:${user[1]}` } : {}) },
      (res) => {
        const serverName = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '');
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, serverName }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function webConfig(users: Record<string, string>, extra = ''): string {
  return [
    'tls_server_config:',
    '  cert_file: server.crt',
    '  key_file: server.key',
    'http_server_config:',
    '  headers: { X-Content-Type-Options: nosniff, X-Frame-Options: deny }',
    'basic_auth_users:',
    ...Object.entries(users).map(([user, h]) => `  ${user}: "${h}"`),
    extra,
  ].join('\n');
}

let certs: TestCerts | undefined;
let agent: TestAgent | undefined;
let dir = '';
const skip = !(await haveOpenssl()) && 'the openssl CLI is needed to make the test certificates';

before(async () => {
  if (skip) return;
  certs = await makeTestCerts();
  agent = await startTestAgent(
    `server: { listen: "127.0.0.1:0", token: ${TOKEN}, webConfig: web.yml }\n`,
    {},
    {
      files: {
        'web.yml': webConfig({ prom: hash('s3cret') }),
        'server.crt': certs.localhost.cert,
        'server.key': certs.localhost.key,
      },
    },
  );
  dir = join(String(agent.agent.config.file), '..');
});

after(async () => {
  await agent?.stop();
  await certs?.cleanup();
});

const ca = () => certs?.ca.cert;

test('the server is HTTPS and every route needs basic auth credentials', { skip }, async () => {
  const url = agent?.url ?? '';
  assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  for (const path of ['metrics', 'healthz', 'no-such-path']) {
    const anonymous = await get(url + path, { ca: ca() });
    assert.equal(anonymous.status, 401, path);
    assert.match(String(anonymous.headers['www-authenticate']), /^Basic realm="canary"/);
  }
  assert.equal((await get(`${url}metrics`, { ca: ca(), user: ['prom', 'wrong'] })).status, 401);
  assert.equal((await get(`${url}metrics`, { ca: ca(), user: ['nobody', 's3cret'] })).status, 401);
  const ok = await get(`${url}metrics`, { ca: ca(), user: ['prom', 's3cret'] });
  assert.equal(ok.status, 200);
  assert.match(ok.body, /canary_/);
  assert.equal(ok.serverName, 'localhost');
});

test('the web config headers are on every response, refusals too', { skip }, async () => {
  const url = agent?.url ?? '';
  for (const answer of [
    await get(`${url}healthz`, { ca: ca(), user: ['prom', 's3cret'] }),
    await get(`${url}healthz`, { ca: ca() }),
  ]) {
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal(answer.headers['x-frame-options'], 'deny');
  }
});

test('over TLS the server own origin is https://; the same host over http:// is foreign', { skip }, async () => {
  const url = agent?.url ?? '';
  const own = url.replace(/\/$/, '');
  const withOrigin = (origin: string) =>
    get(`${url}healthz`, { ca: ca(), user: ['prom', 's3cret'], headers: { origin } });
  assert.equal((await withOrigin(own)).status, 200);
  const foreign = await withOrigin(own.replace('https://', 'http://'));
  assert.equal(foreign.status, 403);
  assert.match(foreign.body, /cross-origin request refused/);
});

test('the control API needs the token on top of basic auth, in X-Canary-Token', { skip }, async () => {
  const url = `${agent?.url ?? ''}-/reload`;
  const post = (headers: Record<string, string>, user?: [string, string]) =>
    get(url, { method: 'POST', ca: ca(), headers, user });
  assert.equal((await post({ 'x-canary-token': TOKEN })).status, 401, 'token without basic auth');
  const basicOnly = await post({}, ['prom', 's3cret']);
  assert.equal(basicOnly.status, 401, 'basic auth without token');
  assert.equal(basicOnly.headers['www-authenticate'], 'Bearer');
  assert.equal((await post({ 'x-canary-token': 'wrong' }, ['prom', 's3cret'])).status, 401);
  assert.equal((await post({ 'x-canary-token': TOKEN }, ['prom', 's3cret'])).status, 200);
});

test(
  'a real Prometheus scrapes over HTTPS with basic auth; a wrong password is down',
  { skip: skip || (!prometheusBinary() && 'prometheus is not installed') },
  async () => {
    const target = (agent?.url ?? '').replace(/^https:\/\/|\/$/g, '');
    const tls = `tls_config: { ca_file: "${certs?.ca.certPath}" }`;
    const prometheus = await startPrometheus(
      [target],
      [
        '    scheme: https',
        '    basic_auth: { username: prom, password: s3cret }',
        `    ${tls}`,
        '  - job_name: wrong-password',
        '    scheme: https',
        '    basic_auth: { username: prom, password: nope }',
        `    ${tls}`,
        `    static_configs: [ { targets: ["${target}"] } ]`,
      ].join('\n'),
    );
    try {
      const up = async (job: string) => {
        const [sample] = await prometheus.query(`up{job="${job}"}`);
        return sample?.value[1];
      };
      assert.equal(await eventually(() => up('canary'), 30_000, 'up of the https job'), '1');
      assert.equal(await eventually(() => up('wrong-password'), 30_000, 'up of the wrong-password job'), '0');
      const [heartbeat] = await prometheus.query('canary_agent_info{job="canary"}');
      assert.ok(heartbeat, 'the agent series were scraped');
    } finally {
      await prometheus.stop();
    }
  },
);

test(
  'a changed web config is taken while running; a broken one is logged and the last good kept',
  { skip },
  async () => {
    const url = `${agent?.url ?? ''}metrics`;
    const status = async (password: string) => (await get(url, { ca: ca(), user: ['prom', password] })).status;
    writeFileSync(join(dir, 'web.yml'), webConfig({ prom: hash('n3w-pass') }));
    await eventually(async () => ((await status('s3cret')) === 401 ? true : undefined), 20_000, 'old password refused');
    assert.equal(await status('n3w-pass'), 200);

    writeFileSync(join(dir, 'web.yml'), webConfig({ prom: hash('other') }, 'cipher_suites: [X]\n'));
    const failed = await eventually(
      () => agent?.logs().find((line) => line.msg === 'web config reload failed: the previous one keeps running'),
      // Past the 30 s comparison that backs the watch, should a busy host's watch miss the write.
      45_000,
      'the reload failure in the log',
    ).catch(async (error: unknown) => {
      const seen = (agent?.logs() ?? []).filter((l) => /web config|watch/i.test(String(l.msg)));
      const now = await status('other').catch((e: unknown) => String(e));
      throw new Error(`${String(error)}; web config log lines: ${JSON.stringify(seen)}; 'other' answers ${now}`);
    });
    assert.match(String((failed.problems as string[])[0]), /web\.yml:8:1: cipher_suites: unknown key/);
    assert.equal(await status('n3w-pass'), 200);
    assert.equal(await status('other'), 401);
  },
);

test('a replaced certificate is served on new connections', { skip }, async () => {
  const url = `${agent?.url ?? ''}healthz`;
  writeFileSync(join(dir, 'web.yml'), webConfig({ prom: hash('s3cret') }));
  writeFileSync(join(dir, 'server.key'), certs?.otherName.key ?? '');
  writeFileSync(join(dir, 'server.crt'), certs?.otherName.cert ?? '');
  // The new leaf names canary.test only; the name check is not what this is about.
  const options = { ca: ca(), user: ['prom', 's3cret'] as [string, string], checkServerIdentity: () => undefined };
  const answer = await eventually(
    async () => {
      const a = await get(url, options);
      return a.serverName === 'canary.test' ? a : undefined;
    },
    20_000,
    'the new certificate',
  );
  assert.equal(answer.status, 200);
});
