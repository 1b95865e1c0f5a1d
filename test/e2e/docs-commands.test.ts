/**
 * Every `canary …` / `npx canary …` command in a shell block of README.md and docs/*.md,
 * run as written, from a copy of the repository's config/, chaos/, probes/, docs/ and
 * deploy/ (so nothing real is overwritten), against `canary lab` started as the docs start
 * it. Long-running commands (run, lab, demo, proxy, status --watch) are started, awaited
 * until ready and stopped with SIGINT: a clean exit is 0. `canary lab` and `canary demo`
 * need the lab's ports, so they run last, after the test's own lab has stopped. A real
 * `chaos run` is interrupted once its first fault is applied and must roll back (exit 1,
 * as documented): chaos-examples-lab.test.ts runs each shipped experiment to completion.
 * The few commands that need something outside this machine are listed in SKIPPED, with
 * why; a listed command that the docs no longer show fails the test, so the list stays true.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SHELL_BLOCKS, invocations } from '../helpers/cli-examples.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { holdLabPorts } from '../helpers/fixed-ports.js';
import { markdownFiles, parseMarkdown, readText } from '../helpers/markdown.js';
import { fixture, repoRoot } from '../helpers/paths.js';
import { eventually } from '../helpers/wait.js';

/** Commands that cannot run here, as `FILE: canary WORDS` (the words as the shell splits them), and why. */
const SKIPPED: Record<string, string> = {
  'README.md: canary probe https://example.com/ --expect-status 200 --timeout 5s': 'example.com is outside loopback',
  'docs/probes.md: canary probe https://example.com/ --expect-status 200 --timeout 5s':
    'example.com is outside loopback',
  'docs/probes.md: canary probe example.com:443 --kind tls': 'example.com is outside loopback',
  'docs/configuration.md: canary init --openapi https://api.example.com/openapi.json --json --out config/api-remote.yaml':
    'fetches its document from example.com, outside loopback',
  'docs/probes.md: canary gate --config config/agent.yaml --base-url https://green.internal:8443 --runs 30 --interval 1s --min-success-ratio 0.99 --max-p95 500ms --json':
    "the reader's new deployment, green.internal",
  'docs/blackbox.md: canary validate --blackbox-config /etc/blackbox_exporter/blackbox.yml':
    "the reader's blackbox_exporter installation in /etc",
  'docs/blackbox.md: canary run --blackbox-config /etc/blackbox_exporter/blackbox.yml':
    "the reader's blackbox_exporter installation in /etc",
  'docs/tracing.md: canary run --config config/agent.yaml': 'exports to an OpenTelemetry Collector at otel-collector',
  'docs/chaos.md: canary chaos halt --fleet --alertmanager http://alertmanager.internal:9093 --reason INC-123':
    "the fleet's Alertmanager",
  'docs/chaos.md: canary chaos halt --fleet --alertmanager http://alertmanager.internal:9093 --match region=eu-west-1 --match experiment=kill-one-backend':
    "the fleet's Alertmanager",
  'docs/chaos.md: canary chaos resume --fleet --alertmanager http://alertmanager.internal:9093':
    "the fleet's Alertmanager",
  'docs/chaos.md: canary chaos list --config /etc/canary/agent.yaml': "a fleet agent's config in /etc",
  'docs/chaos.md: canary chaos halt --fleet --config /etc/canary/agent.yaml --reason INC-123':
    "a fleet agent's config in /etc, and the fleet's Alertmanager",
  'docs/chaos.md: canary chaos resume --fleet --config /etc/canary/agent.yaml':
    "a fleet agent's config in /etc, and the fleet's Alertmanager",
};

/** Files the docs expect the reader to bring, given here: the blackbox_exporter setup and an OpenAPI spec. */
const READER_FILES: Record<string, string> = {
  'blackbox.yml': readText(fixture('blackbox'), 'blackbox.yml'),
  'prometheus.yml': readText(fixture('blackbox'), 'prometheus.yml'),
  'api/openapi.yaml': [
    'openapi: 3.0.3',
    'info: { title: Shop, version: "1" }',
    'servers: [{ url: "https://api.example.com/v1" }]',
    'paths:',
    '  /health: { get: { operationId: health, responses: { "200": { description: ok } } } }',
    '  /items: { get: { operationId: listItems, responses: { "200": { description: ok } } } }',
  ].join('\n'),
};

/** The copy the commands run in. */
const DIRS = ['config', 'chaos', 'probes', 'docs', 'deploy'];
/** Longest one-shot command; a long-running one's start and stop; the test's lab start. */
const ONE_SHOT_MS = 60_000;
const READY_MS = 30_000;
const STOP_MS = 20_000;

interface DocCommand {
  where: string;
  key: string;
  words: string[];
}

/** Every canary command in a shell block of README.md and docs/*.md, in reading order. */
function docCommands(): DocCommand[] {
  const files = markdownFiles(repoRoot).filter((f) => f === 'README.md' || /^docs\/[^/]+\.md$/.test(f));
  return files.flatMap((file) =>
    parseMarkdown(readText(repoRoot, file))
      .blocks.filter((b) => SHELL_BLOCKS.has(b.info))
      .flatMap((b) => invocations(b))
      .map(({ line, words }) => ({ where: `${file}:${line}`, key: `${file}: canary ${words.join(' ')}`, words })),
  );
}

const work = mkdtempSync(join(tmpdir(), 'canary-docs-commands-'));
let lab: CliProcess | undefined;
let release: (() => void) | undefined;

before(async () => {
  for (const dir of DIRS) cpSync(join(repoRoot, dir), join(work, dir), { recursive: true });
  for (const [path, text] of Object.entries(READER_FILES)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), text);
  }
  release = await holdLabPorts();
  lab = await startLong(['lab']);
});

after(async () => {
  await lab?.kill();
  release?.();
  rmSync(work, { recursive: true, force: true });
});

/** The program a command runs, e.g. `chaos run`. */
const program = (words: readonly string[]) => words.filter((w) => !w.startsWith('-')).slice(0, 2);
const isLab = (words: readonly string[]) => words[0] === 'lab' || words[0] === 'demo';
const isLong = (words: readonly string[]) =>
  ['run', 'lab', 'demo', 'proxy'].includes(words[0] ?? '') ||
  (words[0] === 'status' && (words.includes('--watch') || words.includes('-w')));
const isRealChaosRun = (words: readonly string[]) =>
  program(words).join(' ') === 'chaos run' && !words.includes('--dry-run');

/** What a long-running command prints once it serves. */
function ready(words: readonly string[], lines: readonly string[]): boolean {
  switch (words[0]) {
    case 'run':
    case 'demo':
      return lines.some((l) => l.includes('"msg":"HTTP server listening"'));
    case 'lab':
      return lines.some((l) => l.startsWith('SIGINT/SIGTERM stops') || l.startsWith('{"control"'));
    case 'proxy':
      return lines.some((l) => l.startsWith('{"api"'));
    default:
      return lines.length > 0;
  }
}

const output = (child: CliProcess) => `stdout:\n${child.lines.slice(-20).join('\n')}\nstderr:\n${child.stderr}`;

/** Starts a long-running command and waits until it serves. */
async function startLong(words: readonly string[]): Promise<CliProcess> {
  const child = new CliProcess(words, {}, work);
  try {
    await eventually(
      () => (child.child.exitCode !== null || ready(words, child.lines) ? true : undefined),
      READY_MS,
      `canary ${words.join(' ')} to be ready`,
    );
    if (child.child.exitCode !== null) throw new Error(`exited ${child.child.exitCode} before ready: ${output(child)}`);
  } catch (err) {
    await child.kill();
    throw err;
  }
  return child;
}

/** SIGINT, then the exit code (SIGKILL after STOP_MS: then null). */
async function interrupt(child: CliProcess): Promise<number | null> {
  child.child.kill('SIGINT');
  const timer = setTimeout(() => child.child.kill('SIGKILL'), STOP_MS);
  const { code } = await child.exited;
  clearTimeout(timer);
  return code;
}

async function runLong(words: readonly string[]): Promise<void> {
  const child = await startLong(words);
  assert.equal(await interrupt(child), 0, output(child));
}

/** A real chaos run: until its first fault is applied, then SIGINT: it rolls back and says so. */
async function runChaos(words: readonly string[]): Promise<void> {
  const child = new CliProcess(words, {}, work);
  try {
    const applied = () => child.lines.some((l) => / fault applied: /.test(l));
    await eventually(
      () => (child.child.exitCode !== null || applied() ? true : undefined),
      ONE_SHOT_MS,
      'its first fault',
    );
    if (child.child.exitCode !== null) throw new Error(`exited ${child.child.exitCode} first: ${output(child)}`);
  } catch (err) {
    await child.kill();
    throw err;
  }
  assert.equal(await interrupt(child), 1, output(child));
  assert.match(child.lines.join('\n'), /^[a-z0-9-]+: INTERRUPTED/m, output(child));
  assert.match(child.lines.join('\n'), / fault reverted: /, output(child));
}

/** `canary status` needs an agent: one on the demo's config (127.0.0.1:9464, config/agent.yaml's listen too). */
async function withAgent(words: readonly string[], body: () => Promise<void>): Promise<void> {
  if (words[0] !== 'status') return body();
  const agent = await startLong(['run', '--config', 'config/demo.yaml']);
  try {
    await body();
  } finally {
    assert.equal(await interrupt(agent), 0, output(agent));
  }
}

async function runOne(words: readonly string[]): Promise<void> {
  if (isLong(words)) return runLong(words);
  if (isRealChaosRun(words)) return runChaos(words);
  const run = await runCli(words, { cwd: work, timeoutMs: ONE_SHOT_MS });
  assert.equal(run.code, 0, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
}

const commands = docCommands();

test('the docs show canary commands, and every skipped one is still among them', () => {
  assert.ok(commands.length >= 20, `only ${commands.length} commands found`);
  const shown = new Set(commands.map((c) => c.key));
  const gone = Object.keys(SKIPPED).filter((key) => !shown.has(key));
  assert.deepEqual(gone, [], 'listed in SKIPPED but no longer in the docs: drop them from the list');
});

test('every canary command in the docs works as written', { timeout: 8 * 60_000 }, async (t: TestContext) => {
  // The lab and the demo take the lab's ports: last, once the test's lab is stopped.
  const ordered = [...commands.filter((c) => !isLab(c.words)), ...commands.filter((c) => isLab(c.words))];
  let labStopped = false;
  for (const { where, key, words } of ordered) {
    const why = SKIPPED[key];
    await t.test(`${where}: canary ${words.join(' ')}`, { skip: why ?? false }, async () => {
      if (isLab(words) && !labStopped) {
        labStopped = true;
        assert.equal(lab ? await interrupt(lab) : 0, 0, lab ? output(lab) : '');
      }
      await withAgent(words, () => runOne(words));
    });
  }
});
