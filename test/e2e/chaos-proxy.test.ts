/**
 * The `proxy` action against a real fault proxy: the shipped latency-injection.yaml adds a
 * latency toxic (with a ttl) to the proxy in front of a service, traffic through it is
 * slower while the toxic is on, and the rollback removes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Journal } from '../../src/chaos/model/journal.js';
import { createProxyApi } from '../../src/proxy/api.js';
import { ProxyRegistry } from '../../src/proxy/registry.js';
import { CliProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { repoRoot } from '../helpers/paths.js';
import { startHttpServer } from '../helpers/servers.js';

async function timed(url: string): Promise<number> {
  const started = performance.now();
  await (await fetch(url)).arrayBuffer();
  return performance.now() - started;
}

test(
  'proxy action: the toxic slows real traffic while the run lasts, carries a ttl, and the rollback removes it',
  { timeout: 120_000 },
  async (t) => {
    const service = await startHttpServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
    );
    const registry = new ProxyRegistry({});
    const proxy = await registry.create({
      name: 'lab-frontend',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${service.port}`,
    });
    const api = createProxyApi(registry);
    await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const front = `http://${proxy.toJSON().listen}/`;
    const dir = mkdtempSync(join(tmpdir(), 'canary-proxy-'));
    t.after(async () => {
      await new Promise<void>((done) => api.close(() => done()));
      await registry.close();
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    });
    writeFileSync(
      join(dir, 'agent.yaml'),
      [
        'agent: { region: proxy-test }',
        'chaos: { enabled: true, stateDir: state }',
        'checks:',
        `  - { name: lab-frontend, kind: http, target: "${front}", interval: 500ms, timeout: 500ms }`,
      ].join('\n'),
    );
    const runner = new CliProcess(
      [
        'chaos',
        'run',
        join(repoRoot, 'chaos', 'latency-injection.yaml'),
        '--config',
        join(dir, 'agent.yaml'),
        '--json',
      ],
      { CANARY_FAULT_PROXY: apiUrl },
    );
    t.after(() => runner.kill());

    const toxics = async () =>
      (await (await fetch(`${apiUrl}/proxies/lab-frontend/toxics`)).json()) as {
        name: string;
        type: string;
        ttl?: number;
      }[];
    const [toxic] = await eventually(
      async () => ((await toxics()).length > 0 ? toxics() : undefined),
      60_000,
      'the latency toxic on the proxy',
    );
    assert.equal(toxic?.type, 'latency');
    assert.ok((toxic?.ttl ?? 0) > 0, 'the toxic expires on its own');
    assert.ok((await timed(front)) >= 80, 'a request through the proxy takes the added latency (100 ms ± 20 ms)');

    const { code } = await runner.exited;
    const journal = JSON.parse(runner.lines.join('\n')) as Journal;
    assert.equal(code, 0, runner.stderr.slice(-2000));
    assert.equal(journal.status, 'completed');
    assert.deepEqual(
      journal.faults.map((f) => f.status),
      ['reverted'],
    );
    assert.deepEqual(await toxics(), [], 'the rollback removed the toxic');
    assert.ok((await timed(front)) < 80, 'traffic is fast again');
  },
);
