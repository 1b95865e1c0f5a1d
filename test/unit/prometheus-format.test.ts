import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateFormat } from '../../src/exporters/prometheus/render.js';
import { blackboxTlsVersion } from '../../src/exporters/prometheus/series.js';

test('the Accept header picks OpenMetrics only when it is preferred', () => {
  // What Prometheus 2.x sends when it scrapes.
  assert.equal(
    negotiateFormat('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'),
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

test('TLS versions are named as blackbox_exporter names them', () => {
  assert.equal(blackboxTlsVersion('TLSv1.3'), 'TLS 1.3');
  assert.equal(blackboxTlsVersion('TLSv1.2'), 'TLS 1.2');
  assert.equal(blackboxTlsVersion('TLSv1.1'), 'TLS 1.1');
  assert.equal(blackboxTlsVersion('TLSv1'), 'TLS 1.0');
  assert.equal(blackboxTlsVersion('unknown'), 'unknown');
});
