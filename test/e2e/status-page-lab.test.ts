/**
 * The shipped staggered failback against `canary lab`, watched in the status page: the lab's
 * balancer and three backends run as processes, `canary run --enable-chaos` schedules
 * chaos/staggered-failback.yaml unchanged, and the page shows its failback waves appearing
 * one after the other, then the finished run with both waves on its timeline.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noBrowser, openBrowser, screenshot } from '../helpers/browser.js';
import { CliProcess } from '../helpers/cli.js';
import { startLabCli } from '../helpers/lab-cli.js';
import { repoRoot } from '../helpers/paths.js';
import { freePort } from '../helpers/prometheus.js';
import { eventually } from '../helpers/wait.js';

/** The experiment waits up to 30 s for its cron, then kills, pauses 10 s and brings two waves back 8 s apart. */
const WAIT_MS = 90_000;

const dir = mkdtempSync(join(tmpdir(), 'canary-page-lab-'));
const running: CliProcess[] = [];
after(async () => {
  for (const p of running) p.child.kill('SIGTERM');
  await Promise.all(running.map((p) => p.exited));
  rmSync(dir, { recursive: true, force: true });
});

/** The demo's frontend check against this lab's balancer, and the shipped experiment scheduled. */
function agentConfig(balancer: string, port: number): string {
  const file = join(dir, 'agent.yaml');
  writeFileSync(
    file,
    [
      `server: { listen: "127.0.0.1:${port}" }`,
      'probes: { defaults: { interval: 1s, timeout: 1s } }',
      'checks:',
      `  - { name: lab-frontend, kind: http, target: "${balancer}", expect: { status: [200] } }`,
      `chaos: { enabled: true, files: ["${join(repoRoot, 'chaos', 'staggered-failback.yaml')}"], stateDir: "${join(dir, 'chaos')}" }`,
      'exporters: { log: { level: info } }',
    ].join('\n'),
  );
  return file;
}

test(
  'the shipped staggered failback against canary lab: its waves appear one by one, then on the run timeline',
  { skip: noBrowser() },
  async () => {
    const lab = await startLabCli(dir, running, 3);
    const balancer = lab.processes.find((p) => p.role === 'balancer')?.url ?? '';
    const port = await freePort();
    const browser = await openBrowser();
    const agent = new CliProcess(['run', '--config', agentConfig(balancer, port), '--enable-chaos'], {
      // The lab prints its API's path; the experiment names the server.
      CANARY_LAB_CONTROL: new URL(lab.control).origin,
    });
    running.push(agent);
    try {
      const { page } = browser;
      await eventually(
        async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined),
        30_000,
        'the agent',
      );
      await page.goto(`http://127.0.0.1:${port}/`);
      const waves = page.locator('#chaos .active .waves tbody tr');
      await page
        .waitForSelector('#chaos .active .waves tbody tr', { timeout: WAIT_MS })
        .catch(async (error: unknown) => {
          const runs = await (await fetch(`http://127.0.0.1:${port}/api/v1/chaos/runs`)).text();
          throw new Error(
            `no wave of an active run in the page; the API says ${runs}; the agent logged ${agent.lines.slice(-20).join('\n')}`,
            {
              cause: error,
            },
          );
        });
      assert.match((await page.textContent('#chaos .active h3')) ?? '', /Running: staggered-failback/);
      // One backend per wave, 8 s apart; the page asks every 2 s, so it sees the first wave alone.
      assert.equal(await waves.count(), 1, 'the first wave shows before the second has begun');
      await page.locator('#chaos').scrollIntoViewIfNeeded();
      await screenshot(page, 'status-page-lab-first-wave');
      await eventually(async () => ((await waves.count()) === 2 ? true : undefined), WAIT_MS, 'the second wave');

      await page.waitForSelector('#chaos table.runs .o-completed', { timeout: WAIT_MS });
      await page.click('#chaos table.runs button');
      await page.waitForSelector('#panel:not([hidden]) table.waves tbody tr', { timeout: WAIT_MS });
      assert.equal(await page.locator('#panel table.waves tbody tr').count(), 2);
      assert.equal(await page.locator('#panel svg.timeline rect.gate-passed').count(), 2);
      await screenshot(page, 'status-page-lab-journal');
      // The agent's log tells the same story: the run, its waves and their gates.
      const said = agent.logs().map((l) => String(l.msg));
      for (const line of [
        'scheduled chaos run starting',
        'chaos: wave 1/2 of method[2] started',
        'chaos: wave 2 of method[2]: gate passed',
        'scheduled chaos run ended',
      ])
        assert.ok(
          said.some((m) => m.startsWith(line)),
          `the agent logged "${line}…": ${said.filter((m) => m.startsWith('chaos')).join(' | ')}`,
        );
      assert.deepEqual(browser.errors, []);
      assert.deepEqual(browser.foreign, []);
    } finally {
      await browser.close();
    }
  },
);
