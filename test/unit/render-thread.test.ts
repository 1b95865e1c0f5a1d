/**
 * `exporters.prometheus.renderThread`: that the render thread starts when asked, that what it renders
 * is what the agent's thread renders from the same store, and that a scrape still gets an
 * answer once the thread is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { CheckExposition } from '../../src/exporters/prometheus/check-exposition.js';
import { samples } from '../bench/prom-text.js';
import { makeResult } from '../helpers/results.js';

const LABELS = 'region="eu",team="sre"';

function checks(n: number): { name: string; kind: string }[] {
  return Array.from({ length: n }, (_, i) => ({ name: `c${i}`, kind: 'http' }));
}

function feed(exposition: CheckExposition, n: number, round: number): void {
  for (let i = 0; i < n; i++)
    exposition.record(
      makeResult(
        {
          check: `c${i}`,
          region: 'eu',
          ok: (i + round) % 7 !== 0,
          startedAt: 1_700_000_000_000,
          durationSeconds: 0.001 * (i + round),
        },
        { phases: { processing: 0.0005 * i } },
      ),
    );
}

async function text(exposition: CheckExposition, openMetrics: boolean, gzip: boolean): Promise<string> {
  const { chunks } = await exposition.exposition(Buffer.from('# head\n'), openMetrics, gzip);
  const bytes = Buffer.concat(chunks);
  return (gzip ? gunzipSync(bytes) : bytes).toString('utf8');
}

test('renderThread: true starts the thread, false and absent do not', async () => {
  const on = new CheckExposition(LABELS, { level: 'basic', renderThread: true });
  on.setChecks(checks(1));
  assert.equal(on.threaded, true);
  await on.close();
  for (const renderThread of [false, undefined]) {
    const off = new CheckExposition(LABELS, {
      level: 'basic',
      ...(renderThread === undefined ? {} : { renderThread }),
    });
    off.setChecks(checks(3_000));
    assert.equal(off.threaded, false);
  }
});

test('the thread renders what the agent’s thread renders, in both formats, plain and gzipped, across reloads', async () => {
  const threaded = new CheckExposition(LABELS, { level: 'full', renderThread: true });
  const here = new CheckExposition(LABELS, { level: 'full', renderThread: false });
  try {
    for (const [round, n] of [
      [1, 40],
      [2, 300], // the store grows: the snapshots change shape
      [3, 120], // and shrinks, with a new plan
    ] as const) {
      for (const e of [threaded, here]) {
        e.setChecks(checks(n));
        feed(e, n, round);
      }
      for (const openMetrics of [false, true])
        for (const gzip of [false, true]) {
          const mine = await text(threaded, openMetrics, gzip);
          assert.match(mine, new RegExp(`^probe_success\\{check="c${n - 1}",kind="http",${LABELS}\\} [01]$`, 'm'));
          assert.equal(
            mine,
            await text(here, openMetrics, gzip),
            `round ${round}, openMetrics ${openMetrics}, gzip ${gzip}`,
          );
        }
    }
    assert.equal(threaded.threaded, true, 'every render above was made on the thread');
  } finally {
    await threaded.close();
  }
});

test('a render on the thread shows the store as it was when the scrape began, whatever is recorded after', async () => {
  const e = new CheckExposition(LABELS, { level: 'full', renderThread: true });
  try {
    e.setChecks(checks(50));
    feed(e, 50, 1);
    const pending = e.exposition(new Uint8Array(0), false, false);
    // Recorded while the thread renders: not in this render, in the next one.
    for (let k = 0; k < 20; k++) feed(e, 50, 2);
    const before = Buffer.concat((await pending).chunks).toString('utf8');
    const after = await text(e, false, false);
    const runs = (body: string): number => {
      const [sample] = samples(body, 'canary_probe_runs_total', { check: 'c1', result: 'success' });
      assert.ok(sample, 'c1 has a success counter');
      return sample.value;
    };
    assert.equal(runs(before), 1, 'the render shows the one run recorded before it began');
    assert.equal(runs(after), 21, 'the next render shows the twenty recorded during the first');
  } finally {
    await e.close();
  }
});

test('once the thread is gone, scrapes are rendered on the agent’s thread', async () => {
  const e = new CheckExposition(LABELS, { level: 'full', renderThread: true });
  e.setChecks(checks(10));
  feed(e, 10, 1);
  const threaded = await text(e, true, true);
  await e.close();
  assert.equal(e.threaded, false);
  assert.equal(await text(e, true, true), threaded);
});
