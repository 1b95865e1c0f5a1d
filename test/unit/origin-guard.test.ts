import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { foreignRequestReason, isLoopbackHost } from '../../src/net/origin-guard.js';

/** A request as the guard sees it: headers and the local end of its connection. */
function req(headers: Record<string, string>, localAddress = '127.0.0.1', localPort = 9464): IncomingMessage {
  return { headers, socket: { localAddress, localPort } } as unknown as IncomingMessage;
}

test('loopback listener: own Host and Origin pass, foreign ones are refused', () => {
  for (const host of ['127.0.0.1:9464', 'localhost:9464', 'LOCALHOST:9464', '[::1]:9464']) {
    assert.equal(foreignRequestReason(req({ host }), '127.0.0.1'), undefined, host);
  }
  assert.equal(
    foreignRequestReason(req({ host: '127.0.0.1:9464', origin: 'http://localhost:9464' }), '127.0.0.1'),
    undefined,
  );
  assert.match(foreignRequestReason(req({ host: 'rebind.example:9464' }), '127.0.0.1') ?? '', /Host rebind\.example/);
  assert.match(foreignRequestReason(req({ host: '127.0.0.1:80' }), '127.0.0.1') ?? '', /Host/, 'another port');
  for (const origin of ['http://evil.example', 'null', 'https://127.0.0.1:9464', 'http://127.0.0.1:9999']) {
    assert.match(foreignRequestReason(req({ host: '127.0.0.1:9464', origin }), '127.0.0.1') ?? '', /Origin/, origin);
  }
});

test('wildcard and non-loopback listeners: any Host (remote scrapers), but still no foreign Origin', () => {
  for (const listen of [undefined, '0.0.0.0', '::', '10.1.2.3']) {
    const scrape = req({ host: 'canary.internal:9464' }, '10.1.2.3');
    assert.equal(foreignRequestReason(scrape, listen), undefined, String(listen));
    const own = req({ host: '10.1.2.3:9464', origin: 'http://10.1.2.3:9464' }, '10.1.2.3');
    assert.equal(foreignRequestReason(own, listen), undefined, String(listen));
    const page = req({ host: 'canary.internal:9464', origin: 'http://evil.example' }, '10.1.2.3');
    assert.match(foreignRequestReason(page, listen) ?? '', /Origin/, String(listen));
  }
});

test('isLoopbackHost knows localhost, 127/8 and ::1 in their spellings', () => {
  for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1']) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});
