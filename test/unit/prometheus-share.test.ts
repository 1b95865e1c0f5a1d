import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { PrometheusSink } from '../../src/exporters/prometheus.js';
import { EventBus } from '../../src/results/bus.js';
import type { CheckResult } from '../../src/results/types.js';
import { makeResult } from '../helpers/results.js';

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

function makeSink(): { bus: EventBus; sink: PrometheusSink } {
  const bus = new EventBus();
  const checks = Array.from({ length: 50 }, (_, i) => ({ name: `c${i}`, kind: 'http' as const }));
  return { bus, sink: new PrometheusSink({ bus, region: 'r1', agentLabels: {}, version: '1.0.0', checks }) };
}

function result(check: string, seconds: number): CheckResult {
  return makeResult(
    { check, region: 'r1', startedAt: 1_700_000_000_000, durationSeconds: seconds },
    { phases: { processing: seconds } },
  );
}

const text = (chunks: readonly Uint8Array[], gzip: boolean): string => {
  const bytes = Buffer.concat(chunks);
  return (gzip ? gunzipSync(bytes) : bytes).toString('utf8');
};

test('scrapes of one format and encoding that arrive during a render share its bytes', async () => {
  const { bus, sink } = makeSink();
  for (let i = 0; i < 50; i++) bus.emit('result', result(`c${i}`, 0.01 * (i + 1)));
  const first = sink.exposition(OPENMETRICS, 'gzip');
  const second = sink.exposition(OPENMETRICS, 'gzip, deflate');
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a, b, 'the second scrape got the first one’s render');
  assert.equal(a.encoding, 'gzip');
  const body = text(a.chunks, true);
  assert.match(body, /^probe_duration_seconds\{check="c49",kind="http",region="r1"\} 0\.5$/m);
  assert.ok(body.endsWith('# EOF\n'));
  // Both readers see the whole body: sharing does not consume the chunks.
  assert.equal(text(b.chunks, true), body);
});

test('other formats and encodings render apart, and a finished render is not reused', async () => {
  const { bus, sink } = makeSink();
  bus.emit('result', result('c0', 0.25));
  const [om, plain, gz] = await Promise.all([
    sink.exposition(OPENMETRICS, 'gzip'),
    sink.exposition('text/plain', 'gzip'),
    sink.exposition(OPENMETRICS, undefined),
  ]);
  assert.notEqual(om, plain);
  assert.notEqual(om, gz);
  assert.equal(plain.contentType.startsWith('text/plain'), true);
  assert.equal(gz.encoding, 'identity');
  // The process's own gauges move between the two renders; the checks' series do not.
  const checkLines = (body: string): string =>
    body
      .split('\n')
      .filter((l) => /^(probe_|canary_probe_)/.test(l))
      .join('\n');
  assert.equal(
    checkLines(text(om.chunks, true)),
    checkLines(text(gz.chunks, false)),
    'gzip changes the bytes, not the text',
  );
  assert.notEqual(checkLines(text(om.chunks, true)), '');

  bus.emit('result', result('c0', 0.75));
  const later = await sink.exposition(OPENMETRICS, 'gzip');
  assert.notEqual(later, om, 'a scrape after the render finished renders again');
  assert.match(text(later.chunks, true), /^probe_duration_seconds\{check="c0",kind="http",region="r1"\} 0\.75$/m);
  assert.match(text(om.chunks, true), /^probe_duration_seconds\{check="c0",kind="http",region="r1"\} 0\.25$/m);
});

test('a gzipped render holds the same text as a plain one, over many slices and batches', async () => {
  const bus = new EventBus();
  const checks = Array.from({ length: 3000 }, (_, i) => ({ name: `check-number-${i}`, kind: 'http' as const }));
  const sink = new PrometheusSink({
    bus,
    region: 'r1',
    agentLabels: { team: 'a-fairly-long-team-name' },
    version: '1.0.0',
    checks,
  });
  for (const { name } of checks) {
    const r = result(name, 0.001 + Math.random());
    bus.emit('result', {
      ...r,
      observation: {
        ...r.observation,
        phases: { resolve: 0.0001, connect: 0.0002, processing: 0.003, transfer: 0.0004 },
        http: { status: 200, version: '1.1', redirects: 0, finalUrl: r.target, headers: {}, bodyBytes: 3, ssl: false },
      },
    });
  }
  const plain = await sink.exposition(OPENMETRICS, undefined);
  const gzipped = await sink.exposition(OPENMETRICS, 'gzip');
  // More than one 4 MiB gzip batch, rendered in many slices: staging and writer buffers are reused.
  assert.ok(plain.bytes > 6 * 1024 * 1024, `exposition of ${plain.bytes} bytes`);
  const lines = (body: string): string[] => body.split('\n').filter((l) => /^(probe_|canary_probe_)/.test(l));
  const a = lines(text(plain.chunks, false));
  const b = lines(text(gzipped.chunks, true));
  assert.equal(b.length, a.length);
  assert.ok(a.length > 3000 * 20);
  assert.deepEqual(b, a);

  // The next gzip render starts in the buffers the last one kept; the plain render's bytes,
  // which a plain response would still be sending, are not written over.
  for (const { name } of checks.slice(0, 100)) bus.emit('result', result(name, 5));
  const again = await sink.exposition(OPENMETRICS, 'gzip');
  const plainAgain = await sink.exposition(OPENMETRICS, undefined);
  assert.deepEqual(lines(text(again.chunks, true)), lines(text(plainAgain.chunks, false)));
  assert.notDeepEqual(lines(text(again.chunks, true)), a, 'the second render has the new results');
  assert.deepEqual(lines(text(plain.chunks, false)), a, 'the first plain render is intact');
});
