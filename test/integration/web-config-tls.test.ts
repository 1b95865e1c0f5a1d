/**
 * The web config's TLS side beyond serving a certificate: client certificate policies,
 * problems found at start (unreadable files, a key that does not fit its certificate), and
 * reloads that would need a new listening socket.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import { formatProblem, isCanaryError } from '../../src/errors.js';
import { startTestAgent } from '../helpers/agent.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { eventually } from '../helpers/wait.js';

let certs: TestCerts | undefined;
const skip = !(await haveOpenssl()) && 'the openssl CLI is needed to make the test certificates';

before(async () => {
  if (!skip) certs = await makeTestCerts();
});
after(() => certs?.cleanup());

/** The status of one GET on a fresh connection, or the connection error's code. */
function status(url: string, options: RequestOptions): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 10_000, ...options }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

/** An agent whose web config is `web` (certificate files beside it). */
function agentWith(web: string) {
  return startTestAgent(
    'server: { listen: "127.0.0.1:0", webConfig: web.yml }\n',
    {},
    {
      files: {
        'web.yml': web,
        'server.crt': certs?.localhost.cert ?? '',
        'server.key': certs?.localhost.key ?? '',
        'ca.pem': certs?.ca.cert ?? '',
        'other.key': certs?.otherName.key ?? '',
      },
    },
  );
}

const TLS = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';

test('RequireAndVerifyClientCert: only a client with a certificate of the client CA gets in', { skip }, async () => {
  const agent = await agentWith(`${TLS}  client_ca_file: ca.pem\n  client_auth_type: RequireAndVerifyClientCert\n`);
  try {
    const url = `${agent.url}healthz`;
    const ca = certs?.ca.cert;
    assert.equal(await status(url, { ca, cert: certs?.client.cert, key: certs?.client.key }), 200);
    assert.notEqual(await status(url, { ca }), 200);
    // A certificate from a CA the server does not trust for clients.
    assert.notEqual(await status(url, { ca, cert: certs?.chained.cert, key: certs?.chained.key }), 200);
  } finally {
    await agent.stop();
  }
});

test('VerifyClientCertIfGiven: no certificate is fine, an untrusted one is not', { skip }, async () => {
  const agent = await agentWith(`${TLS}  client_ca_file: ca.pem\n  client_auth_type: VerifyClientCertIfGiven\n`);
  try {
    const url = `${agent.url}healthz`;
    const ca = certs?.ca.cert;
    assert.equal(await status(url, { ca }), 200);
    assert.equal(await status(url, { ca, cert: certs?.client.cert, key: certs?.client.key }), 200);
    assert.notEqual(await status(url, { ca, cert: certs?.chained.cert, key: certs?.chained.key }), 200);
  } finally {
    await agent.stop();
  }
});

test('RequireAnyClientCert: any certificate, none is refused', { skip }, async () => {
  const agent = await agentWith(`${TLS}  client_auth_type: RequireAnyClientCert\n`);
  try {
    const url = `${agent.url}healthz`;
    const ca = certs?.ca.cert;
    assert.notEqual(await status(url, { ca }), 200);
    assert.equal(await status(url, { ca, cert: certs?.chained.cert, key: certs?.chained.key }), 200);
  } finally {
    await agent.stop();
  }
});

test('changing client_auth_type while running is refused: it needs a restart', { skip }, async () => {
  const agent = await agentWith(TLS);
  try {
    const dir = join(agent.agent.config.file, '..');
    writeFileSync(join(dir, 'web.yml'), `${TLS}  client_auth_type: RequireAnyClientCert\n`);
    const failed = await eventually(
      () => agent.logs().find((line) => line.msg === 'web config reload failed: the previous one keeps running'),
      20_000,
      'the reload failure',
    );
    assert.equal(failed.err, 'changing client_auth_type needs a restart');
    assert.equal(await status(`${agent.url}healthz`, { ca: certs?.ca.cert }), 200);
  } finally {
    await agent.stop();
  }
});

test('the agent does not start on an unreadable certificate or a key that does not fit it', { skip }, async () => {
  const cases = [
    [
      `tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n`,
      /web\.yml:2:14: tls_server_config\.cert_file: cannot read .*missing\.crt: ENOENT$/,
    ],
    [
      `tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n`,
      /web\.yml:2:14: tls_server_config\.cert_file: the certificate and key cannot be used together: /,
    ],
    [
      `${TLS}  client_ca: not a certificate\n  client_auth_type: VerifyClientCertIfGiven\n`,
      /web\.yml:4:14: tls_server_config\.client_ca: the client CA is not a PEM certificate$/,
    ],
  ] as const;
  for (const [web, expected] of cases) {
    const err = await agentWith(web).then(
      async (agent) => {
        await agent.stop();
        assert.fail(`started with ${web}`);
      },
      (e: unknown) => e,
    );
    assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'), String(err));
    assert.equal(err.problems.length, 1, err.message);
    assert.match(formatProblem(err.problems[0] ?? { file: '', line: 0, col: 0, path: '', message: '' }), expected);
  }
});
