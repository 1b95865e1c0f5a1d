/**
 * What a redirect carries to another host: none of the check's own headers (API keys,
 * tenant ids, credentials) unless the check keeps them, and never its credentials.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHttpProbe } from '../../src/probes/http.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const probe = createHttpProbe();
const HEADERS = { Authorization: 'Bearer secret-token', 'X-Api-Key': 'key-123', 'X-Tenant': 'blue' };
let origin: HttpTestServer;
let elsewhere: HttpTestServer;

before(async () => {
  elsewhere = await startHttpServer((_req, res) => res.writeHead(200).end('landed'));
  origin = await startHttpServer((req, res) => {
    if (req.url === '/away') res.writeHead(302, { location: `${elsewhere.origin}/landing` }).end();
    else if (req.url === '/here') res.writeHead(302, { location: '/landing' }).end();
    else res.writeHead(200).end('landed');
  });
});
after(async () => {
  await origin.close();
  await elsewhere.close();
  await probe.close?.();
});

async function run(path: string, crossHostHeaders?: 'drop' | 'keep'): Promise<void> {
  const http = crossHostHeaders ? { headers: HEADERS, crossHostHeaders } : { headers: HEADERS };
  const check = makeHttpCheck({ target: `${origin.origin}${path}`, http });
  const observation = await probe.run(check, { signal: AbortSignal.timeout(5_000) });
  assert.equal(observation.ok, true, observation.message);
  assert.equal(observation.http?.redirects, 1);
}

const last = (server: HttpTestServer) => server.requests[server.requests.length - 1]?.headers ?? {};

test('a redirect to another host carries none of the check headers, but says who asks', async () => {
  await run('/away');
  assert.equal(last(origin)['x-api-key'], 'key-123', 'the check host gets them');
  const landed = last(elsewhere);
  assert.equal(landed.authorization, undefined);
  assert.equal(landed['x-api-key'], undefined);
  assert.equal(landed['x-tenant'], undefined);
  assert.match(landed['user-agent'] ?? '', /^canary\//);
});

test('crossHostHeaders: keep carries them on, credentials still stay home', async () => {
  await run('/away', 'keep');
  const landed = last(elsewhere);
  assert.equal(landed['x-api-key'], 'key-123');
  assert.equal(landed['x-tenant'], 'blue');
  assert.equal(landed.authorization, undefined);
});

test('a redirect on the same host keeps every header', async () => {
  await run('/here');
  const landed = last(origin);
  assert.equal(landed.authorization, 'Bearer secret-token');
  assert.equal(landed['x-api-key'], 'key-123');
});
