/**
 * Tests of the loop-block probe and the scrape bookkeeping around it. A local server
 * blocks its own event loop with a busy loop for a known time while answering one request;
 * the probe must record at least that long for it. That is a lower bound that holds on
 * any machine, not a timed assertion.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { blockFigures, quietBlockProbe, startBlockProbe } from './loop-block.js';
import { mainThreadTime, parseSchedstat } from './proc.js';
import { attachRenderReports, renderReport, scrapeFigures, scrapesInWindow, type ScrapeCost } from './scrape-cost.js';
import { sleep } from './children.js';

/** Spins the CPU for `ms`: the event loop can do nothing else meanwhile. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('loop-block probe on a local server', { timeout: 30_000 }, () => {
  const BLOCK_MS = 60;
  let server: Server;
  let base: string;
  let answered = 0;
  let connections = 0;
  before(async () => {
    server = createServer((req, res) => {
      answered++;
      // The fifth request finds the loop blocked for BLOCK_MS before it is answered.
      if (answered === 5) busy(BLOCK_MS);
      res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-length': 2 });
      res.end('ok');
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the longest response is at least the time the server blocked its loop; one connection; capped', async () => {
    answered = connections = 0;
    const probe = startBlockProbe(base, { maxRequests: 12, everyMs: 1 });
    // It ends by itself at its cap; wait for that (bounded), then collect.
    for (let i = 0; i < 500 && answered < 12; i++) await sleep(10);
    await sleep(20);
    const result = await probe.stop();
    assert.equal(result.requests, 12, 'stops at its cap');
    assert.equal(answered, 12, 'never sends past its cap');
    assert.equal(result.errors, 0);
    assert.ok(result.maxMs >= BLOCK_MS, `longest ${result.maxMs} ms, blocked ${BLOCK_MS} ms`);
    assert.ok(result.p99Ms <= result.maxMs && result.p50Ms <= result.p99Ms);
    assert.equal(connections, 1, 'one kept-alive connection');
  });

  test('the quiet probe runs for its stretch, no more requests than the stretch holds, and counts the blocked answer as slow', async () => {
    answered = 4; // the next request is the fifth, which the server answers after blocking
    const result = await quietBlockProbe(base, 200);
    assert.ok(result.requests >= 2 && result.requests <= 101, `${result.requests} requests in 200 ms`);
    assert.ok(result.slow >= 1, 'the blocked answer is over 10 ms');
    assert.ok(result.maxMs >= BLOCK_MS);
  });

  test('stop ends the probe after the request in flight; failures are counted, not timed', async () => {
    const probe = startBlockProbe(base, { path: '/nothing', everyMs: 2 });
    await sleep(30);
    const result = await probe.stop();
    assert.equal(result.requests, 0);
    assert.ok(result.errors >= 1);
    assert.ok(Number.isNaN(result.maxMs));
  });
});

describe('scrape bookkeeping', () => {
  test('figures of response times: nearest-rank p99, max, p50', () => {
    const times = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(blockFigures(times, 2), { requests: 100, errors: 2, maxMs: 100, p99Ms: 99, p50Ms: 50, slow: 90 });
  });

  test('in-window scrapes fall at 0.5 and 1.5 intervals: a 30 s window holds two at 15 s, a 5 s window none', () => {
    assert.equal(scrapesInWindow(30, 15), 2);
    assert.equal(scrapesInWindow(22.5, 15), 1);
    assert.equal(scrapesInWindow(5, 15), 0);
    assert.equal(scrapesInWindow(5, 2), 2);
    assert.equal(scrapesInWindow(30, 0), 0);
  });

  test('scrape figures: median and max wall time, bytes, the longest block over every scrape', () => {
    const block = (maxMs: number, p99Ms: number) => ({
      requests: 50,
      errors: 0,
      maxMs,
      p99Ms,
      p50Ms: 0.2,
      slow: maxMs > 10 ? 3 : 0,
    });
    const scrapes: ScrapeCost[] = [
      { ms: 300, cpuSeconds: 0.3, bytes: 1000, block: block(40, 12), mainThread: { onCpuMs: 90, waitingMs: 120 } },
      { ms: 100, cpuSeconds: 0.1, bytes: 3000, block: block(8, 5), mainThread: { onCpuMs: 60, waitingMs: 10 } },
      { ms: 200, cpuSeconds: 0.2, bytes: 2000, block: block(9, 30) },
    ];
    assert.deepEqual(scrapeFigures(scrapes), {
      scrapeWallMedianMs: 200,
      scrapeWallMaxMs: 300,
      scrapeBytesMedian: 2000,
      longestBlockMaxMs: 40,
      blockP99MaxMs: 30,
      blockRequests: 150,
      blockErrors: 0,
      // 3 slow answers over 0.6 s of scraping.
      scrapeSlowPerSecond: 5,
      // The scrape without schedstat does not count.
      mainThreadOnCpuMedianMs: 75,
      mainThreadWaitingMedianMs: 65,
      minorFaultsMedian: null,
      renderHoldMaxMs: null,
    });
    const none = scrapeFigures([]);
    assert.equal(none.scrapeWallMaxMs, null);
    assert.equal(none.longestBlockMaxMs, null);
    assert.equal(none.mainThreadWaitingMedianMs, null);
  });

  test('render reports: read from an exposition, each scrape given the one the next exposition showed', () => {
    const text = (seconds: number, hold: number) =>
      `# TYPE canary_exposition_last_render_seconds gauge\ncanary_exposition_last_render_seconds{region="bench"} ${seconds}\n` +
      `canary_exposition_last_render_hold_seconds{region="bench"} ${hold}\nprobe_success{check="a"} 1\n`;
    assert.deepEqual(renderReport(text(0.25, 0.003)), { seconds: 0.25, holdSeconds: 0.003 });
    assert.equal(renderReport('probe_success 1\n'), undefined);
    const scrapes: ScrapeCost[] = [
      { ms: 250, cpuSeconds: 0.2, previousRender: { seconds: 0.4, holdSeconds: 0.05 } },
      { ms: 260, cpuSeconds: 0.2, previousRender: { seconds: 0.2, holdSeconds: 0.004 } },
    ];
    attachRenderReports(scrapes, text(0.21, 0.0125));
    assert.deepEqual(
      scrapes.map((s) => s.render),
      [
        { seconds: 0.2, holdSeconds: 0.004 },
        { seconds: 0.21, holdSeconds: 0.0125 },
      ],
    );
    assert.equal(scrapeFigures(scrapes).renderHoldMaxMs, 12.5);
  });

  test('schedstat: on-CPU and run-queue nanoseconds read as ms; this process has a main thread that ran', (t) => {
    assert.deepEqual(parseSchedstat('12500000 3000000 42\n'), { onCpuMs: 12.5, waitingMs: 3 });
    assert.equal(parseSchedstat('garbage'), undefined);
    const self = mainThreadTime(process.pid);
    if (self === undefined) return t.skip('this kernel keeps no /proc/<pid>/task/<tid>/schedstat');
    assert.ok(self.onCpuMs > 0);
  });
});
