import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptsGzip, negotiateFormat } from '../../src/exporters/prometheus/render.js';
import {
  BLACKBOX,
  CANARY,
  contentLength,
  grpcStatusCode,
  tlsVersionName,
} from '../../src/exporters/prometheus/vocabulary.js';
import { repoRoot } from '../helpers/paths.js';

test('the Accept header picks OpenMetrics only when it is preferred', () => {
  // What Prometheus 2.x sends when it scrapes.
  assert.equal(
    negotiateFormat(
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    ),
    'openmetrics',
  );
  assert.equal(negotiateFormat('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
  assert.equal(negotiateFormat('Application/OpenMetrics-Text'), 'openmetrics');
  assert.equal(negotiateFormat(undefined), 'prometheus');
  assert.equal(negotiateFormat(''), 'prometheus');
  assert.equal(negotiateFormat('*/*'), 'prometheus');
  assert.equal(negotiateFormat('text/plain;version=0.0.4'), 'prometheus');
  assert.equal(negotiateFormat('text/plain, application/openmetrics-text;q=0.2'), 'prometheus');
  assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'prometheus');
});

test('Accept-Encoding: gzip unless refused with q=0', () => {
  assert.equal(acceptsGzip('gzip'), true);
  assert.equal(acceptsGzip('identity, gzip;q=0.5'), true);
  assert.equal(acceptsGzip('GZIP'), true);
  assert.equal(acceptsGzip('gzip;q=0'), false);
  assert.equal(acceptsGzip('gzip;q=0.0, identity'), false);
  assert.equal(acceptsGzip('br, deflate'), false);
  assert.equal(acceptsGzip(undefined), false);
});

test('TLS versions are named as blackbox_exporter names them; anything else is "unknown", as blackbox says', () => {
  assert.equal(tlsVersionName('TLSv1.3'), 'TLS 1.3');
  assert.equal(tlsVersionName('TLSv1.2'), 'TLS 1.2');
  assert.equal(tlsVersionName('TLSv1.1'), 'TLS 1.1');
  assert.equal(tlsVersionName('TLSv1'), 'TLS 1.0');
  assert.equal(tlsVersionName('SSLv3'), 'unknown');
  assert.equal(tlsVersionName('unknown'), 'unknown');
});

test('blackbox value mappings: gRPC UNAVAILABLE without a status, Content-Length as Go reports it', () => {
  assert.equal(grpcStatusCode(undefined), 14);
  assert.equal(grpcStatusCode(0), 0);
  const http = { status: 200, version: '1.1', redirects: 0, finalUrl: 'http://x/', bodyBytes: 10, ssl: false };
  assert.equal(contentLength(undefined), 0);
  assert.equal(contentLength({ ...http, headers: { 'content-length': '10' } }), 10);
  assert.equal(contentLength({ ...http, headers: {} }), -1);
  assert.equal(contentLength({ ...http, headers: { 'content-length': 'ten' } }), -1);
});

test("docs/metrics.md's metrics table gives each per-check family the level the vocabulary exports it at", () => {
  const docs = readFileSync(join(repoRoot, 'docs', 'metrics.md'), 'utf8');
  const families = [...Object.values(BLACKBOX), ...Object.values(CANARY)];
  let rows = 0;
  for (const [, name, level] of docs.matchAll(/^\| `([a-z_]+)(?:\{[^}]*\})?` \| [a-z]+ \| (basic|full|agent) \|/gm)) {
    const family = families.find((f) => f.name === name);
    if (!family) continue;
    rows++;
    assert.equal(level, family.level, `${name}: docs/metrics.md says ${level}, the vocabulary ${family.level}`);
  }
  assert.ok(rows >= 15, `only ${rows} per-check families found in the table of docs/metrics.md`);
});
