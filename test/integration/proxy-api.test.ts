import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isCanaryError } from '../../src/errors.js';
import { loadProxyFile } from '../../src/proxy/config.js';
import { dial, readAll, roundTrip, startEcho, startProxyApi } from '../fixtures/proxy/harness.js';
import { fixture } from '../helpers/paths.js';
import { rawGet } from '../helpers/raw-http.js';
import { waitUntil } from '../helpers/wait.js';

type ProxyApi = Awaited<ReturnType<typeof startProxyApi>>;
interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: { name: string }[];
}

describe('proxy API (Toxiproxy-compatible)', () => {
  let api: ProxyApi;
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let upstream: string;

  before(async () => {
    api = await startProxyApi();
    echo = await startEcho();
    upstream = `127.0.0.1:${echo.port}`;
  });
  after(async () => {
    await api.close();
    await echo.close();
  });

  test('a request target that does not parse is a 400 with a reason, and the API keeps serving', async () => {
    const bad = await rawGet(api.url, '//[');
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.body), {
      error: 'bad request target: not an RFC 3986 path or absolute URL',
      status: 400,
    });
    assert.equal((await api.call('GET', '/version')).status, 200);
  });

  test('a proxy name with malformed percent-encoding is a 400 naming it, not a 500', async () => {
    const res = await api.call('GET', '/proxies/%C0%AF');
    assert.deepEqual(res, {
      status: 400,
      body: { error: 'bad path segment: malformed percent-encoding in "%C0%AF"', status: 400 },
    });
  });

  test('GET /version answers the version', async () => {
    const res = await api.call('GET', '/version');
    assert.equal(res.status, 200);
    assert.equal(typeof (res.body as { version: string }).version, 'string');
  });

  test('proxy lifecycle: create 201, 409 on a taken name, show, list, update, delete 204, then 404', async () => {
    const created = await api.call('POST', '/proxies', { name: 'shape', listen: '127.0.0.1:0', upstream });
    assert.equal(created.status, 201);
    const proxy = created.body as ProxyJson;
    assert.equal(proxy.name, 'shape');
    assert.match(proxy.listen, /^127\.0\.0\.1:[1-9]\d*$/);
    assert.deepEqual({ ...proxy, listen: '' }, { name: 'shape', listen: '', upstream, enabled: true, toxics: [] });

    const again = await api.call('POST', '/proxies', { name: 'shape', listen: '127.0.0.1:0', upstream });
    assert.deepEqual(again, { status: 409, body: { error: 'proxy already exists', status: 409 } });

    assert.deepEqual((await api.call('GET', '/proxies/shape')).body, proxy);
    const all = (await api.call('GET', '/proxies')).body as Record<string, ProxyJson>;
    assert.deepEqual(all.shape, proxy);

    const disabled = await api.call('POST', '/proxies/shape', { enabled: false });
    assert.equal(disabled.status, 200);
    assert.equal((disabled.body as ProxyJson).enabled, false);
    await assert.rejects(dial(Number(proxy.listen.split(':')[1])), /ECONNREFUSED/);

    assert.equal((await api.call('DELETE', '/proxies/shape')).status, 204);
    assert.deepEqual(await api.call('GET', '/proxies/shape'), {
      status: 404,
      body: { error: 'proxy not found', status: 404 },
    });
    assert.equal((await api.call('DELETE', '/proxies/shape')).status, 404);
  });

  test('bad input is a 400 naming the field; unknown paths 404', async () => {
    const res = await api.call('POST', '/proxies', { name: 'bad', listen: 'nowhere', upstream });
    assert.equal(res.status, 400);
    assert.match((res.body as { error: string }).error, /listen: must be HOST:PORT/);
    assert.equal((await api.call('GET', '/nope')).status, 404);
    assert.equal((await api.call('PUT', '/proxies')).status, 405);
  });

  test('toxic lifecycle: create 200 with defaults, 409, show, update merges, delete 204, 404', async () => {
    await api.proxy('tox', echo.port);
    const created = await api.call('POST', '/proxies/tox/toxics', { type: 'latency', attributes: { latency: 50 } });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body, {
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    const dup = await api.call('POST', '/proxies/tox/toxics', { type: 'latency', attributes: { latency: 50 } });
    assert.deepEqual(dup, { status: 409, body: { error: 'toxic already exists', status: 409 } });

    const updated = await api.call('POST', '/proxies/tox/toxics/latency_downstream', {
      attributes: { jitter: 5 },
      toxicity: 0.5,
    });
    assert.deepEqual((updated.body as { attributes: unknown }).attributes, { latency: 50, jitter: 5 });
    assert.equal((updated.body as { toxicity: number }).toxicity, 0.5);
    assert.deepEqual((await api.call('GET', '/proxies/tox/toxics')).body, [updated.body]);
    assert.deepEqual((await api.call('GET', '/proxies/tox/toxics/latency_downstream')).body, updated.body);

    assert.equal((await api.call('DELETE', '/proxies/tox/toxics/latency_downstream')).status, 204);
    assert.deepEqual(await api.call('GET', '/proxies/tox/toxics/latency_downstream'), {
      status: 404,
      body: { error: 'toxic not found', status: 404 },
    });
  });

  test('a toxic of an unknown type or with a misspelt attribute is refused', async () => {
    await api.proxy('tox-bad', echo.port);
    const type = await api.call('POST', '/proxies/tox-bad/toxics', { type: 'latencyy' });
    assert.equal(type.status, 400);
    assert.match((type.body as { error: string }).error, /invalid toxic type: latencyy/);
    const attr = await api.call('POST', '/proxies/tox-bad/toxics', { type: 'latency', attributes: { latencyy: 5 } });
    assert.equal(attr.status, 400);
    assert.match((attr.body as { error: string }).error, /^attributes: .*latencyy/);
  });

  test('POST /populate creates new proxies and updates existing ones', async () => {
    await api.proxy('pop-a', echo.port);
    const res = await api.call('POST', '/populate', [
      { name: 'pop-a', listen: '127.0.0.1:0', upstream, enabled: false },
      { name: 'pop-b', listen: '127.0.0.1:0', upstream },
    ]);
    assert.equal(res.status, 201);
    const { proxies } = res.body as { proxies: ProxyJson[] };
    assert.deepEqual(
      proxies.map((p) => [p.name, p.enabled]),
      [
        ['pop-a', false],
        ['pop-b', true],
      ],
    );
    const port = Number(proxies[1]!.listen.split(':')[1]);
    const socket = await dial(port);
    assert.ok((await roundTrip(socket, Buffer.from('hi'))) < 1_000);
    socket.destroy();
    assert.equal((await api.call('POST', '/populate', [{ name: 'x' }])).status, 400);
  });

  test('POST /reset enables every proxy and removes every toxic', async () => {
    await api.proxy('reset-me', echo.port, [{ type: 'timeout', attributes: { timeout: 0 } }]);
    await api.call('POST', '/proxies/reset-me', { enabled: false });
    assert.equal((await api.call('POST', '/reset')).status, 204);
    const proxy = (await api.call('GET', '/proxies/reset-me')).body as ProxyJson;
    assert.equal(proxy.enabled, true);
    assert.deepEqual(proxy.toxics, []);
    const socket = await dial(Number(proxy.listen.split(':')[1]));
    assert.ok((await roundTrip(socket, Buffer.from('back'))) < 1_000);
    socket.destroy();
  });

  test('a toxic with a ttl removes itself and traffic is normal again', async () => {
    const port = await api.proxy('ttl', echo.port);
    const res = await api.call('POST', '/proxies/ttl/toxics', {
      type: 'timeout',
      attributes: { timeout: 0 },
      ttl: 300,
    });
    assert.equal((res.body as { ttl: number }).ttl, 300);
    const blocked = await dial(port);
    blocked.write('lost');
    assert.equal((await readAll(blocked, 150)).data.length, 0);
    await waitUntil(
      async () => ((await api.call('GET', '/proxies/ttl/toxics')).body as unknown[]).length === 0,
      5_000,
      'the toxic to leave the list after its ttl',
      50,
    );
    const socket = await dial(port);
    assert.ok((await roundTrip(socket, Buffer.from('ok'))) < 1_000);
    socket.destroy();
  });

  test('the proxy-wide default ttl applies to toxics that set none', async () => {
    const scoped = await startProxyApi({ defaultToxicTtlMs: 200 });
    try {
      await scoped.proxy('default-ttl', echo.port, [{ type: 'latency', attributes: { latency: 10 } }]);
      const listed = (await scoped.call('GET', '/proxies/default-ttl/toxics')).body as { ttl: number }[];
      assert.equal(listed[0]?.ttl, 200);
      await waitUntil(
        async () => ((await scoped.call('GET', '/proxies/default-ttl/toxics')).body as unknown[]).length === 0,
        5_000,
        'the toxic to leave the list after the default ttl',
        50,
      );
    } finally {
      await scoped.close();
    }
  });

  test('--config files: the example loads, a misspelt attribute is reported with its place', async () => {
    const proxies = await loadProxyFile(fixture('proxy', 'proxies.yaml'));
    assert.deepEqual(
      proxies.map((p) => [p.name, p.enabled, p.toxics.length]),
      [
        ['api', true, 1],
        ['db', false, 0],
      ],
    );
    await assert.rejects(loadProxyFile(fixture('proxy', 'invalid-attribute.yaml')), (err: unknown) => {
      assert.ok(isCanaryError(err));
      assert.equal(err.problems.length, 1);
      assert.deepEqual([err.problems[0]?.line, err.problems[0]?.path], [6, '[0].toxics[0].attributes.latencyy']);
      return true;
    });
  });
});
