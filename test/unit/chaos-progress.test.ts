/** The progress printer of `canary chaos run`: lines, time stamps, and the live line on a terminal only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeProgress, liveFigures, ProgressPrinter } from '../../src/cli/chaos-progress.js';
import type { HypothesisReport } from '../../src/chaos/model/journal.js';

const ERASE = '\r\u001b[2K';

function fakeStream(isTTY: boolean): { isTTY: boolean; writes: string[]; write(text: string): void } {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

const held: HypothesisReport = {
  at: '2026-01-01T00:00:00.000Z',
  holds: true,
  entries: [{ check: 'front', holds: true, samples: 12, values: { successRatio: 0.975, p95: 0.0123 }, failed: [] }],
};

let clock = 0;
const now = () => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, clock++));

test('a line per event, time-stamped, in the order given', () => {
  clock = 0;
  const out = fakeStream(false);
  const printer = new ProgressPrinter(out, { now, live: () => 'now: figures' });
  printer.start();
  printer.event({ type: 'step.start', step: 'method[0]', action: 'process' });
  printer.event({ type: 'fault.applied', step: 'method[0]', instance: 'v2', ok: true });
  printer.event({ type: 'wave.start', step: 'method[1]', wave: 1, waves: 2, instances: ['v2'] });
  printer.event({ type: 'wave.end', step: 'method[1]', wave: 1, gate: false });
  printer.event({ type: 'hypothesis', phase: 'before', report: held });
  printer.event({ type: 'rollback.end', ok: true });
  printer.stop();
  assert.deepEqual(out.writes, [
    '2026-01-01T00:00:00.000Z step method[0] (process) started\n',
    '2026-01-01T00:00:00.001Z fault applied: method[0] on v2\n',
    '2026-01-01T00:00:00.002Z wave 1/2 of method[1] started: v2\n',
    '2026-01-01T00:00:00.003Z wave 1 of method[1]: gate FAILED\n',
    '2026-01-01T00:00:00.004Z steady state before: held — front (12 results) successRatio=0.9750 p95=12.3ms\n',
    '2026-01-01T00:00:00.005Z rollback done\n',
  ]);
});

test('on a terminal the live line is erased before each line, drawn again after it, and erased at the end', () => {
  clock = 0;
  const out = fakeStream(true);
  let figures = 'now: a';
  const printer = new ProgressPrinter(out, { now, live: () => figures, everyMs: 3_600_000 });
  printer.start();
  printer.redraw();
  figures = 'now: b';
  printer.line('rollback started');
  printer.stop();
  printer.line('after the end');
  assert.deepEqual(out.writes, [
    `${ERASE}now: a`,
    ERASE,
    '2026-01-01T00:00:00.000Z rollback started\n',
    `${ERASE}now: b`,
    ERASE,
    '2026-01-01T00:00:00.001Z after the end\n',
  ]);
});

test('no live line before start, nor when there is nothing to measure', () => {
  clock = 0;
  const out = fakeStream(true);
  const printer = new ProgressPrinter(out, { now, live: () => undefined, everyMs: 3_600_000 });
  printer.line('before start');
  printer.start();
  printer.redraw();
  printer.stop();
  assert.deepEqual(out.writes, ['2026-01-01T00:00:00.000Z before start\n']);
});

test('failures are written in capitals with their reason', () => {
  assert.equal(
    describeProgress({ type: 'step.end', step: 'method[0]', status: 'failed', error: 'v2: no such process' }),
    'step method[0] FAILED (v2: no such process)',
  );
  assert.equal(
    describeProgress({ type: 'fault.reverted', step: 'method[0]', instance: 'v2', ok: false, error: 'timed out' }),
    'revert FAILED: method[0] on v2 (timed out)',
  );
  assert.equal(
    describeProgress({ type: 'hypothesis', phase: 'after', report: { ...held, holds: false } }),
    'steady state after rollback: did NOT hold — front (12 results) successRatio=0.9750 p95=12.3ms',
  );
  assert.equal(describeProgress({ type: 'wave.end', step: 'restore', wave: 1 }), 'wave 1 of restore: gate not judged');
});

test('the live figures are the hypothesis checks as measured, none for an empty steady state', () => {
  assert.equal(liveFigures(held), 'now: front (12 results) successRatio=0.9750 p95=12.3ms');
  assert.equal(liveFigures({ ...held, entries: [] }), undefined);
});
