/**
 * `http.auth` against real servers on 127.0.0.1: a target that checks Basic and bearer
 * credentials, and an OAuth2 token endpoint that counts its token requests (caching,
 * refresh) and can refuse the client (the `auth` failure reason).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createFlowProbe } from '../../src/probes/flow.js';
import { createHttpProbe } from '../../src/probes/http.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { redactText } from '../../src/secrets/redact.js';
import { makeCheck } from '../helpers/kind-checks.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const signal = (): AbortSignal => AbortSignal.timeout(5000);
const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;

const CLIENT_SECRET = 'client-secret-Zq81';

/**
 * The token endpoint: `/token` issues hour-long tokens (`tok-N`), `/short` 5-second ones
 * (`short-N`), `/deny` refuses. N counts the endpoint's requests from 1.
 */
function tokenEndpoint(req: IncomingMessage, res: ServerResponse, issued: number): void {
  const path = req.url ?? '';
  res.setHeader('content-type', 'application/json');
  if (path === '/deny' || req.headers.authorization !== basic(`canary-client:${CLIENT_SECRET}`)) {
    res.writeHead(401).end(JSON.stringify({ error: 'invalid_client', error_description: `bad ${CLIENT_SECRET}` }));
    return;
  }
  if (path === '/garbage') {
    res.writeHead(200).end(`not json ${CLIENT_SECRET}`);
    return;
  }
  const [prefix, lifetime] = path === '/short' ? ['short', 5] : ['tok', 3600];
  res
    .writeHead(200)
    .end(JSON.stringify({ access_token: `${prefix}-${issued}`, token_type: 'Bearer', expires_in: lifetime }));
}

describe('http probe with http.auth', () => {
  const probe = createHttpProbe();
  let target: HttpTestServer;
  let idp: HttpTestServer;

  before(async () => {
    target = await startHttpServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      const known =
        auth === basic('alice:pa:ss word') || auth === 'Bearer static-token-1' || /^Bearer (tok|short)-/.test(auth);
      res.writeHead(known ? 200 : 401).end();
    });
    idp = await startHttpServer((req, res) => tokenEndpoint(req, res, idp.requests.length));
  });
  after(async () => {
    await probe.close?.();
    await target.close();
    await idp.close();
  });

  const lastAuth = (): string | undefined => target.requests.at(-1)?.headers.authorization;

  test('basic: the username and password are sent as Basic credentials', async () => {
    const check = makeHttpCheck({
      target: `${target.origin}/`,
      http: { auth: { basic: { username: 'alice', password: 'pa:ss word' } } },
    });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.http?.status, 200, o.message);
    assert.equal(lastAuth(), basic('alice:pa:ss word'));
  });

  test('bearer: the token is sent, in place of a configured Authorization header', async () => {
    const check = makeHttpCheck({
      target: `${target.origin}/`,
      http: { headers: { Authorization: 'Bearer stale' }, auth: { bearer: { token: 'static-token-1' } } },
    });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.http?.status, 200, o.message);
    assert.equal(lastAuth(), 'Bearer static-token-1');
  });

  test('oauth2: one token request serves later runs while the token is fresh', async () => {
    const before = idp.requests.length;
    const oauth2 = {
      tokenUrl: `${idp.origin}/token`,
      clientId: 'canary-client',
      clientSecret: CLIENT_SECRET,
      scopes: ['read:health', 'probe'],
      endpointParams: { audience: 'https://api.test' },
    };
    const check = makeHttpCheck({ target: `${target.origin}/`, http: { auth: { oauth2 } } });
    for (let run = 0; run < 3; run++) {
      const o = await probe.run(check, { signal: signal() });
      assert.equal(o.http?.status, 200, o.message);
    }
    assert.equal(idp.requests.length - before, 1, 'the token was fetched once');
    const asked = idp.requests.at(-1);
    assert.equal(asked?.method, 'POST');
    const form = new URLSearchParams(asked?.body);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), 'read:health probe');
    assert.equal(form.get('audience'), 'https://api.test');
    assert.equal(lastAuth(), `Bearer tok-${before + 1}`);
    // Another check with the same client and scopes shares the token.
    const other = makeHttpCheck({ name: 'other', target: `${target.origin}/other`, http: { auth: { oauth2 } } });
    assert.equal((await probe.run(other, { signal: signal() })).http?.status, 200);
    assert.equal(idp.requests.length - before, 1);
  });

  test('oauth2: a token about to expire is fetched again', async () => {
    const before = idp.requests.length;
    const oauth2 = { tokenUrl: `${idp.origin}/short`, clientId: 'canary-client', clientSecret: CLIENT_SECRET };
    const check = makeHttpCheck({ target: `${target.origin}/`, http: { auth: { oauth2 } } });
    const sent: (string | undefined)[] = [];
    for (let run = 0; run < 3; run++) {
      const o = await probe.run(check, { signal: signal() });
      assert.equal(o.http?.status, 200, o.message);
      sent.push(lastAuth());
    }
    // A 5s token is inside the refresh margin at once: every run needs a new one.
    assert.equal(idp.requests.length - before, 3);
    assert.deepEqual(
      sent,
      [1, 2, 3].map((i) => `Bearer short-${before + i}`),
    );
    // The live token is a known secret; the ones it replaced are forgotten, so the registry
    // holds one token per client however long the agent runs.
    assert.equal(redactText(`short-${before + 3}`), '<redacted>');
    assert.equal(redactText(`[short-${before + 1}]`), `[short-${before + 1}]`);
  });

  test('oauth2: a refused token request fails with reason auth, naming the error and never the secret', async () => {
    const seen = target.requests.length;
    for (const [path, words] of [
      ['/deny', /answered 401 \(invalid_client\)/],
      ['/garbage', /answered 200 with a body that is not JSON/],
    ] as const) {
      const oauth2 = { tokenUrl: `${idp.origin}${path}`, clientId: 'canary-client', clientSecret: CLIENT_SECRET };
      const o = await probe.run(makeHttpCheck({ target: `${target.origin}/`, http: { auth: { oauth2 } } }), {
        signal: signal(),
      });
      assert.equal(o.ok, false);
      assert.equal(o.reason, 'auth', o.message);
      assert.match(o.message ?? '', words);
      assert.match(o.message ?? '', new RegExp(`OAuth2 token request to ${idp.origin}${path}`));
      assert.ok(!JSON.stringify(o).includes(CLIENT_SECRET), JSON.stringify(o));
    }
    assert.equal(target.requests.length, seen, 'the target is not asked without a token');
  });

  test('a flow step takes http.auth as an http check does', async () => {
    const flows = createFlowProbe();
    try {
      const oauth2 = { tokenUrl: `${idp.origin}/token`, clientId: 'canary-client', clientSecret: CLIENT_SECRET };
      const steps = [
        { name: 'basic', http: { url: '/a', auth: { basic: { username: 'alice', password: 'pa:ss word' } } } },
        { name: 'oauth', http: { url: '/b', auth: { oauth2 } } },
      ];
      const check = makeCheck('flow', { target: target.origin, flow: { steps } });
      const o = await flows.run(check, { signal: signal() });
      assert.equal(o.ok, true, o.message);
      const seen = target.requests.slice(-2).map((r) => `${r.url} ${r.headers.authorization}`);
      assert.deepEqual(seen, [`/a ${basic('alice:pa:ss word')}`, `/b Bearer tok-${idp.requests.length}`]);
    } finally {
      await flows.close?.();
    }
  });

  test('oauth2: an unreachable token endpoint is an auth failure too', async () => {
    const oauth2 = { tokenUrl: `http://127.0.0.1:${await closedPort()}/token`, clientId: 'canary-client' };
    const o = await probe.run(makeHttpCheck({ target: `${target.origin}/`, http: { auth: { oauth2 } } }), {
      signal: signal(),
    });
    assert.equal(o.reason, 'auth', o.message);
    assert.match(o.message ?? '', /ECONNREFUSED/);
  });
});
