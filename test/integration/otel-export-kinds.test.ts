import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { startHttpServer, startTcpServer, type HttpTestServer, type TestServer } from '../helpers/servers.js';
import { startTestAgent } from '../helpers/agent.js';
import { findDnsmasq, startDnsmasq } from '../helpers/dnsmasq.js';

let receiver: OtlpReceiver;
let tcp: TestServer;
let web: HttpTestServer;

before(async () => {
  receiver = await startOtlpReceiver();
  tcp = await startTcpServer((socket) => {
    socket.on('error', () => undefined);
    socket.end('220 canary ready\r\n');
  });
  web = await startHttpServer((req, res) => {
    if (req.url === '/missing') res.writeHead(404).end('no');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
});
after(async () => {
  await receiver.close();
  await tcp.close();
  await web.close();
});

function config(checks: string[]): string {
  return [
    'agent: { region: eu-test-1 }',
    'server: { listen: 127.0.0.1:0 }',
    'probes: { defaults: { interval: 200ms, timeout: 2s } }',
    'exporters:',
    `  otlp: { endpoint: ${receiver.url}, scheduledDelay: 50ms }`,
    '  log: { level: warn }',
    'checks:',
    ...checks.map((c) => `  - ${c}`),
  ].join('\n');
}

/** The CLIENT span of the first exported run of `check`. */
async function clientSpan(check: string): Promise<ReceivedSpan> {
  const [root] = await receiver.waitForSpans(1, (s) => s.name === `probe ${check}`);
  assert.ok(root);
  const [client] = await receiver.waitForSpans(1, (s) => s.parentSpanId === root.spanId);
  assert.ok(client);
  return client;
}

test('tcp check: server.address, server.port, network.transport and how far the conversation got', async () => {
  const ta = await startTestAgent(
    config([`{ name: smtp-ish, kind: tcp, target: "127.0.0.1:${tcp.port}", tcp: { steps: [{ expect: "^220 " }] } }`]),
  );
  try {
    const client = await clientSpan('smtp-ish');
    assert.equal(client.name, 'tcp');
    assert.equal(client.attributes['server.address'], '127.0.0.1');
    assert.equal(client.attributes['server.port'], tcp.port);
    assert.equal(client.attributes['network.transport'], 'tcp');
    assert.equal(client.attributes['canary.check'], 'smtp-ish');
    assert.equal(client.attributes['canary.tcp.steps_completed'], 1);
    assert.equal(client.attributes['canary.tcp.ssl'], false);
    assert.equal(client.attributes['canary.result'], 'success');
  } finally {
    await ta.stop();
  }
});

test('dns check against dnsmasq: the question, the nameserver, rcode and answers', async (t) => {
  const binary = findDnsmasq();
  if (!binary) return t.skip('dnsmasq not found (apt-get install dnsmasq-base)');
  const dnsmasq = await startDnsmasq(binary);
  const ta = await startTestAgent(
    config([
      `{ name: www-a, kind: dns, target: www.canary.test, dns: { server: "${dnsmasq.server}" } }`,
      `{ name: nope-a, kind: dns, target: nope.canary.test, dns: { server: "${dnsmasq.server}", transport: tcp } }`,
    ]),
  );
  try {
    const ok = await clientSpan('www-a');
    assert.equal(ok.name, 'dns');
    assert.equal(ok.attributes['dns.question.name'], 'www.canary.test');
    assert.equal(ok.attributes['server.address'], '127.0.0.1');
    assert.equal(ok.attributes['server.port'], dnsmasq.port);
    assert.equal(ok.attributes['network.transport'], 'udp');
    assert.equal(ok.attributes['canary.dns.type'], 'A');
    assert.equal(ok.attributes['canary.dns.rcode'], 'NOERROR');
    assert.equal(ok.attributes['canary.dns.answer_count'], 1);
    assert.deepEqual(ok.attributes['canary.dns.answers'], ['www.canary.test.\t0\tIN\tA\t192.0.2.10']);

    const missing = await clientSpan('nope-a');
    assert.equal(missing.attributes['network.transport'], 'tcp');
    assert.equal(missing.attributes['canary.dns.rcode'], 'NXDOMAIN');
    assert.equal(missing.attributes['canary.dns.answer_count'], 0);
    assert.equal(missing.status.code, 2, 'NXDOMAIN fails the default rcode expectation');
  } finally {
    await ta.stop();
    await dnsmasq.stop();
  }
});

test('flow check: one event per step with its status, duration and verdict; the failed step named', async () => {
  const steps =
    '[{ name: home, http: { url: "/" } }, { name: gone, http: { url: "/missing" } }, { name: never, http: { url: "/" } }]';
  const ta = await startTestAgent(
    config([`{ name: journey, kind: flow, target: "${web.origin}", flow: { steps: ${steps} } }`]),
  );
  try {
    const client = await clientSpan('journey');
    assert.equal(client.attributes['server.address'], '127.0.0.1');
    assert.equal(client.attributes['server.port'], web.port);
    assert.equal(client.attributes['canary.flow.steps'], 3);
    assert.equal(client.attributes['canary.flow.steps_run'], 2);
    assert.equal(client.attributes['canary.flow.failed_step'], 'gone');
    const stepEvents = client.events.filter((e) => e.attributes['canary.flow.step'] !== undefined);
    assert.deepEqual(
      stepEvents.map((e) => [e.name, e.attributes['http.response.status_code'], e.attributes['canary.flow.step.ok']]),
      [
        ['home', 200, true],
        ['gone', 404, false],
      ],
    );
    for (const event of stepEvents) assert.equal(typeof event.attributes['canary.flow.step.duration_s'], 'number');
    assert.equal(stepEvents[1]?.attributes['canary.reason'], 'http_status');
  } finally {
    await ta.stop();
  }
});
