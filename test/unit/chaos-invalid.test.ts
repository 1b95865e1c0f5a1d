import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import { loadExperiment } from '../../src/chaos/load.js';
import { formatProblem, isCanaryError } from '../../src/errors.js';
import { fixture, repoRoot } from '../helpers/paths.js';

// Messages name files relative to the working directory; the fixtures are written from the root.
process.chdir(repoRoot);

const dir = fixture('chaos', 'invalid');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const config = await loadConfig(fixture('chaos', 'agent.yaml'), { env: {} });

/** Each fixture ends with `# expect:` lines: exactly the problems the loader must report, in order. */
function expected(file: string): string[] {
  return readFileSync(`${dir}/${file}`, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('# expect: '))
    .map((line) => line.slice('# expect: '.length));
}

for (const file of fixtures) {
  test(`invalid experiment ${file} reports exactly its problems`, async () => {
    const want = expected(file);
    assert.ok(want.length > 0, `${file} has no "# expect:" lines`);
    const err = await loadExperiment(`${dir}/${file}`, config, { env: {} }).then(
      () => assert.fail(`${file} loaded without error`),
      (e: unknown) => e,
    );
    assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'), `unexpected error: ${String(err)}`);
    assert.deepEqual(err.problems.map(formatProblem), want);
    assert.equal(err.message.split('\n').slice(1).join('\n'), want.join('\n'));
  });
}

test('there is an invalid fixture per rule of the format and of its cross references', () => {
  assert.ok(fixtures.length >= 45, `only ${fixtures.length} invalid fixtures`);
});

test('a missing experiment file is a config error naming the file', async () => {
  await assert.rejects(loadExperiment('test/fixtures/chaos/no-such-file.yaml', config, { env: {} }), (err: unknown) => {
    assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'));
    assert.equal(err.problems.map(formatProblem).join('\n'), 'test/fixtures/chaos/no-such-file.yaml: cannot read file: ENOENT');
    assert.match(err.message, /^invalid configuration \(1 problem\):\n/);
    return true;
  });
});
