/**
 * Metric levels on a running agent: one check of every kind at `basic` (the agent's
 * level) and one at `full` (the check's own `metrics:`), each against a real server on
 * 127.0.0.1. The series each check exports are counted on a real scrape; the counts must
 * be the table in the capacity section of docs/metrics.md, and both levels must pass promtool.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { BLACKBOX, CANARY, exportedAt } from '../../src/exporters/prometheus/vocabulary.js';
import { parseLine } from '../bench/prom-text.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { eventually } from '../helpers/wait.js';
import { findDnsmasq, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { startGrpcHealth } from '../helpers/grpc-health.js';
import { icmpUnavailable } from '../helpers/icmp.js';
import { repoRoot } from '../helpers/paths.js';
import { findTool, promtoolCheckMetrics } from '../helpers/promtool.js';
import { startWebsocketServer, type WebsocketTestServer } from '../helpers/websocket.js';
import {
  startHttpServer,
  startHttpsServer,
  startTcpServer,
  type HttpTestServer,
  type TestServer,
} from '../helpers/servers.js';

/** The page whose table the counts must match, and the markers around the table. */
const DOCS = 'docs/metrics.md';
const BEGIN = '<!-- series-per-check:begin -->';
const END = '<!-- series-per-check:end -->';

/** A row of the table: the kind as docs/metrics.md names it, and the check definition (YAML flow map, without name and metrics). */
interface Row {
  label: string;
  check: string;
}

let certs: TestCerts | undefined;
let web: HttpTestServer;
let secure: HttpTestServer | undefined;
let tcp: TestServer;
let tls: TlsServer | undefined;
let tlsPort = 0;
let grpc: { server: GrpcServer; port: number };
let dnsmasq: Dnsmasq | undefined;
let agent: TestAgent;
let socketDir: string;
let unix: NetServer;
let ws: WebsocketTestServer;
let wss: WebsocketTestServer | undefined;
const icmpMissing = icmpUnavailable();

function rows(): Row[] {
  const out: Row[] = [{ label: 'http', check: `kind: http, target: "${web.origin}/"` }];
  if (secure && certs)
    out.push({
      label: 'http over TLS',
      check: `kind: http, target: "https://localhost:${secure.port}/", tls: { ca: "${certs.ca.certPath}" }`,
    });
  out.push({ label: 'tcp', check: `kind: tcp, target: "127.0.0.1:${tcp.port}"` });
  if (tls && certs)
    out.push({ label: 'tls', check: `kind: tls, target: "localhost:${tlsPort}", tls: { ca: "${certs.ca.certPath}" }` });
  if (dnsmasq)
    out.push({ label: 'dns', check: `kind: dns, target: www.canary.test, dns: { server: "${dnsmasq.server}" }` });
  out.push({ label: 'grpc', check: `kind: grpc, target: "127.0.0.1:${grpc.port}"` });
  const steps = '[{ name: home, http: { url: "/" } }, { name: again, http: { url: "/" } }]';
  out.push({ label: 'websocket', check: `kind: websocket, target: "${ws.origin}/"` });
  if (wss && certs)
    out.push({
      label: 'websocket over TLS',
      check: `kind: websocket, target: "wss://localhost:${wss.port}/", tls: { ca: "${certs.ca.certPath}" }`,
    });
  out.push({ label: 'flow (2 steps)', check: `kind: flow, target: "${web.origin}", flow: { steps: ${steps} }` });
  out.push({ label: 'unix', check: `kind: unix, target: "${join(socketDir, 'app.sock')}"` });
  if (icmpMissing === undefined) out.push({ label: 'icmp', check: 'kind: icmp, target: 127.0.0.1' });
  return out;
}

const slug = (label: string): string => label.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '');

before(async () => {
  web = await startHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  tcp = await startTcpServer((socket) => socket.end());
  grpc = await startGrpcHealth({ '': 1 });
  socketDir = mkdtempSync(join(tmpdir(), 'canary-levels-'));
  unix = createNetServer((socket) => socket.end());
  await new Promise<void>((resolve) => unix.listen(join(socketDir, 'app.sock'), resolve));
  ws = await startWebsocketServer((_req, upgrade) => void upgrade.accept());
  if (await haveOpenssl()) {
    certs = await makeTestCerts();
    secure = await startHttpsServer({ cert: certs.localhost.cert, key: certs.localhost.key }, (_req, res) =>
      res.writeHead(200).end('ok'),
    );
    tls = createTlsServer({ cert: certs.localhost.cert, key: certs.localhost.key }, (socket) => socket.end());
    await new Promise<void>((resolve) => tls?.listen(0, '127.0.0.1', resolve));
    tlsPort = (tls.address() as { port: number }).port;
    wss = await startWebsocketServer((_req, upgrade) => void upgrade.accept(), certs.localhost);
  }
  const binary = findDnsmasq();
  if (binary) dnsmasq = await startDnsmasq(binary);
  const checks = rows().flatMap((row) => [
    `  - { name: ${slug(row.label)}-basic, ${row.check} }`,
    `  - { name: ${slug(row.label)}-full, metrics: full, ${row.check} }`,
  ]);
  agent = await startTestAgent(
    [
      'agent: { region: test }',
      'server: { listen: 127.0.0.1:0 }',
      'probes: { defaults: { interval: 500ms, timeout: 2s } }',
      'exporters: { prometheus: { metrics: basic } }',
      'checks:',
      ...checks,
    ].join('\n'),
  );
});

after(async () => {
  await agent?.stop();
  await web?.close();
  await secure?.close();
  await tcp?.close();
  tls?.close();
  grpc?.server.forceShutdown();
  await ws?.close();
  await wss?.close();
  await dnsmasq?.stop();
  await certs?.cleanup();
  await new Promise<void>((resolve) => (unix ? unix.close(() => resolve()) : resolve()));
  if (socketDir) rmSync(socketDir, { recursive: true, force: true });
});

/**
 * Series of `check` in a scrape, by family (a histogram's `_bucket`, `_sum` and `_count`
 * under its name): those of a healthy check, so failure series (one per reason seen) and
 * the skipped-runs counter (from the first skip) are left out; docs/metrics.md adds them.
 */
function seriesOf(text: string, check: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const sample = parseLine(line);
    if (sample?.labels.check !== check || sample.labels.result === 'failure' || sample.name === CANARY.skipped.name)
      continue;
    const family = sample.name.replace(/_(bucket|sum|count)$/, '');
    out.set(family, (out.get(family) ?? 0) + 1);
  }
  return out;
}

const total = (series: Map<string, number>): number => [...series.values()].reduce((a, b) => a + b, 0);

/** The scrape once every check has succeeded twice (its series all exist). */
async function settledScrape(): Promise<string> {
  const names = rows().flatMap((row) => [`${slug(row.label)}-basic`, `${slug(row.label)}-full`]);
  return eventually(
    async () => {
      const { body } = await agent.get('/metrics');
      const runs = (name: string) =>
        Number(
          new RegExp(
            `^canary_probe_runs_total\\{result="success",reason="",check="${name}",[^}]*\\} (\\d+)$`,
            'm',
          ).exec(body)?.[1] ?? 0,
        );
      return names.every((n) => runs(n) >= 2) ? body : undefined;
    },
    30_000,
    'two successful runs of every check',
  );
}

test('basic and full: the series per check of every kind are the table of docs/metrics.md, and both pass promtool', async (t) => {
  if (!certs) t.diagnostic('openssl not found: the TLS rows are left out (apt-get install openssl)');
  if (!dnsmasq) t.diagnostic('dnsmasq not found: the dns row is left out (apt-get install dnsmasq-base)');
  if (icmpMissing !== undefined) t.diagnostic(`the icmp row is left out: ${icmpMissing}`);
  const text = await settledScrape();
  const table = [`| kind | \`basic\` | \`full\` |`, '| --- | --- | --- |'];
  for (const row of rows()) {
    const basic = seriesOf(text, `${slug(row.label)}-basic`);
    const full = seriesOf(text, `${slug(row.label)}-full`);
    for (const family of basic.keys()) {
      const known = Object.values({ ...BLACKBOX, ...CANARY }).find((f) => f.name === family);
      assert.ok(known && exportedAt('basic', known), `${row.label}: ${family} is not a basic family`);
      assert.ok(full.has(family), `${row.label}: ${family} is basic but missing at full`);
    }
    assert.ok(total(full) > total(basic), `${row.label}: full exports no more than basic`);
    table.push(`| ${row.label} | ${total(basic)} | ${total(full)} |`);
    t.diagnostic(
      `${row.label}: basic ${JSON.stringify(Object.fromEntries(basic))} full ${JSON.stringify(Object.fromEntries(full))}`,
    );
  }
  const docs = readFileSync(join(repoRoot, DOCS), 'utf8');
  assert.ok(docs.includes(BEGIN) && docs.includes(END), `${DOCS} has no ${BEGIN} ... ${END} block`);
  const block = docs.slice(docs.indexOf(BEGIN) + BEGIN.length, docs.indexOf(END)).trim();
  if (certs && dnsmasq && icmpMissing === undefined)
    assert.equal(
      block,
      table.join('\n'),
      `${DOCS}'s table between ${BEGIN} and ${END} should read:\n${table.join('\n')}`,
    );
  else t.diagnostic(`measured table (not compared: rows missing):\n${table.join('\n')}`);

  const promtool = findTool('promtool');
  if (!promtool) return t.skip('promtool not found (apt-get install prometheus)');
  // promtool reads the Prometheus text format; OpenMetrics is read by a real Prometheus elsewhere.
  const run = await promtoolCheckMetrics(promtool, text);
  assert.equal(run.stdout + run.stderr, '', 'promtool printed problems');
  assert.equal(run.code, 0);
});
