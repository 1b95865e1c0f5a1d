import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOtlp, tracesUrl } from '../../src/exporters/otel/settings.js';
import { otlpSchema } from '../../src/config/schema/otlp.js';

const parse = (input: unknown) => otlpSchema.parse(input);

test('no exporters.otlp and no OTLP endpoint variable: tracing is off', () => {
  assert.equal(resolveOtlp(undefined, {}).settings, undefined);
  assert.equal(
    resolveOtlp(undefined, { OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_HEADERS: 'a=b' }).settings,
    undefined,
  );
});

test('an empty exporters.otlp turns tracing on with the documented fallbacks', () => {
  const s = resolveOtlp(parse({}), {}).settings;
  assert.deepEqual(s, {
    url: 'http://localhost:4318/v1/traces',
    protocol: 'http/protobuf',
    headers: {},
    timeoutMs: 10_000,
    compression: 'none',
    successSampleRatio: 1,
    maxQueueSize: 2048,
    maxExportBatchSize: 512,
    scheduledDelayMs: 5_000,
    serviceName: 'canary',
    resourceAttributes: {},
  });
});

test('the standard variables alone turn tracing on and set every key', () => {
  const { settings, warnings } = resolveOtlp(undefined, {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=t1',
    OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
    OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.25',
    OTEL_BSP_MAX_QUEUE_SIZE: '100',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
    OTEL_BSP_SCHEDULE_DELAY: '250',
    OTEL_SERVICE_NAME: 'canary-eu',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=ignored',
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(settings, {
    url: 'http://collector:4318/v1/traces',
    protocol: 'http/json',
    headers: { authorization: 'Bearer abc', 'x-tenant': 't1' },
    timeoutMs: 2500,
    compression: 'gzip',
    successSampleRatio: 0.25,
    maxQueueSize: 100,
    maxExportBatchSize: 10,
    scheduledDelayMs: 250,
    serviceName: 'canary-eu',
    resourceAttributes: { 'deployment.environment': 'prod', 'service.name': 'ignored' },
  });
});

test('the config wins over the variables key by key; headers merge with the config on top', () => {
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://from-env:4318',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=env,x-env=1',
  };
  const s = resolveOtlp(
    parse({ endpoint: 'https://from-config:4318', protocol: 'http/protobuf', headers: { authorization: 'config' } }),
    env,
  ).settings;
  assert.equal(s?.url, 'https://from-config:4318/v1/traces');
  assert.equal(s?.protocol, 'http/protobuf');
  assert.equal(s?.timeoutMs, 2500, 'a key the config does not set still comes from the variable');
  assert.deepEqual(s?.headers, { authorization: 'config', 'x-env': '1' });
});

test('the traces-specific variables win over the general ones; the traces endpoint is used as is', () => {
  const s = resolveOtlp(undefined, {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://specific:4318/custom/path',
    OTEL_EXPORTER_OTLP_HEADERS: 'a=general,b=general',
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'a=specific',
    OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '3000',
  }).settings;
  assert.equal(s?.url, 'http://specific:4318/custom/path');
  assert.deepEqual(s?.headers, { a: 'specific', b: 'general' });
  assert.equal(s?.timeoutMs, 3000);
});

test('OTEL_SDK_DISABLED=true turns tracing off even with config (and says so); OTEL_TRACES_EXPORTER=none only without config', () => {
  const off = resolveOtlp(parse({}), { OTEL_SDK_DISABLED: 'true' });
  assert.equal(off.settings, undefined);
  assert.match(off.warnings[0] ?? '', /OTEL_SDK_DISABLED/);
  assert.equal(
    resolveOtlp(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).settings,
    undefined,
  );
  assert.ok(resolveOtlp(parse({}), { OTEL_TRACES_EXPORTER: 'none' }).settings, 'the config says otlp: it wins');
});

test('variables that do not parse are ignored with a warning naming them', () => {
  const { settings, warnings } = resolveOtlp(undefined, {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_TIMEOUT: 'soon',
    OTEL_TRACES_SAMPLER: 'traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '7',
    OTEL_EXPORTER_OTLP_HEADERS: 'novalue,k=%zz',
  });
  assert.equal(settings?.protocol, 'http/protobuf');
  assert.equal(settings?.timeoutMs, 10_000);
  assert.equal(settings?.successSampleRatio, 1);
  assert.deepEqual(settings?.headers, {});
  assert.deepEqual(warnings, [
    'OTEL_EXPORTER_OTLP_HEADERS: ignored "novalue" (expected key=value)',
    'OTEL_EXPORTER_OTLP_HEADERS: ignored "k=%zz" (bad percent-encoding)',
    "OTEL_EXPORTER_OTLP_PROTOCOL=grpc ignored: expected one of http/protobuf, http/json (grpc is not supported: point the endpoint at the Collector's OTLP/HTTP port, 4318)",
    'OTEL_EXPORTER_OTLP_TIMEOUT=soon ignored: not a valid number here',
    'OTEL_TRACES_SAMPLER_ARG=7 ignored: not a valid number here',
  ]);
});

test('a batch larger than the queue is clamped to it; the schema refuses it when both are configured', () => {
  const s = resolveOtlp(parse({ maxQueueSize: 10 }), {}).settings;
  assert.equal(s?.maxExportBatchSize, 10);
  assert.throws(() => parse({ maxQueueSize: 10, maxExportBatchSize: 20 }), /must not exceed maxQueueSize/);
});

test('tracesUrl appends /v1/traces once, whatever the trailing slashes', () => {
  assert.equal(tracesUrl('http://c:4318'), 'http://c:4318/v1/traces');
  assert.equal(tracesUrl('http://c:4318/'), 'http://c:4318/v1/traces');
  assert.equal(tracesUrl('http://c:4318/otlp/'), 'http://c:4318/otlp/v1/traces');
  assert.equal(tracesUrl('http://c:4318/v1/traces'), 'http://c:4318/v1/traces');
});
