/**
 * A chaos run in the status page, against `canary run --enable-chaos` and real victim
 * processes: the active run shows its step and its failback waves as they come, and the
 * finished run's journal shows every wave on the timeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { noBrowser, openBrowser, screenshot, waitForText } from '../helpers/browser.js';
import { alive, currentPid, startChaosLab } from '../helpers/chaos.js';
import { CliProcess } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';

const WAIT_MS = 60_000;

test('a failback run shows its waves live, then in its journal', { skip: noBrowser() }, async () => {
  const lab = await startChaosLab(4);
  const pool = lab.victims.slice(1);
  const config = lab.writeConfig([
    `{ name: front, kind: http, target: "${lab.victims[0]?.url}/", interval: 1s, timeout: 1s }`,
  ]);
  lab.writeExperiment(
    'failback',
    [
      'name: failback-page',
      'targets:',
      `  pool: { instances: [ ${pool.map((v) => `{ name: ${v.name}, pidFile: "${v.pidFile}" }`).join(', ')} ], start: { argv: ["${process.execPath}", "${fixture('victim', 'server.mjs')}", "{pidFile}"] } }`,
      // Generous: a busy host must not fail the steady state before anything was done.
      'steadyState: [ { check: front, successRatio: ">= 0.9", window: 3s, minSamples: 2 } ]',
      'blastRadius: { maxInstances: 3 }',
      'method:',
      '  - { action: kill, target: pool }',
      '  - { pause: 300ms }',
      // Waves far enough apart that the page, asking every 2 s, sees the run between them.
      '  - { action: failback, target: pool, waveSize: 1, interval: 4s, gateTimeout: 5s }',
      'recoveryTimeout: 3s',
      'schedule: { cron: "* * * * * *", minGap: 1h }',
    ].join('\n'),
  );
  // The browser first: on a busy host it takes seconds to start, and the run starts within
  // a second or two of the agent.
  const browser = await openBrowser();
  const agent = new CliProcess(['run', '--config', config, '--enable-chaos']);
  try {
    const { page } = browser;
    await page.goto(await agent.url());
    await page.waitForSelector('#chaos .active .waves tbody tr', { timeout: WAIT_MS }).catch((error: unknown) => {
      const runs = lab.journals().map((j) => `${j.status}: ${j.reason ?? ''}`);
      throw new Error(`no wave of an active run in the page; runs: ${runs.join(' | ') || 'none'}`, { cause: error });
    });
    assert.match((await page.textContent('#chaos .active h3')) ?? '', /Running: failback-page/);
    // The wave row can come a poll before the step label catches up: wait for the label too.
    await waitForText(page, '#chaos .active .step', /^Step 3 of 3: failback/, { timeout: WAIT_MS });
    // The agent's own run: its steady state judged now on the agent's windows, each time asked.
    type Active = { active: { hypothesis: { live: boolean; at: string; entries: { check: string }[] } } | null };
    const runs = async () => (await (await fetch(new URL('/api/v1/chaos/runs', page.url()))).json()) as Active;
    const first = (await runs()).active?.hypothesis;
    assert.equal(first?.live, true, JSON.stringify(first));
    assert.deepEqual(
      first?.entries.map((e) => e.check),
      ['front'],
    );
    await new Promise((r) => setTimeout(r, 50));
    const again = (await runs()).active?.hypothesis;
    assert.ok(again && again.at > first.at, `judged again: ${first?.at} then ${again?.at}`);
    await page.locator('#chaos').scrollIntoViewIfNeeded();
    await screenshot(page, 'status-page-chaos-active');

    await page.waitForSelector('#chaos table.runs .o-completed', { timeout: WAIT_MS });
    await page.click('#chaos table.runs button');
    await page.waitForSelector('#panel:not([hidden]) table.waves tbody tr', { timeout: WAIT_MS });
    assert.equal(await page.locator('#panel table.waves tbody tr').count(), 3);
    assert.equal(await page.locator('#panel svg.timeline rect.gate-passed').count(), 3);
    await screenshot(page, 'status-page-chaos-journal');
    assert.deepEqual(browser.errors, []);
    assert.deepEqual(browser.foreign, []);
  } finally {
    await browser.close();
    agent.child.kill('SIGTERM');
    await agent.exited;
    for (const v of pool) {
      const pid = existsSync(v.pidFile) ? currentPid(v.pidFile) : 0;
      if (pid > 1 && pid !== v.pid && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await lab.cleanup();
  }
});
