import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { closedPort, startHttpServer, startTcpServer, type HttpTestServer } from '../helpers/servers.js';
import type { CheckResult } from '../../src/results/types.js';

let server: HttpTestServer;

before(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url === '/down') res.writeHead(503).end('down');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
});
after(() => server.close());

test('probe: a healthy target exits 0 and prints the phases', async () => {
  const run = await runCli(['probe', `${server.origin}/health`]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^OK   ${server.origin}/health 200 in [\\d.]+ ms`));
  assert.match(run.stdout, /phases {2}resolve .* connect .* processing .* transfer/);
});

test('probe: a status outside --expect-status exits 1 with reason http_status', async () => {
  const run = await runCli(['probe', `${server.origin}/down`, '--expect-status', '200', '--json']);
  assert.equal(run.code, 1);
  const result = JSON.parse(run.stdout) as CheckResult;
  assert.equal(result.ok, false);
  assert.equal(result.reason, 'http_status');
  assert.equal(result.observation.http?.status, 503);
  const accepted = await runCli(['probe', `${server.origin}/down`, '--expect-status', '2xx,503']);
  assert.equal(accepted.code, 0, accepted.stdout);
});

test('probe: a refused port exits 1 with reason refused', async () => {
  const port = await closedPort();
  const run = await runCli(['probe', `http://127.0.0.1:${port}/`, '--json']);
  assert.equal(run.code, 1);
  assert.equal((JSON.parse(run.stdout) as CheckResult).reason, 'refused');
});

test('probe: headers and method reach the target', async () => {
  const before = server.requests.length;
  const run = await runCli(['probe', `${server.origin}/post`, '-X', 'post', '-H', 'x-canary-test: yes', '-d', 'hello']);
  assert.equal(run.code, 0, run.stderr);
  const seen = server.requests[before];
  assert.equal(seen?.method, 'POST');
  assert.equal(seen?.headers['x-canary-test'], 'yes');
  assert.equal(seen?.body, 'hello');
});

test('probe: bad input exits 2 naming the flag', async () => {
  const badTarget = await runCli(['probe', 'http://[nope']);
  assert.equal(badTarget.code, 2);
  assert.match(badTarget.stderr, /TARGET: must be an absolute http:\/\/ or https:\/\/ URL/);
  const badTimeout = await runCli(['probe', `${server.origin}/`, '--timeout', '5']);
  assert.equal(badTimeout.code, 2);
  assert.match(badTimeout.stderr, /--timeout: must be a duration/);
  const badKind = await runCli(['probe', `${server.origin}/`, '--kind', 'gopher']);
  assert.equal(badKind.code, 2);
});

test('probe --kind tcp: exit 0 on a listening port, 1 on a refused one, 2 for an HTTP-only flag', async (t) => {
  const listening = await startTcpServer((socket) => socket.end());
  t.after(() => listening.close());
  const ok = await runCli(['probe', `127.0.0.1:${listening.port}`, '--kind', 'tcp', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { kind: string }).kind, 'tcp');
  const refused = await runCli(['probe', `127.0.0.1:${await closedPort()}`, '--kind', 'tcp']);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /refused/);
  const misplaced = await runCli(['probe', `127.0.0.1:${listening.port}`, '--kind', 'tcp', '--method', 'POST']);
  assert.equal(misplaced.code, 2);
  assert.match(misplaced.stderr, /--method: applies to --kind http only/);
  const badTarget = await runCli(['probe', 'no-port', '--kind', 'tcp']);
  assert.equal(badTarget.code, 2);
  assert.match(badTarget.stderr, /TARGET: must be HOST:PORT/);
});

test('probe: a target without a scheme is probed over http://, and the output says so (secrets still hidden)', async () => {
  const run = await runCli(['probe', `bob:s3cret-pass@127.0.0.1:${server.port}/`]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /no scheme in bob:\S+@127\.0\.0\.1:\d+\/: probing http:\/\/bob:\S+@127\.0\.0\.1/);
  assert.equal(`${run.stdout}${run.stderr}`.includes('s3cret-pass'), false);
  const tcp = await runCli(['probe', `127.0.0.1:${server.port}`, '--kind', 'tcp']);
  assert.equal(tcp.code, 0, tcp.stderr);
  assert.doesNotMatch(tcp.stderr, /no scheme/, 'tcp targets are host:port');
});
