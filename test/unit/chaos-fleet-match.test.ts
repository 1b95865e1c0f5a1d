/** Which runs a fleet halt covers, and how `--match` is read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeHalt, haltCovers } from '../../src/chaos/fleet/halt.js';
import { parseMatch } from '../../src/cli/commands/chaos/fleet-halt.js';

const run = { experiment: 'kill-one', region: 'eu-west-1', target: 'api,backends' };
const halt = (labels: Record<string, string>) => ({ labels: { alertname: 'CanaryChaosHalt', ...labels } });

test('a halt without match labels covers every run; each label it has must agree', () => {
  assert.equal(haltCovers(halt({}), run), true);
  assert.equal(haltCovers(halt({ region: 'eu-west-1' }), run), true);
  assert.equal(haltCovers(halt({ region: 'us-east-1' }), run), false);
  assert.equal(haltCovers(halt({ experiment: 'kill-one', region: 'eu-west-1' }), run), true);
  assert.equal(haltCovers(halt({ experiment: 'other' }), run), false);
  // target: one of the run's targets.
  assert.equal(haltCovers(halt({ target: 'backends' }), run), true);
  assert.equal(haltCovers(halt({ target: 'back' }), run), false);
});

test('the journal reason names who halted, the scope and why', () => {
  const alert = { ...halt({ region: 'eu-west-1' }), annotations: { operator: 'oncall', reason: 'INC-1' } };
  assert.equal(describeHalt(alert), 'halted fleet-wide by oncall (region=eu-west-1): INC-1');
});

test('--match takes experiment, region and target only, as KEY=VALUE', () => {
  assert.deepEqual(parseMatch(['region=eu-west-1', 'target=a=b']), { region: 'eu-west-1', target: 'a=b' });
  for (const bad of ['operator=x', 'region', 'region=', '=x'])
    assert.throws(() => parseMatch([bad]), /--match: .* must be KEY=VALUE with KEY one of experiment, region, target/);
});
