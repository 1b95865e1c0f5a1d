import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LevelWithSilent } from 'pino';
import { LogSink } from '../../src/exporters/log.js';
import { createLogger } from '../../src/log.js';
import { EventBus } from '../../src/results/bus.js';
import type { CheckResult } from '../../src/results/types.js';
import { makeResult } from '../helpers/results.js';

type Line = Record<string, unknown>;

function setup(level: LevelWithSilent): { bus: EventBus; lines: Line[]; sink: LogSink } {
  const lines: Line[] = [];
  const logger = createLogger({
    level,
    destination: { write: (msg: string) => void lines.push(JSON.parse(msg) as Line) },
  });
  const bus = new EventBus();
  return { bus, lines, sink: new LogSink({ bus, logger }) };
}

function result(check: string, ok: boolean, extra: Partial<Omit<CheckResult, 'observation'>> = {}): CheckResult {
  const failed = ok ? {} : { reason: 'http_status' as const, message: 'status 503, expected one of 2xx' };
  const fields = {
    check,
    target: `https://127.0.0.1/${check}`,
    region: 'eu-west-1',
    ok,
    ...failed,
    startedAt: 1_700_000_000_000,
    durationSeconds: 0.25,
  };
  return makeResult({ ...fields, ...extra }, { ok: true, durationSeconds: 0.25 });
}

test('a state change logs once: first result info, up->down warn with details, down->up info', () => {
  const { bus, lines } = setup('info');
  bus.emit('result', result('api', true));
  bus.emit('result', result('api', true));
  bus.emit('result', result('api', false));
  bus.emit('result', result('api', false));
  bus.emit('result', result('api', true));
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [
      ['info', 'check is up'],
      ['warn', 'check went down'],
      ['info', 'check recovered'],
    ],
  );
  const down = lines[1] as Line;
  assert.equal(down.check, 'api');
  assert.equal(down.kind, 'http');
  assert.equal(down.region, 'eu-west-1');
  assert.equal(down.target, 'https://127.0.0.1/api');
  assert.equal(down.ok, false);
  assert.equal(down.reason, 'http_status');
  assert.equal(down.message, 'status 503, expected one of 2xx');
  assert.equal(down.durationSeconds, 0.25);
  assert.equal(typeof down.time, 'string', 'time is ISO 8601');
  assert.ok(!('reason' in (lines[0] as Line)), 'a success carries no reason');
});

test('a check that starts down logs its first state at warn, with the reason', () => {
  const { bus, lines } = setup('info');
  bus.emit('result', result('db', false, { reason: 'refused', message: 'connect ECONNREFUSED 127.0.0.1:1' }));
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.level, 'warn');
  assert.equal(lines[0]?.msg, 'check is down');
  assert.equal(lines[0]?.reason, 'refused');
});

test('recovery says how long the check was down, from its first failing run', () => {
  const { bus, lines } = setup('info');
  bus.emit('result', result('api', true, { startedAt: 1_000_000 }));
  bus.emit('result', result('api', false, { startedAt: 1_010_000 }));
  bus.emit('result', result('api', false, { startedAt: 1_020_000 }));
  bus.emit('result', result('api', true, { startedAt: 1_042_500 }));
  assert.equal(lines[2]?.msg, 'check recovered');
  assert.equal(lines[2]?.downSeconds, 32.5);
  // Down from its first run: counted from that run.
  bus.emit('result', result('db', false, { startedAt: 2_000_000 }));
  bus.emit('result', result('db', true, { startedAt: 2_005_000 }));
  assert.equal(lines.at(-1)?.downSeconds, 5);
});

test('checks are tracked apart; the steady state writes nothing at info level', () => {
  const { bus, lines } = setup('info');
  for (let i = 0; i < 50; i++) {
    bus.emit('result', result('a', true));
    bus.emit('result', result('b', false));
  }
  assert.deepEqual(
    lines.map((l) => [l.check, l.msg]),
    [
      ['a', 'check is up'],
      ['b', 'check is down'],
    ],
  );
});

test('at debug level every result writes exactly one line', () => {
  const { bus, lines } = setup('debug');
  const oks = [true, true, false, false, true, true];
  for (const ok of oks) bus.emit('result', result('api', ok));
  assert.equal(lines.length, oks.length);
  assert.deepEqual(
    lines.map((l) => l.level),
    ['info', 'debug', 'warn', 'debug', 'info', 'debug'],
  );
  assert.deepEqual(
    lines.map((l) => l.ok),
    oks,
  );
});

test('bus errors are logged at error; forget() and close() behave', () => {
  const { bus, lines, sink } = setup('info');
  bus.on('result', () => {
    throw new Error('sink exploded');
  });
  bus.emit('result', result('api', true));
  const error = lines.find((l) => l.level === 'error');
  assert.ok(error, 'no error line');
  assert.equal(error.event, 'result');
  assert.equal((error.err as { message?: string }).message, 'sink exploded');

  lines.length = 0;
  sink.forget('api');
  bus.emit('result', result('api', true));
  assert.equal(
    lines.find((l) => l.check === 'api')?.msg,
    'check is up',
    'a forgotten check logs its first state again',
  );

  lines.length = 0;
  sink.close();
  bus.emit('result', result('api', false));
  assert.ok(!lines.some((l) => l.check === 'api'), 'closed sink still logs');
});
