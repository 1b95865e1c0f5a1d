/**
 * The status page at many checks (`--only page`): an agent with `--page-checks` checks (a
 * long interval, so they exist and are listed but hardly run), and one cold load per round
 * in a fresh Chromium: first contentful paint, the time until the first page of rows is
 * shown, and the bytes on the wire. The browser is Debian's `chromium`, as in the page tests.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { stringify } from 'yaml';
import { noBrowser, openBrowser, waitForText } from '../helpers/browser.js';
import { agentEnv, agentNodeFlags, cliPath, repoRoot } from './agent-run.js';
import { start, stop, waitFor } from './children.js';
import { freePort, type Target } from './ipc.js';

/** One cold load of the page. */
export interface PageLoad {
  /** Navigation start to first contentful paint, from the page's own performance entries. */
  fcpMs: number;
  /** Navigation start to the first page of rows and the total shown. */
  rowsMs: number;
  /** Bytes received: page, assets and the API's first answers. */
  bytes: number;
}

/** What the page phase measured, or why it did not. */
export type PageResult = { checks: number; loads: PageLoad[] } | { checks: number; skipped: string };

function pageConfig(origin: string, checks: number, port: number): string {
  const width = String(checks - 1).length;
  return stringify({
    agent: { region: 'bench' },
    server: { listen: `127.0.0.1:${port}` },
    checks: Array.from({ length: checks }, (_, i) => ({
      name: `page-${String(i).padStart(width, '0')}`,
      kind: 'http',
      target: `${origin}/page/${i}`,
      interval: '1h',
      labels: { shard: `s${i % 10}` },
    })),
    exporters: { log: { level: 'warn' } },
  });
}

/** Loads the page once in a fresh browser and reads its timings. */
async function loadOnce(base: string, checks: number): Promise<PageLoad> {
  const browser = await openBrowser();
  try {
    const { page } = browser;
    await page.goto(base);
    const shown = `Checks 1–50 of ${checks}`;
    await waitForText(page, '#page-info', shown, { timeout: 60_000, polling: 'raf' });
    // performance.now() counts from navigation start, the same origin as the paint entry.
    const rowsMs = Number(await page.evaluate('performance.now()'));
    const fcpMs = Number(
      await page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN"),
    );
    if (browser.errors.length > 0) throw new Error(`the page logged errors: ${browser.errors.join('; ')}`);
    return { fcpMs, rowsMs, bytes: browser.bytes() };
  } finally {
    await browser.close();
  }
}

/** Starts an agent with `checks` checks and loads its page `rounds` times. */
export async function benchPage(target: Target, checks: number, rounds: number, workDir: string): Promise<PageResult> {
  const skip = noBrowser();
  if (skip) return { checks, skipped: skip };
  const port = await freePort();
  const file = join(workDir, `page-${checks}.yaml`);
  writeFileSync(file, pageConfig(target.origin, checks, port));
  const agent = await start(process.execPath, [...agentNodeFlags(), cliPath, 'run', '--config', file], {
    cwd: repoRoot,
    env: agentEnv(),
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `agent ready on ${base}`,
      async () => {
        if (agent.child.exitCode !== null) throw new Error(`agent exited before it was ready: ${agent.output()}`);
        const answer = await request(`${base}/readyz`).catch(() => undefined);
        await answer?.body.dump();
        return answer?.statusCode === 200;
      },
      120_000,
    );
    const loads: PageLoad[] = [];
    for (let i = 0; i < rounds; i++) {
      console.error(`page round ${i + 1}/${rounds}: ${checks} checks, a cold load in a fresh Chromium`);
      const load = await loadOnce(base, checks);
      console.error(
        `  first contentful paint ${load.fcpMs.toFixed(0)} ms, first rows ${load.rowsMs.toFixed(0)} ms, ${(load.bytes / 1024).toFixed(0)} KiB`,
      );
      loads.push(load);
    }
    return { checks, loads };
  } finally {
    await stop(agent);
  }
}
