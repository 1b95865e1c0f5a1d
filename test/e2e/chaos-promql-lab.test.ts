/**
 * The fleet's Prometheus judges a real kill. `canary lab` runs a balancer and two backends
 * as processes; the eu-west-1 agent probes the service through the balancer (which hides a
 * dead backend), the us-east-1 agent probes each backend directly. A real Prometheus
 * scrapes both agents. `canary chaos run --prometheus URL` from eu-west-1 kills a backend
 * through the lab's control API: its own results stay clean, the us-east-1 agent's do
 * not, and the PromQL abortWhen over every region trips, the run rolls back (the backend
 * is started again), and the journal names the query and the region that saw it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal } from '../../src/chaos/model/journal.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startLabCli } from '../helpers/lab-cli.js';
import { freePort, prometheusBinary, startPrometheus } from '../helpers/prometheus.js';
import { eventually } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'canary-promql-lab-'));
const running: CliProcess[] = [];
after(async () => {
  for (const p of running) p.child.kill('SIGTERM');
  await Promise.all(running.map((p) => p.exited));
  rmSync(dir, { recursive: true, force: true });
});

/** An agent config for `region` with these checks (`name url` pairs), listening on `port`. */
function agentConfig(region: string, port: number, checks: [string, string][]): string {
  const file = join(dir, `${region}.yaml`);
  writeFileSync(
    file,
    [
      `agent: { region: ${region} }`,
      `server: { listen: "127.0.0.1:${port}" }`,
      `chaos: { enabled: true, stateDir: "${join(dir, region)}" }`,
      'exporters: { log: { level: warn } }',
      'checks:',
      ...checks.map(
        ([name, url]) => `  - { name: ${name}, kind: http, target: "${url}", interval: 500ms, timeout: 400ms }`,
      ),
    ].join('\n'),
  );
  return file;
}

/** Three series up: the balancer seen from eu-west-1, both backends seen from us-east-1. */
const ALL_UP = 'count(probe_success{check=~"web.*"} == 1)';
const ABORT = 'min by (region) (probe_success{check=~"web.*"}) < 1';

test(
  'a kill only another region sees trips the PromQL abort; the run rolls back the real process',
  { skip: prometheusBinary() ? false : 'prometheus is not installed (Debian package prometheus)' },
  async () => {
    const lab = await startLabCli(dir, running, 2, ['--warmup-requests', '0', '--origin-fill', '0ms']);
    const url = (name: string) => lab.processes.find((p) => p.name === name)?.url.replace(/\/$/, '') ?? '';
    const [euPort, usPort] = [await freePort(), await freePort()];
    const eu = agentConfig('eu-west-1', euPort, [['web-lb', `${url('balancer')}/`]]);
    const us = agentConfig('us-east-1', usPort, [
      ['web-1', `${url('backend-1')}/health`],
      ['web-2', `${url('backend-2')}/health`],
    ]);
    for (const config of [eu, us]) running.push(new CliProcess(['run', '--config', config]));
    const prom = await startPrometheus([`127.0.0.1:${euPort}`, `127.0.0.1:${usPort}`]);
    try {
      await eventually(
        async () => ((await prom.query(ALL_UP))[0]?.value[1] === '3' ? true : undefined),
        40_000,
        'every series healthy in Prometheus',
      );
      const file = join(dir, 'kill.yaml');
      writeFileSync(
        file,
        [
          'name: kill-seen-elsewhere',
          `targets: { backends: { lab: { control: "${new URL(lab.control).origin}" } } }`,
          'blastRadius: { maxInstances: 1 }',
          'steadyState:',
          '  - { check: web-lb, successRatio: ">= 0.9", window: 5s, minSamples: 3 }',
          `  - { promql: 'min(probe_success{check=~"web.*"})', expect: ">= 1", every: 1s }`,
          'abortWhen:',
          '  - { check: web-lb, successRatio: "< 0.5", window: 5s, minSamples: 3 }',
          `  - { promql: '${ABORT}', every: 1s }`,
          'method:',
          '  - { action: kill, target: backends, count: 1, signal: SIGKILL }',
          '  - { pause: 40s }',
          '  - { action: restore, target: backends }',
          'maxDuration: 90s',
          'recoveryTimeout: 40s',
        ].join('\n'),
      );
      const run = await runCli(['chaos', 'run', file, '--config', eu, '--prometheus', prom.url, '--json'], {
        timeoutMs: 150_000,
      });
      const journal = JSON.parse(run.stdout) as Journal;
      assert.equal(run.code, 1, run.stderr);
      assert.equal(journal.status, 'aborted', JSON.stringify(journal, null, 2));
      assert.equal(journal.reason, `abortWhen met for promql: ${ABORT}`);
      // Only the fleet's entry tripped (the reason names it alone): the runner's own
      // results, through the balancer, did not see the kill.
      const fleet = journal.steadyState.aborted?.entries.find((e) => e.check === `promql: ${ABORT}`);
      assert.equal(fleet?.holds, true);
      assert.match(fleet?.observed?.join(' ') ?? '', /region="us-east-1"/);
      assert.doesNotMatch(fleet?.observed?.join(' ') ?? '', /region="eu-west-1"/);
      // The rollback started the killed backend again: both backends answer us-east-1 once more.
      assert.equal(journal.steadyState.after?.holds, true, JSON.stringify(journal.steadyState.after));
      await eventually(
        async () => ((await prom.query(ALL_UP))[0]?.value[1] === '3' ? true : undefined),
        40_000,
        'every series healthy again',
      );
    } finally {
      await prom.stop();
    }
  },
);
