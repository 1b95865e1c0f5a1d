import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dial, roundTrip, startEcho, startProxyApi } from '../fixtures/proxy/harness.js';

/** The part of toxiproxy-node-client this test uses (the package may not be installed). */
interface ClientToxic {
  name: string;
  type: string;
  attributes: Record<string, unknown>;
  remove(): Promise<void>;
}
interface ClientProxy {
  name: string;
  listen: string;
  addToxic(body: unknown): Promise<ClientToxic>;
  getToxic(name: string): Promise<ClientToxic>;
}
interface Client {
  createProxy(body: unknown): Promise<ClientProxy>;
  getAll(): Promise<Record<string, ClientProxy>>;
  get(name: string): Promise<ClientProxy>;
  reset(): Promise<void>;
  getVersion(): Promise<string>;
}
type ClientModule = { Toxiproxy: new (host: string) => Client };

// A variable specifier: the type checker must not require the package to be installed.
const PACKAGE = 'toxiproxy-node-client';
const client = await import(PACKAGE).then(
  (m: ClientModule) => m,
  () => undefined,
);

describe(
  'the proxy API driven by toxiproxy-node-client',
  { skip: client === undefined ? `${PACKAGE} not installed (npm install --no-save ${PACKAGE})` : false },
  () => {
    let api: Awaited<ReturnType<typeof startProxyApi>>;
    let echo: Awaited<ReturnType<typeof startEcho>>;

    before(async () => {
      api = await startProxyApi();
      echo = await startEcho();
    });
    after(async () => {
      await api.close();
      await echo.close();
    });

    test('create a proxy, add a latency toxic, list, remove, reset', async () => {
      const toxiproxy = new client!.Toxiproxy(api.url);
      assert.match(await toxiproxy.getVersion(), /version/);
      const proxy = await toxiproxy.createProxy({
        name: 'via-client',
        listen: '127.0.0.1:0',
        upstream: `127.0.0.1:${echo.port}`,
      });
      assert.equal(proxy.name, 'via-client');
      const port = Number(proxy.listen.split(':')[1]);

      const toxic = await proxy.addToxic({
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 250 },
      });
      assert.equal(toxic.name, 'latency_downstream');
      assert.deepEqual(toxic.attributes, { latency: 250, jitter: 0 });
      const socket = await dial(port);
      try {
        const slow = await roundTrip(socket, Buffer.from('x'));
        assert.ok(slow >= 240 && slow < 3_000, `round trip ${slow}ms`);

        const all = await toxiproxy.getAll();
        assert.deepEqual(Object.keys(all), ['via-client']);
        assert.equal((await proxy.getToxic('latency_downstream')).type, 'latency');

        await toxic.remove();
        await assert.rejects(proxy.getToxic('latency_downstream'), /404/);
        assert.ok((await roundTrip(socket, Buffer.from('y'))) < 240);

        await proxy.addToxic({
          type: 'timeout',
          name: 'blackhole',
          stream: 'upstream',
          toxicity: 1,
          attributes: { timeout: 0 },
        });
        await toxiproxy.reset();
        assert.equal(api.registry.get('via-client').toxics.list().length, 0);
        assert.ok((await roundTrip(socket, Buffer.from('z'))) < 1_000);
      } finally {
        socket.destroy();
      }
    });
  },
);
