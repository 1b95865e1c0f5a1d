/**
 * blackbox_exporter's own configuration files, unchanged: the `blackbox.yml` and
 * `example.yml` that Debian's prometheus-blackbox-exporter ships as examples. The agent loads
 * each, and every module in it answers `/probe` against a loopback target of its kind: a
 * probe result (success or not: the targets here are not the services the modules were
 * written for), or, for exactly the modules whose fields canary cannot honour, a 400 that
 * names the field.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Server } from '@grpc/grpc-js';
import { parse } from 'yaml';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { findDnsmasq, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { startGrpcHealth } from '../helpers/grpc-health.js';
import { startHttpServer, startTcpServer, type HttpTestServer, type TestServer } from '../helpers/servers.js';

const EXAMPLES = '/usr/share/doc/prometheus-blackbox-exporter/examples';
const skip = existsSync(`${EXAMPLES}/example.yml`)
  ? false
  : `no ${EXAMPLES}/example.yml: install the Debian package prometheus-blackbox-exporter`;

/** The modules canary cannot probe in each file, and the field each answer names. */
const REFUSED: Record<string, Record<string, RegExp>> = {
  'blackbox.yml': {},
  'example.yml': {
    // blackbox reads the CA when it probes; /certs/my_cert.crt is not on this machine.
    http_custom_ca_example: /tls_config\.ca_file: cannot read \/certs\/my_cert\.crt/,
  },
};

describe('blackbox_exporter example files, unchanged', { skip }, () => {
  let web: HttpTestServer;
  let tcp: TestServer;
  let dnsmasq: Dnsmasq | undefined;
  let grpc: Server;
  let grpcPort = 0;

  before(async () => {
    web = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
    // Says nothing and hangs up: every conversation ends at once, not at its timeout.
    tcp = await startTcpServer((socket: Socket) => socket.on('error', () => {}).end());
    const binary = findDnsmasq();
    if (binary) dnsmasq = await startDnsmasq(binary);
    ({ server: grpc, port: grpcPort } = await startGrpcHealth({ '': 1 }));
  });
  after(async () => {
    await web?.close();
    await tcp?.close();
    await dnsmasq?.stop();
    grpc?.forceShutdown();
  });

  /** A loopback target for a module of this prober. */
  function targetFor(prober: string): string {
    if (prober === 'http') return `http://127.0.0.1:${web.port}/`;
    if (prober === 'tcp') return `127.0.0.1:${tcp.port}`;
    if (prober === 'grpc') return `127.0.0.1:${grpcPort}`;
    if (prober === 'icmp') return '127.0.0.1';
    if (prober === 'dns') return dnsmasq?.server ?? `127.0.0.1:${tcp.port}`;
    throw new Error(`no loopback target for prober ${prober}`);
  }

  for (const name of ['blackbox.yml', 'example.yml']) {
    test(`${name}: loads, and every module probes or names what canary cannot honour`, async () => {
      const file = `${EXAMPLES}/${name}`;
      const modules = (parse(readFileSync(file, 'utf8')) as { modules: Record<string, { prober: string }> }).modules;
      let agent: TestAgent | undefined;
      try {
        agent = await startTestAgent(
          ['server: { listen: "127.0.0.1:0" }', 'exporters: { log: { level: warn } }', `blackboxConfig: ${file}`].join(
            '\n',
          ),
        );
        const refused: string[] = [];
        for (const [module, { prober }] of Object.entries(modules)) {
          const target = encodeURIComponent(targetFor(prober));
          const res = await agent.get(`/probe?module=${module}&target=${target}`, {
            'x-prometheus-scrape-timeout-seconds': '3',
          });
          if (res.status === 400) {
            refused.push(module);
            assert.match(res.body, REFUSED[name]?.[module] ?? /^$/, `${module}: ${res.body}`);
            continue;
          }
          assert.equal(res.status, 200, `${module}: ${res.body}`);
          assert.match(res.body, /^probe_success [01]$/m, `${module} answered a probe result`);
        }
        assert.deepEqual(refused.sort(), Object.keys(REFUSED[name] ?? {}).sort());
        // A module passes where its target is what it expects (example.yml's http one wants a page text).
        const [module, prober] = name === 'blackbox.yml' ? ['http_2xx', 'http'] : ['tcp_connect_example', 'tcp'];
        const passing = await agent.get(`/probe?module=${module}&target=${encodeURIComponent(targetFor(prober))}`);
        assert.match(passing.body, /^probe_success 1$/m);
      } finally {
        await agent?.stop();
      }
    });
  }
});
