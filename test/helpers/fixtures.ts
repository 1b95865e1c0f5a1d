/**
 * Invalid-fixture runs: every file in a directory of invalid fixtures ends with
 * `# expect:` lines, exactly the problems the loader must report for it, in order; a
 * problem shown with its line and a caret (a YAML syntax error) is followed by `# shows:`
 * lines, exactly those two lines of the message. One
 * runner for every loader (agent config, chaos experiments), so each holds its fixtures to
 * the same rule: all problems at once, each with its place, nothing more.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatProblem, isCanaryError } from '../../src/errors.js';

/** The YAML fixtures in `dir`, by file name. */
export function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml'));
}

/** The problems a fixture's `# expect:` lines name, in order. */
export function expectedProblems(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('# expect: '))
    .map((line) => line.slice('# expect: '.length));
}

/** The lines of the error's message after its first, as a fixture's `# expect:` and `# shows:` lines say. */
function expectedMessage(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const match = /^# (?:expect|shows): (.*)$/.exec(line);
      return match ? [match[1] as string] : [];
    });
}

/**
 * Loads `dir/file` with `load` and asserts it fails with a config error listing exactly
 * the fixture's expected problems, in order, both as problems and in the message.
 */
export async function assertReportsExactly(
  dir: string,
  file: string,
  load: (path: string) => Promise<unknown>,
): Promise<void> {
  const path = join(dir, file);
  const want = expectedProblems(path);
  assert.ok(want.length > 0, `${basename(path)} has no "# expect:" lines`);
  const err = await load(path).then(
    () => assert.fail(`${basename(path)} loaded without error`),
    (e: unknown) => e,
  );
  assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'), `unexpected error: ${String(err)}`);
  assert.deepEqual(err.problems.map(formatProblem), want);
  assert.equal(err.message.split('\n').slice(1).join('\n'), expectedMessage(path).join('\n'));
}
