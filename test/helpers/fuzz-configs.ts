/**
 * Valid files for the fuzz tests, generated: agent configs, probe files, `modules:` and
 * chaos experiments built from values each schema accepts. The fuzz tests load them as
 * they are (they must load) and mutated (they must load or be reported at FILE:LINE:COL).
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
/** Free text without `$`, which would start an environment reference. */
const text = fc.string({ maxLength: 12 }).map((s) => s.replaceAll('$', '_'));
const labelName = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/).filter((n) => !RESERVED_LABELS.has(n));
const RESERVED_LABELS = new Set(['check', 'kind', 'region', 'job', 'instance', 'reason', 'result', 'le', 'phase']);
const labels = fc.dictionary(labelName, text, { maxKeys: 3 });
const interval = fc.constantFrom('2s', '30s', '1m', '5m', '1h');
const timeout = fc.constantFrom('500ms', '1s', '2s');
const host = fc.constantFrom('127.0.0.1', 'example.com', 'api.example.org', '[::1]');
const port = fc.integer({ min: 1, max: 65535 });
const hostPort = fc.tuple(host, port).map(([h, p]) => `${h}:${p}`);
const url = fc
  .tuple(
    fc.constantFrom('http', 'https'),
    hostPort,
    fc.webPath(),
    fc.option(fc.webQueryParameters(), { nil: undefined }),
  )
  .map(([scheme, hp, path, query]) => `${scheme}://${hp}${path || '/'}${query ? `?${query}` : ''}`);

const httpFields = fc.record(
  {
    http: fc.record(
      {
        method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'),
        headers: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), text, { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    ),
    expect: fc.record(
      {
        status: fc.array(fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constantFrom('2xx', '3xx', '200-299')), {
          minLength: 1,
          maxLength: 3,
        }),
        body: fc.array(fc.record({ matches: fc.constantFrom('ok', '^hello', 'Example Domain') }), { maxLength: 2 }),
        maxDuration: fc.constantFrom('1s', '2s'),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

/** The fields of one check of each kind, without name, interval and timeout. */
const checkFields = fc.oneof(
  fc.tuple(url, httpFields).map(([target, rest]) => ({ kind: 'http', target, ...rest })),
  fc.tuple(hostPort, fc.boolean()).map(([target, steps]) => ({
    kind: 'tcp',
    target,
    ...(steps ? { tcp: { steps: [{ expect: '^220', send: 'QUIT\r\n' }] } } : {}),
  })),
  fc.tuple(hostPort, fc.integer({ min: 1, max: 60 })).map(([target, days]) => ({
    kind: 'tls',
    target,
    expect: { minDaysToExpiry: days },
  })),
  fc
    .tuple(fc.constantFrom('example.com', 'a.example.org'), fc.constantFrom('A', 'AAAA', 'MX', 'TXT'))
    .map(([t, type]) => ({
      kind: 'dns',
      target: t,
      dns: { server: '192.0.2.53:53', type, transport: 'udp' },
    })),
  fc
    .tuple(hostPort, fc.boolean())
    .map(([target, tls]) => ({ kind: 'grpc', target, grpc: { service: 'svc.v1.S', tls } })),
  fc
    .tuple(fc.constantFrom('ws://example.com/feed', 'wss://[2001:db8::1]:8443/'), fc.boolean())
    .map(([target, talk]) => ({
      kind: 'websocket',
      target,
      ...(talk ? { websocket: { steps: [{ send: 'ping', expect: '^pong' }], closeCode: 1000 } } : {}),
    })),
);

/** A list of checks with distinct names; each timeout (1s at most) fits any interval (2s at least). */
export const checks = fc
  .uniqueArray(
    fc.record({ name, fields: checkFields, interval, timeout, labels }, { requiredKeys: ['name', 'fields'] }),
    { selector: (c) => c.name, maxLength: 5 },
  )
  .map((list) => list.map(({ fields, ...rest }) => ({ ...rest, ...fields })));

/** `modules:`: module names mapped to modules of each prober. */
export const modules = fc.dictionary(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,15}$/),
  fc.oneof(
    fc.tuple(fc.option(timeout, { nil: undefined }), httpFields).map(([t, rest]) => ({
      prober: 'http',
      ...(t ? { timeout: t } : {}),
      ...rest,
    })),
    fc.constant({ prober: 'tcp', timeout: '5s' }),
    fc.constant({ prober: 'tls' }),
    fc.constantFrom('example.com', 'b.example.net').map((q) => ({ prober: 'dns', dns: { queryName: q, type: 'A' } })),
    fc.constant({ prober: 'grpc', grpc: { tls: false } }),
    fc.constant({ prober: 'websocket', websocket: { subprotocols: ['chat'] } }),
  ),
  { minKeys: 1, maxKeys: 4 },
);

/** An agent config with inline checks and modules; it may name `probes.yaml` (an empty probe file) beside it. */
export const agentConfig = fc
  .record(
    {
      agent: fc.record({ region: name, labels }, { requiredKeys: [] }),
      server: fc.record({ listen: fc.constantFrom('127.0.0.1:0', '127.0.0.1:9464', '[::1]:9000'), token: name }),
      probes: fc.record(
        {
          files: fc.constantFrom(['probes.yaml'], ['probe*.yaml'], ['probes.yaml', 'probes.yaml']),
          concurrency: fc.integer({ min: 1, max: 10_000 }),
          workers: fc.oneof(fc.constant('auto'), fc.integer({ min: 0, max: 64 })),
          defaults: fc.record({ interval, timeout }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
      checks,
      modules,
      exporters: fc.record(
        {
          prometheus: fc.record({ metrics: fc.constantFrom('full', 'basic') }),
          log: fc.record({ level: fc.constant('silent') }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  )
  .map((config) => stringify(config));

/** A probe file. */
export const probeFile = checks.map((list) => stringify({ checks: list }));

/** An agent config whose only content is `modules:`. */
export const modulesFile = modules.map((m) => stringify({ modules: m }));

/** The checks experiments name in `steadyState` and `abortWhen`; the agent config they load against has them. */
export const STEADY_CHECKS = ['lab-frontend', 'lab-backend-1', 'lab-backend-2'];

const hypothesis = fc.record(
  {
    check: fc.constantFrom(...STEADY_CHECKS),
    successRatio: fc.constantFrom('>= 0.99', '< 0.90', '>= 99.5%'),
    p95: fc.constantFrom('< 300ms', '> 2s'),
    window: fc.constantFrom('10s', '30s'),
    minSamples: fc.integer({ min: 1, max: 10 }),
  },
  { requiredKeys: ['check', 'successRatio'] },
);

const step = fc.oneof(
  fc.constantFrom('1s', '5s').map((pause) => ({ pause })),
  fc.integer({ min: 1, max: 2 }).map((count) => ({ action: 'exec', argv: ['true'], target: 'backends', count })),
  fc
    .constantFrom('GET', 'POST', 'DELETE')
    .map((method) => ({ action: 'http', method, url: 'http://127.0.0.1:9000/f' })),
  fc.constant({ action: 'process', target: 'backends', signal: 'SIGSTOP', count: 1 }),
);

/** An experiment naming {@link STEADY_CHECKS}, its instances with URLs and pid files that need not exist. */
export const experiment = fc
  .record(
    {
      name,
      description: text,
      tags: fc.array(name, { maxLength: 3 }),
      steadyState: fc.array(hypothesis, { maxLength: 2 }),
      abortWhen: fc.array(hypothesis, { maxLength: 2 }),
      method: fc.array(step, { minLength: 1, maxLength: 4 }),
      rollbackStrategy: fc.constantFrom('always', 'on-failure', 'never'),
      maxDuration: fc.constantFrom('1m', '5m'),
    },
    { requiredKeys: ['name', 'method'] },
  )
  .map((e) => {
    const instances = ['b1', 'b2', 'b3'].map((n, i) => ({
      name: n,
      url: `http://127.0.0.1:1818${i}`,
      pidFile: `${n}.pid`,
    }));
    return stringify({ ...e, targets: { backends: { instances } }, blastRadius: { maxInstances: 2 } });
  });
