/**
 * `GET /probe` with unix socket modules and a STARTTLS tcp module, on agents listening on
 * 127.0.0.1: a socket path is probed only when `server.probe.allow` lists it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { SMTP_STEPS, startStartTlsServer } from '../helpers/starttls.js';

const families = (exposition: string): string[] => [...exposition.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? '');

function modules(certs: TestCerts | undefined): string[] {
  const steps = JSON.stringify(SMTP_STEPS);
  return [
    'modules:',
    '  unix_banner: { prober: unix, timeout: 5s, unix: { steps: [ { expect: "^220 " } ] } }',
    ...(certs
      ? [
          `  unix_smtp: { prober: unix, timeout: 5s, unix: { steps: ${steps} }, tls: { ca: ${JSON.stringify(certs.ca.certPath)}, serverName: localhost } }`,
          `  smtp_starttls: { prober: tcp, timeout: 5s, tcp: { steps: ${steps} }, tls: { ca: ${JSON.stringify(certs.ca.certPath)} } }`,
        ]
      : []),
  ];
}

describe('GET /probe with unix sockets', async () => {
  const openssl = await haveOpenssl();
  let certs: TestCerts | undefined;
  let dir: string;
  let banner: Server;
  let smtp: { port: number; close: () => Promise<void> } | undefined;
  let listed: TestAgent;
  let open: TestAgent;

  before(async () => {
    certs = openssl ? await makeTestCerts() : undefined;
    dir = await mkdtemp(join(tmpdir(), 'canary-probe-unix-'));
    banner = createServer((socket) => void socket.on('error', () => {}).end('220 unix ready\r\n'));
    await new Promise<void>((resolve) => banner.listen(join(dir, 'banner.sock'), resolve));
    if (certs) {
      const cert = { cert: certs.localhost.cert, key: certs.localhost.key };
      const overUnix = await startStartTlsServer({ dialect: 'smtp', ...cert }, join(dir, 'smtp.sock'));
      const overTcp = await startStartTlsServer({ dialect: 'smtp', ...cert });
      smtp = { port: overTcp.port, close: async () => void (await Promise.all([overUnix.close(), overTcp.close()])) };
    }
    const common = ['server: { listen: "127.0.0.1:0"', 'exporters: { log: { level: silent } }', ...modules(certs)];
    listed = await startTestAgent(
      [`${common[0]}, probe: { allow: [ "${dir}/*.sock", "127.0.0.1" ] } }`, ...common.slice(1)].join('\n'),
    );
    open = await startTestAgent([`${common[0]} }`, ...common.slice(1)].join('\n'));
  });
  after(async () => {
    await listed?.stop();
    await open?.stop();
    await smtp?.close();
    await new Promise<void>((resolve) => (banner ? banner.close(() => resolve()) : resolve()));
    await certs?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  test('a listed socket path is probed: success and the conversation gauge, no address families', async () => {
    const res = await listed.get(`/probe?module=unix_banner&target=${encodeURIComponent(join(dir, 'banner.sock'))}`);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(families(res.body), [
      'probe_duration_seconds',
      'probe_failed_due_to_bytes',
      'probe_failed_due_to_regex',
      'probe_success',
    ]);
    assert.equal(sampleValue(res.body, 'probe_success'), 1);
  });

  test('a missing socket in a listed directory is a failed probe, not an error', async () => {
    const res = await listed.get(`/probe?module=unix_banner&target=${encodeURIComponent(join(dir, 'gone.sock'))}`);
    assert.equal(res.status, 200);
    assert.equal(sampleValue(res.body, 'probe_success'), 0);
    assert.equal(sampleValue(res.body, 'probe_failed_due_to_regex'), 0);
  });

  test('paths the list does not name are refused with 403 and the reason, dotted paths included', async () => {
    for (const target of ['/var/run/docker.sock', `${dir}/../${dir.split('/').pop()}/banner.sock`, 'banner.sock']) {
      const res = await listed.get(`/probe?module=unix_banner&target=${encodeURIComponent(target)}`);
      assert.equal(res.status, 403, target);
      assert.match(res.body, /^Probe target refused: /, target);
    }
  });

  test('without an allow list every network target is open, but no socket path is', async () => {
    const res = await open.get(`/probe?module=unix_banner&target=${encodeURIComponent(join(dir, 'banner.sock'))}`);
    assert.equal(res.status, 403);
    assert.match(res.body, /unix socket paths are probed only when an entry lists them/);
  });

  test('STARTTLS modules export the TLS families, over tcp and over a unix socket', async (t) => {
    if (!certs || !smtp) return t.skip('openssl not found');
    for (const [module, target] of [
      ['smtp_starttls', `127.0.0.1:${smtp.port}`],
      ['unix_smtp', join(dir, 'smtp.sock')],
    ] as const) {
      const res = await listed.get(`/probe?module=${module}&target=${encodeURIComponent(target)}`);
      assert.equal(res.status, 200, res.body);
      assert.equal(sampleValue(res.body, 'probe_success'), 1, module);
      assert.equal(sampleValue(res.body, 'probe_ssl_earliest_cert_expiry'), certs.localhost.notAfter, module);
      assert.ok(families(res.body).includes('probe_tls_version_info'), module);
    }
  });
});
