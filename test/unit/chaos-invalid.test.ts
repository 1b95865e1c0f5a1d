import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { loadExperiment } from '../../src/chaos/load.js';
import { formatProblem, isCanaryError } from '../../src/errors.js';
import { assertReportsExactly, fixtureFiles } from '../helpers/fixtures.js';
import { fixture, repoRoot } from '../helpers/paths.js';

// Messages name files relative to the working directory; the fixtures are written from the root.
process.chdir(repoRoot);

const dir = fixture('chaos', 'invalid');
const fixtures = fixtureFiles(dir);
const config = await loadConfig(fixture('chaos', 'agent.yaml'), { env: {} });

for (const file of fixtures) {
  test(`invalid experiment ${file} reports exactly its problems`, () =>
    assertReportsExactly(dir, file, (path) => loadExperiment(path, config, { env: {} })));
}

test('there is an invalid fixture per rule of the format and of its cross references', () => {
  assert.ok(fixtures.length >= 45, `only ${fixtures.length} invalid fixtures`);
});

test('a missing experiment file is a config error naming the file', async () => {
  await assert.rejects(loadExperiment('test/fixtures/chaos/no-such-file.yaml', config, { env: {} }), (err: unknown) => {
    assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'));
    assert.equal(
      err.problems.map(formatProblem).join('\n'),
      'test/fixtures/chaos/no-such-file.yaml: cannot read file: ENOENT',
    );
    assert.match(err.message, /^invalid configuration \(1 problem\):\n/);
    return true;
  });
});
