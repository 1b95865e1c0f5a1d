import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { formatProblem, isCanaryError } from '../../src/errors.js';
import { assertReportsExactly, fixtureFiles } from '../helpers/fixtures.js';
import { fixture, repoRoot } from '../helpers/paths.js';

// Messages name files relative to the working directory; the fixtures are written from the root.
process.chdir(repoRoot);

const dir = fixture('config', 'invalid');
const fixtures = fixtureFiles(dir);

for (const file of fixtures) {
  test(`invalid fixture ${file} reports exactly its problems`, () =>
    assertReportsExactly(dir, file, (path) => loadConfig(path, { env: {} })));
}

test('every fixture is one rule: fixtures cover the rules listed in docs/configuration.md', () => {
  assert.ok(fixtures.length >= 25, `only ${fixtures.length} invalid fixtures`);
  const docs = readFileSync(join(repoRoot, 'docs', 'configuration.md'), 'utf8');
  assert.ok(
    docs.includes('each with a fixture in `test/fixtures/config/invalid/`'),
    'docs/configuration.md lists the rules and points at their fixtures',
  );
});

test('a missing config file is a config error naming the file', async () => {
  await assert.rejects(loadConfig('test/fixtures/config/no-such-file.yaml', { env: {} }), (err: unknown) => {
    assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'));
    assert.equal(
      err.problems.map(formatProblem).join('\n'),
      'test/fixtures/config/no-such-file.yaml: cannot read file: ENOENT',
    );
    return true;
  });
});
