import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fatalHandler } from '../../src/cli/lifecycle.js';
import { createLogger } from '../../src/log.js';

type Line = Record<string, unknown>;

/** The policy with a recording logger, stop and exit; the stop ends when the test calls `finish`. */
function harness(stopResult: 'ok' | 'fails' = 'ok') {
  const lines: Line[] = [];
  const events: string[] = [];
  let finishStop = (): void => assert.fail('stop was not called');
  let exitWith = (_code: number): void => undefined;
  const exited = new Promise<number>((resolve) => (exitWith = resolve));
  const handle = fatalHandler({
    logger: createLogger({
      level: 'info',
      destination: { write: (msg: string) => void lines.push(JSON.parse(msg) as Line) },
    }),
    stop: () => {
      events.push('stop');
      return new Promise<void>((done, fail) => {
        finishStop = () => (stopResult === 'ok' ? done() : fail(new Error('rollback failed')));
      });
    },
    exit: (code) => {
      events.push(`exit ${code}`);
      exitWith(code);
    },
  });
  return { lines, events, exited, handle, finish: () => finishStop() };
}

test('an unhandled rejection is one fatal line with message and stack, then a graceful stop, then exit 1', async () => {
  const h = harness();
  h.handle('unhandledRejection', new TypeError('boom'));
  assert.deepEqual(h.events, ['stop'], 'stops first, does not exit before the stop ends');
  assert.equal(h.lines.length, 1);
  const [line] = h.lines;
  assert.equal(line?.level, 'fatal');
  assert.equal(line?.kind, 'unhandledRejection');
  assert.equal(line?.error, 'boom');
  assert.match(String(line?.stack), /^TypeError: boom\n\s+at /);
  h.finish();
  assert.equal(await h.exited, 1);
  assert.deepEqual(h.events, ['stop', 'exit 1']);
});

test('a second error while stopping is logged but does not stop again or exit early', async () => {
  const h = harness();
  h.handle('uncaughtException', new Error('first'));
  h.handle('unhandledRejection', 'not an Error');
  assert.deepEqual(h.events, ['stop']);
  assert.deepEqual(
    h.lines.map((l) => [l.kind, l.error, l.stopping]),
    [
      ['uncaughtException', 'first', false],
      ['unhandledRejection', 'not an Error', true],
    ],
  );
  h.finish();
  assert.equal(await h.exited, 1);
  assert.deepEqual(h.events, ['stop', 'exit 1']);
});

test('a stop that fails is logged and the process still exits 1', async () => {
  const h = harness('fails');
  h.handle('uncaughtException', new Error('first'));
  h.finish();
  assert.equal(await h.exited, 1);
  assert.equal(h.lines.at(-1)?.error, 'rollback failed');
});

test('a stop with a chaos rollback in progress waits for its budget, not 10 s, logging progress each second', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
  const lines: Line[] = [];
  const exits: number[] = [];
  let rollingBack = true;
  const handle = fatalHandler({
    logger: createLogger({
      level: 'info',
      destination: { write: (msg: string) => void lines.push(JSON.parse(msg) as Line) },
    }),
    // A stop that never ends by itself: only the deadline can end the process.
    stop: () => new Promise<void>(() => undefined),
    pending: () => ({ what: 'chaos rollback of slow', budgetMs: 120_000, active: () => rollingBack }),
    exit: (code) => void exits.push(code),
  });
  handle('uncaughtException', new Error('boom'));
  const progress = () => lines.filter((l) => String(l.msg).startsWith('waiting for chaos rollback'));
  // The mock clock jumps to the end of a tick before firing its timers: one second at a time.
  const seconds = (n: number) => {
    for (let i = 0; i < n; i++) t.mock.timers.tick(1_000);
  };
  seconds(3);
  assert.deepEqual(
    progress().map((l) => l.msg),
    [1, 2, 3].map((n) => `waiting for chaos rollback of slow: ${n} s of 120 s`),
  );
  seconds(60);
  assert.deepEqual(exits, [], 'still waiting well past 10 s');
  rollingBack = false;
  seconds(5);
  assert.equal(progress().length, 63, 'no progress once the rollback is over');
  seconds(61);
  assert.deepEqual(exits, [], 'not before the budget plus 10 s');
  seconds(1);
  assert.deepEqual(exits, [1], 'cut at the budget plus 10 s when the stop still hangs');
  assert.equal(lines.at(-1)?.why, 'stop took longer than 130s');
});

test('without a rollback in progress a hanging stop is cut after 10 s', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
  const exits: number[] = [];
  const handle = fatalHandler({
    logger: createLogger({ level: 'silent' }),
    stop: () => new Promise<void>(() => undefined),
    pending: () => undefined,
    exit: (code) => void exits.push(code),
  });
  handle('uncaughtException', new Error('boom'));
  t.mock.timers.tick(9_999);
  assert.deepEqual(exits, []);
  t.mock.timers.tick(1);
  assert.deepEqual(exits, [1]);
});
