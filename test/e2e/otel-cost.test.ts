/**
 * "No exporters.otlp and no variables: no tracing cost at all", shown on the real CLI: a
 * resolve hook preloaded into `canary run` records every module the agent loads.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { fixture } from '../helpers/paths.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

let target: HttpTestServer;
let receiver: OtlpReceiver;
let dir: string;

before(async () => {
  target = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
  receiver = await startOtlpReceiver();
  dir = mkdtempSync(join(tmpdir(), 'canary-otel-cost-'));
});
after(async () => {
  await receiver.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the agent until its check has been probed twice; returns the module URLs it resolved. */
async function modulesLoaded(name: string, exporters: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const config = join(dir, `${name}.yaml`);
  const loads = join(dir, `${name}.loads`);
  writeFileSync(
    config,
    [
      'server: { listen: 127.0.0.1:0 }',
      'exporters:',
      exporters,
      'checks:',
      `  - { name: ${name}, kind: http, target: "${target.origin}/${name}", interval: 200ms, timeout: 200ms }`,
    ].join('\n'),
  );
  writeFileSync(loads, '');
  const cli = new CliProcess(['run', '--config', config], {
    NODE_OPTIONS: `--import=${fixture('hooks', 'record-loads.mjs')}`,
    CANARY_TEST_LOADS_FILE: loads,
    ...env,
  });
  try {
    await cli.url();
    await eventually(
      () => Promise.resolve(target.requests.filter((r) => r.url === `/${name}`).length >= 2 ? true : undefined),
      10_000,
      'two probes',
    );
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
  } finally {
    await cli.kill();
  }
  return readFileSync(loads, 'utf8').split('\n').filter(Boolean);
}

const OTEL = /\/node_modules\/@opentelemetry\//;

test('without exporters.otlp and without OTEL variables the agent never loads OpenTelemetry', async () => {
  const loaded = await modulesLoaded('untraced', '  log: { level: info }', {
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
  });
  assert.ok(
    loaded.some((url) => url.endsWith('/dist/src/agent.js')),
    'the hook saw the agent load (it works)',
  );
  assert.deepEqual(
    loaded.filter((url) => OTEL.test(url)),
    [],
  );
});

test('with exporters.otlp the SDK is loaded, and only then', async () => {
  const loaded = await modulesLoaded('traced', `  otlp: { endpoint: ${receiver.url} }\n  log: { level: info }`);
  assert.ok(loaded.some((url) => /@opentelemetry\/sdk-trace\//.test(url)));
  assert.ok(loaded.some((url) => /@opentelemetry\/exporter-trace-otlp-proto\//.test(url)));
  assert.ok(
    receiver.spans.some((s) => s.name === 'probe traced'),
    'the run at stop exported its spans',
  );
});

test('OTEL_EXPORTER_OTLP_ENDPOINT alone turns tracing on', async () => {
  const loaded = await modulesLoaded('by-env', '  log: { level: info }', {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  });
  assert.ok(loaded.some((url) => /@opentelemetry\/exporter-trace-otlp-http\//.test(url)));
  await receiver.waitForSpans(1, (s) => s.name === 'probe by-env');
  assert.ok(receiver.requests.some((r) => r.format === 'json'));
});
