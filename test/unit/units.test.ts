import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration, parseSize } from '../../src/config/units.js';

test('durations parse with every unit and in compound form', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('14d'), 14 * 86_400_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1.5s'), 1_500);
});

test('things that are not durations are rejected', () => {
  for (const bad of ['', '30', 's', '10 s', '-5s', '1x', '5sec']) assert.equal(parseDuration(bad), undefined, bad);
});

test('sizes parse in bytes, SI and binary units', () => {
  assert.equal(parseSize(65536), 65536);
  assert.equal(parseSize('1MiB'), 1_048_576);
  assert.equal(parseSize('16KiB'), 16_384);
  assert.equal(parseSize('10MB'), 10_000_000);
  assert.equal(parseSize('12'), 12);
  assert.equal(parseSize('1 TB'), undefined);
  assert.equal(parseSize(-1), undefined);
});

test('durations format back for messages', () => {
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatDuration(1_500), '1.5s');
  assert.equal(formatDuration(90_000), '1.5m');
});
