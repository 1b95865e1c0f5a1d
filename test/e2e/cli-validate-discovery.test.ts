import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

/** A temp dir with an agent config whose file_sd source reads sd/targets.json, plus an http_sd source. */
async function configWith(targets: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-validate-sd-'));
  await mkdir(join(dir, 'sd'));
  await writeFile(join(dir, 'sd', 'targets.json'), targets);
  const file = join(dir, 'agent.yaml');
  await writeFile(
    file,
    [
      'agent: { region: test }',
      'server: { listen: 127.0.0.1:0 }',
      'probes:',
      '  discovery:',
      '    - name: db',
      '      fileSd: [sd/*.json]',
      '      template: { kind: tcp, target: "{{address}}" }',
      '    - name: remote',
      '      httpSd: { url: "http://127.0.0.1:9/sd" }',
      '      template: { kind: tcp, target: "{{address}}" }',
      'checks:',
      '  - { name: one, kind: tcp, target: "127.0.0.1:5432" }',
    ].join('\n'),
  );
  return { dir, file };
}

test('validate: a bad file_sd target is a problem with the file and its position, exit 2', async (t) => {
  const { dir, file } = await configWith('[\n  { "targets": ["127.0.0.1:80", "no-port"] }\n]\n');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = await runCli(['validate', '--config', file]);
  assert.equal(run.code, 2, run.stdout);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines[0], 'canary: invalid configuration (1 problem):');
  assert.match(
    lines[1] ?? '',
    /sd\/targets\.json:2:33: \[0\]\.targets\[1\]: discovery source db: check db-no-port: target: must be HOST:PORT/,
  );

  const json = await runCli(['validate', '--json', '--config', file]);
  assert.equal(json.code, 2);
  const report = JSON.parse(json.stdout) as { valid: boolean; problems: { file: string; line: number; col: number }[] };
  assert.equal(report.valid, false);
  assert.match(report.problems[0]?.file ?? '', /sd\/targets\.json$/);
  assert.deepEqual([report.problems[0]?.line, report.problems[0]?.col], [2, 33]);
});

test('validate: good file_sd targets are counted; http_sd sources are named as not fetched, exit 0', async (t) => {
  const { dir, file } = await configWith(
    '[\n  { "targets": ["127.0.0.1:80", "127.0.0.1:81"], "labels": { "env": "test" } },\n  { "targets": ["[::1]:5432"] }\n]\n',
  );
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = await runCli(['validate', '--config', file]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /agent\.yaml: valid \(1 check, 0 probe files, 3 checks from 2 discovery sources\)$/);
  assert.equal(lines[1], 'http_sd source remote not fetched');
  assert.equal(lines.length, 2);

  const json = await runCli(['validate', '--json', '--config', file]);
  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stdout) as { discovery: { checks: number; files: string[]; notFetched: string[] } };
  assert.equal(summary.discovery.checks, 3);
  assert.equal(summary.discovery.files.length, 1);
  assert.deepEqual(summary.discovery.notFetched, ['remote']);
});

test('validate: a discovered check named like a written one is a problem naming both places, exit 2', async (t) => {
  const { dir, file } = await configWith('[\n  { "targets": ["127.0.0.1:80"] }\n]\n');
  t.after(() => rm(dir, { recursive: true, force: true }));
  // The written check takes the name the db source gives its target.
  await writeFile(file, (await readFile(file, 'utf8')).replace('name: one,', 'name: "db-127.0.0.1:80",'));
  const run = await runCli(['validate', '--config', file]);
  assert.equal(run.code, 2, run.stdout);
  assert.match(
    run.stderr,
    /sd\/targets\.json:2:\d+: check name "db-127\.0\.0\.1:80" is used twice \(.*agent\.yaml:\d+:\d+ and .*sd\/targets\.json:2:\d+\)/,
  );
});
