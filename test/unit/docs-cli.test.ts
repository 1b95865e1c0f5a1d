/**
 * The `canary` commands the documentation shows exist: every `canary ...` line in a shell
 * block of every Markdown file names a real (sub)command with real flags and the right
 * number of arguments, and the README's command table has one row per command, with
 * flags that exist. The truth is the commander program the binary runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { SHELL_BLOCKS, commandPath, invocationProblems, invocations, shellCommands } from '../helpers/cli-examples.js';
import { markdownFiles, parseMarkdown, readText } from '../helpers/markdown.js';
import { repoRoot } from '../helpers/paths.js';

const program = buildProgram({ out: () => undefined, err: () => undefined, exitCode: 0 });

/** Commands without subcommands: what a user can run. */
function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
}

test('shell words: quotes, escapes, comments, pipes and redirections', () => {
  assert.deepEqual(shellCommands(`canary chaos halt --reason "INC 1" # why`), [
    ['canary', 'chaos', 'halt', '--reason', 'INC 1'],
  ]);
  assert.deepEqual(shellCommands(`npx canary lab & curl -s 'a b' | grep -E '^x'`), [
    ['npx', 'canary', 'lab'],
    ['curl', '-s', 'a b'],
    ['grep', '-E', '^x'],
  ]);
  assert.deepEqual(shellCommands('canary probe https://<host>/ --json 2>/dev/null && echo ok'), [
    ['canary', 'probe', 'https://<host>/', '--json'],
    ['echo', 'ok'],
  ]);
  const block = {
    info: 'sh',
    lines: [
      { line: 3, text: '$ OTEL_X=1 npx canary gate --runs 3 \\' },
      { line: 4, text: '  --json' },
    ],
  };
  assert.deepEqual(invocations(block), [{ line: 3, words: ['gate', '--runs', '3', '--json'] }]);
  const node = {
    info: 'console',
    lines: [{ line: 1, text: 'sudo env A=1 /usr/bin/node --liftoff-only /opt/canary/dist/src/cli/main.js validate' }],
  };
  assert.deepEqual(invocations(node), [{ line: 1, words: ['validate'] }]);
});

test('an invocation is checked against the program: subcommands, flags, values and arguments', () => {
  const problems = (line: string) => invocationProblems(program, shellCommands(line)[0] ?? []);
  assert.deepEqual(problems('chaos audit verify --config=config/agent.yaml --json'), []);
  assert.deepEqual(problems('probe https://example.com/ -X POST -H a:b -s200 --no-follow-redirects'), []);
  assert.deepEqual(problems('kubernetes generate --help'), []);
  assert.deepEqual(problems('--version'), []);
  assert.deepEqual(problems('chaos explode'), [
    'canary chaos has no subcommand "explode" (it has run, validate, list, halt, resume, recover, audit)',
  ]);
  assert.deepEqual(problems('probe https://example.com/ --expect 200'), ['canary probe has no option --expect']);
  assert.deepEqual(problems('probe https://example.com/ -Q'), ['canary probe has no option -Q']);
  assert.deepEqual(problems('validate --json=yes'), ['canary validate: --json takes no value']);
  assert.deepEqual(problems('run --config'), ['canary run: --config needs a value']);
  assert.deepEqual(problems('probe'), ['canary probe needs 1 argument(s), got 0']);
  assert.deepEqual(problems('validate extra'), ['canary validate takes 0 argument(s), got 1: extra']);
  assert.deepEqual(problems('rules'), ['canary rules needs a subcommand (generate)']);
});

test('every canary command in a shell block of the Markdown files exists, with its flags', () => {
  let checked = 0;
  const problems: string[] = [];
  for (const file of markdownFiles(repoRoot)) {
    for (const block of parseMarkdown(readText(repoRoot, file)).blocks) {
      if (!SHELL_BLOCKS.has(block.info)) continue;
      for (const { line, words } of invocations(block)) {
        checked++;
        problems.push(
          ...invocationProblems(program, words).map((p) => `${file}:${line}: canary ${words.join(' ')}: ${p}`),
        );
      }
    }
  }
  assert.ok(checked >= 20, `only ${checked} canary commands found in shell blocks`);
  assert.deepEqual(problems, [], `${problems.length} wrong commands:\n${problems.join('\n')}`);
});

test("the README's command table has a row for every command, and only flags that exist", () => {
  const text = readText(repoRoot, 'README.md');
  const rows = text
    .split('\n')
    .map((raw, i) => ({ line: i + 1, span: /^\| `(canary [^`]*)`/.exec(raw)?.[1] }))
    .filter((row): row is { line: number; span: string } => row.span !== undefined);
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const { line, span } of rows) {
    // The command is its leading words; every flag written anywhere in the cell must exist.
    const words = span.replace(/\\\|/g, '|').split(/\s+/).slice(1);
    const first = words.findIndex((w) => !/^[a-z][a-z-]*$/.test(w));
    const names = first < 0 ? words : words.slice(0, first);
    const path = invocationProblems(program, [...names, '--help']).length === 0 ? names : [];
    let command: Command | undefined = program;
    for (const name of path) command = command?.commands.find((c) => c.name() === name);
    if (!command || command === program || command.commands.length > 0) {
      problems.push(`README.md:${line}: ${span}: not a command`);
      continue;
    }
    listed.add(commandPath(command));
    // Dots too: `--web.config.file` is spelled as Prometheus exporters spell it.
    for (const [flag] of span.matchAll(/(?<![\w-])--?[A-Za-z](?:[\w.-]*[\w-])?/g)) {
      const found = invocationProblems(program, [...path, flag]).filter((p) => p.includes(' has no option '));
      problems.push(...found.map((p) => `README.md:${line}: ${p}`));
    }
  }
  for (const leaf of leaves(program)) {
    if (!listed.has(commandPath(leaf)))
      problems.push(`README.md: the command table has no row for ${commandPath(leaf)}`);
  }
  assert.deepEqual(problems, [], `${problems.length} problems:\n${problems.join('\n')}`);
});
