import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedCheck, ResolvedModule } from '../../src/config/types.js';
import { compileAllow } from '../../src/net/address-policy.js';
import { createLogger } from '../../src/log.js';
import { scrubSecrets, secretValues } from '../../src/server/probe/debug-redact.js';
import { debugText, moduleText, ScrapeLog } from '../../src/server/probe/scrape-log.js';
import { probeEndpoint, targetRefusal, type Lookup } from '../../src/server/probe/target-policy.js';
import { makeHttpCheck } from '../helpers/checks.js';

function socketCheck(kind: 'tcp' | 'grpc', target: string): ResolvedCheck {
  return { ...makeHttpCheck({ target: 'http://placeholder/' }), kind, target } as unknown as ResolvedCheck;
}

function dnsCheck(server: string): ResolvedCheck {
  const base = makeHttpCheck({ target: 'http://placeholder/' });
  return { ...base, kind: 'dns', target: 'example.com', dns: { server } } as unknown as ResolvedCheck;
}

test('where a /probe check connects: URL host and default port, host:port, the dns server', () => {
  assert.deepEqual(probeEndpoint(makeHttpCheck({ target: 'http://169.254.169.254/latest' })), {
    host: '169.254.169.254',
    port: 80,
  });
  assert.deepEqual(probeEndpoint(makeHttpCheck({ target: 'https://[fe80::1]/' })), { host: 'fe80::1', port: 443 });
  assert.deepEqual(
    probeEndpoint(makeHttpCheck({ target: 'http://0xa9fea9fe:8080/' })),
    { host: '169.254.169.254', port: 8080 },
    'the URL parser reads the address the probe will dial',
  );
  assert.deepEqual(probeEndpoint(socketCheck('tcp', '[fd00:ec2::254]:80')), { host: 'fd00:ec2::254', port: 80 });
  assert.deepEqual(probeEndpoint(socketCheck('grpc', 'svc.internal:50051')), { host: 'svc.internal', port: 50051 });
  assert.equal(probeEndpoint(socketCheck('tcp', 'no-port')), undefined, 'fails in the probe, connecting nowhere');
  assert.deepEqual(probeEndpoint(dnsCheck('100.100.100.200')), { host: '100.100.100.200', port: 53 });
});

test('a name is refused for what it resolves to; a name no entry admits is not resolved at all', async () => {
  const asked: string[] = [];
  const lookup: Lookup = (host) => {
    asked.push(host);
    return Promise.resolve(host === 'rebound.example' ? ['192.0.2.1', '169.254.169.254'] : ['192.0.2.1']);
  };
  const open = { allow: undefined, self: undefined };
  const check = (target: string) => makeHttpCheck({ target });
  assert.match(
    (await targetRefusal(open, check('http://rebound.example/'), lookup))!,
    /169\.254\.169\.254 is a cloud metadata address/,
  );
  assert.equal(await targetRefusal(open, check('http://fine.example/'), lookup), undefined);
  const failing: Lookup = () => Promise.reject(new Error('ENOTFOUND'));
  assert.equal(await targetRefusal(open, check('http://gone.example/'), failing), undefined, 'the probe says why');
  asked.length = 0;
  const names = { allow: compileAllow(['*.corp.example']), self: undefined };
  assert.match((await targetRefusal(names, check('http://made-up.example/'), lookup))!, /not in server\.probe\.allow/);
  assert.deepEqual(asked, [], 'no lookup for a name the list cannot admit');
});

function module(headers: Record<string, string>, body?: string): ResolvedModule {
  const http = { headers, ...(body === undefined ? {} : { body, method: 'POST' as const }) };
  return { name: 'm', prober: 'http', check: makeHttpCheck({ target: 'http://placeholder/', http }) };
}

test('debug=true: every header value, the body and credentials are redacted by value, whatever the key', () => {
  const basic = `Basic ${Buffer.from('probe-user:SENTINELPW').toString('base64')}`;
  const m = module(
    { 'X-Custom': 'SENTINEL123', Authorization: basic, 'X-Api': 'Bearer SENTINELTOKEN', 'X-Flag': '1' },
    '{"key":"SENTINELBODY"}',
  );
  const log = new ScrapeLog(createLogger({ level: 'silent' }), 'm', 'http://127.0.0.1/?echo=SENTINEL123');
  log.error('Expectation failed', { actual: 'got "SENTINEL123" and SENTINELPW and SENTINELTOKEN back' });
  log.error('Echo', { body: '{"key":"SENTINELBODY"}' });
  const text = debugText(log, 'probe_success 1\nprobe_http_status_code 201\n', m);
  for (const sentinel of ['SENTINEL123', 'SENTINELPW', 'SENTINELTOKEN', 'SENTINELBODY', basic.split(' ')[1]!]) {
    assert.ok(!text.includes(sentinel), `${sentinel} in:\n${text}`);
  }
  assert.match(text, /X-Custom: <secret>/);
  assert.match(text, /X-Flag: <secret>/, 'a short value is still hidden where the module shows it');
  assert.match(text, /body: <secret>/);
  assert.match(text, /^probe_http_status_code 201$/m, 'values shorter than 4 characters are not scrubbed elsewhere');
  assert.match(text, /target="http:\/\/127\.0\.0\.1\/\?echo=<secret>"/);
});

test('secrets: values as sent and the parts of credentials; scrubbing takes the longest first', () => {
  const basic = `Basic ${Buffer.from('u:pw-secret').toString('base64')}`;
  assert.deepEqual(secretValues(module({ a: basic }).check), [
    basic,
    Buffer.from('u:pw-secret').toString('base64'),
    'u:pw-secret',
    'pw-secret',
  ]);
  assert.equal(scrubSecrets('x abcdef y abc', ['abc', 'abcdef']), 'x <secret> y abc', '"abc" is under 4 characters');
  assert.equal(scrubSecrets('say "a\\"quoted\\""', ['a"quoted"']), 'say "<secret>"', 'the escaped form too');
  assert.doesNotMatch(moduleText(module({ 'x-tenant': 'acme-tenant-42' })), /acme-tenant-42/);
});
