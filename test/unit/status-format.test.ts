/** `canary status` text: colour only on a terminal without NO_COLOR, and relative times. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ago, chaosLine, useColour } from '../../src/cli/status-format.js';

test('colour on a terminal, never with NO_COLOR set or into a pipe', () => {
  assert.equal(useColour(true, {}), true);
  assert.equal(useColour(true, { NO_COLOR: '1' }), false);
  assert.equal(useColour(false, {}), false);
  assert.equal(useColour(undefined, {}), false);
});

test('last run as a relative time', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(ago(null, now), '-');
  assert.equal(ago('2026-01-01T11:59:55Z', now), '5s ago');
  assert.equal(ago('2026-01-01T11:50:00Z', now), '10m ago');
  assert.equal(ago('2026-01-01T09:00:00Z', now), '3h ago');
  assert.equal(ago('2025-12-29T12:00:00Z', now), '3d ago');
});

test('the chaos line names a halt and the run in progress at its step', () => {
  assert.equal(
    chaosLine({
      enabled: true,
      halted: { operator: 'alice', at: '2026-01-01T12:00:00.000Z', reason: 'INC-1' },
      active: {
        runId: 'r1',
        experiment: 'kill-one',
        step: { id: 'method[1]', index: 1, of: 3, label: 'pause 20s' },
      },
    }),
    'chaos: scheduled runs on; HALTED by alice at 2026-01-01T12:00:00.000Z (INC-1); ' +
      'running kill-one (r1) at method[1] (2 of 3) pause 20s',
  );
});
