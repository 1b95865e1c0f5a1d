/**
 * The sinks that redact known secret values as their last step: the logger (every line)
 * and the span exporter (names, attributes, events, status messages).
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { redactingExporter } from '../../src/exporters/otel/redact-spans.js';
import { createLogger } from '../../src/log.js';
import { forgetSecrets, registerSecret } from '../../src/secrets/registry.js';

const SECRET = 'Sink-Secret-"Value"';

afterEach(() => forgetSecrets());

test('a log line never carries a known secret, in its message or in any field', () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } });
  registerSecret(SECRET);
  logger.debug({ headers: { authorization: `Bearer ${SECRET}` }, [SECRET]: 1 }, `sent ${SECRET}`);
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]?.includes('Sink-Secret'), lines[0]);
  const line = JSON.parse(lines[0] ?? '{}') as { msg: string; headers: { authorization: string } };
  assert.equal(line.msg, 'sent <redacted>');
  assert.equal(line.headers.authorization, 'Bearer <redacted>');
});

function fakeSpan(): ReadableSpan {
  return {
    name: `call ${SECRET}`,
    kind: 0,
    spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }),
    startTime: [1, 0],
    endTime: [2, 0],
    status: { code: 2, message: `failed with ${SECRET}` },
    attributes: { 'canary.chaos.call': `POST ${SECRET}`, list: ['a', SECRET], n: 3 },
    links: [],
    events: [{ name: 'note', time: [1, 5], attributes: { detail: SECRET } }],
    duration: [1, 0],
    ended: true,
    resource: {} as ReadableSpan['resource'],
    instrumentationScope: { name: 'canary' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

test('spans leave with every known secret redacted, their context and times untouched', () => {
  const sent: ReadableSpan[] = [];
  const inner: SpanExporter = {
    export: (spans: ReadableSpan[], done: (r: ExportResult) => void) => {
      sent.push(...spans);
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
  registerSecret(SECRET);
  redactingExporter(inner).export([fakeSpan()], () => undefined);
  const [span] = sent;
  assert.ok(span);
  assert.equal(span.name, 'call <redacted>');
  assert.deepEqual(span.status, { code: 2, message: 'failed with <redacted>' });
  assert.deepEqual(span.attributes, { 'canary.chaos.call': 'POST <redacted>', list: ['a', '<redacted>'], n: 3 });
  assert.deepEqual(span.events[0]?.attributes, { detail: '<redacted>' });
  assert.equal(span.spanContext().spanId, '2'.repeat(16));
  assert.deepEqual(span.startTime, [1, 0]);
});
