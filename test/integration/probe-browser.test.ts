/**
 * The browser probe in a real headless Chromium against pages served on 127.0.0.1: a form
 * journey (fill, click, expect text), a missing element (assertion, screenshot kept), a
 * page that never loads (timeout), a refused port, and the web vitals on /metrics. One
 * browser serves every test, as it serves every check of an agent.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { ResolvedBrowserCheck } from '../../src/config/types.js';
import { PrometheusSink } from '../../src/exporters/prometheus.js';
import { createBrowserProbe } from '../../src/probes/browser.js';
import type { Probe } from '../../src/probes/types.js';
import { EventBus } from '../../src/results/bus.js';
import type { CheckResult } from '../../src/results/types.js';
import { executeCheck } from '../../src/run/execute.js';
import { CHROMIUM, noBrowser } from '../helpers/browser.js';
import { makeCheck } from '../helpers/kind-checks.js';
import { waitUntil } from '../helpers/wait.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { alive } from '../helpers/chaos.js';

const FORM = `<!doctype html><html><head><title>Sign up</title></head><body>
<h1>Sign up</h1>
<form action="/hello" method="get"><input id="name" name="name"><button id="go" type="submit">Go</button></form>
</body></html>`;

function page(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

/** The exposition of `result` for `check` (its steps label the step series): the lines of `prefix`. */
async function metricLines(check: ResolvedBrowserCheck, result: CheckResult, prefix: string): Promise<string[]> {
  const bus = new EventBus();
  const sink = new PrometheusSink({ bus, region: 'test', agentLabels: {}, version: '0.0.0', checks: [check] });
  try {
    bus.emit('result', result);
    const { body } = await sink.metrics();
    return body.split('\n').filter((line) => line.startsWith(prefix));
  } finally {
    sink.close();
  }
}

describe('browser probe', { skip: noBrowser() }, () => {
  let server: HttpTestServer;
  let probe: Probe<ResolvedBrowserCheck>;
  let shots: string;
  const run = (check: ResolvedBrowserCheck): Promise<CheckResult> =>
    executeCheck(check, probe, { signal: AbortSignal.timeout(check.timeoutMs) }, { region: 'test' });

  before(async () => {
    shots = mkdtempSync(join(tmpdir(), 'canary-browser-'));
    probe = createBrowserProbe({ concurrency: 2, chromium: CHROMIUM, screenshots: { dir: shots, keep: 1 } });
    server = await startHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/form') return page(res, FORM);
      if (url.pathname === '/hello') return page(res, `<p id="greeting">Hello, ${url.searchParams.get('name')}!</p>`);
      if (url.pathname === '/hang') return; // headers never come
      res.writeHead(404).end('not here');
    });
    // The first run launches Chromium, which takes seconds on a busy machine: not what the tests time.
    const warm = await run(makeCheck('browser', { target: `${server.origin}/form` }, { timeoutMs: 60_000 }));
    assert.equal(warm.ok, true, warm.message);
  });
  after(async () => {
    await probe.close?.();
    await server.close();
    rmSync(shots, { recursive: true, force: true });
  });

  test('a form journey: fill, click, expect text; step timings and web vitals exported', async () => {
    const check = makeCheck(
      'browser',
      {
        target: `${server.origin}/form`,
        browser: {
          steps: [
            { fill: { selector: '#name', value: 'Ada' } },
            { click: '#go' },
            { expectText: 'Hello, Ada!', selector: '#greeting' },
            { expectText: '/hello, \\w+/i' },
            { expectSelector: 'p#greeting' },
          ],
        },
      },
      { timeoutMs: 60_000 },
    );
    const result = await run(check);
    assert.equal(result.ok, true, result.message);
    const browser = result.observation.browser;
    assert.deepEqual(
      browser?.steps.map((s) => [s.name, s.ok]),
      [
        ['load', true],
        ['1:fill', true],
        ['2:click', true],
        ['3:expectText', true],
        ['4:expectText', true],
        ['5:expectSelector', true],
      ],
    );
    assert.equal(browser?.finalUrl, `${server.origin}/hello?name=Ada`);
    assert.equal(browser?.screenshot, undefined);
    assert.ok((browser?.vitals.ttfbSeconds ?? -1) >= 0, 'TTFB measured');
    assert.ok((browser?.vitals.lcpSeconds ?? 0) > 0, 'LCP measured');
    assert.equal(browser?.vitals.cls, 0);

    const lines = await metricLines(check, result, 'probe_browser_');
    const labels = 'check="test-check",kind="browser",region="test"';
    assert.ok(lines.includes(`probe_browser_step_success{step="2:click",${labels}} 1`), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith(`probe_browser_step_duration_seconds{step="load",${labels}} `)));
    for (const vital of ['largest_contentful_paint_seconds', 'cumulative_layout_shift', 'time_to_first_byte_seconds'])
      assert.ok(
        lines.some((l) => l.startsWith(`probe_browser_${vital}{${labels}} `)),
        `${vital} in\n${lines.join('\n')}`,
      );
    const basic = await metricLines({ ...check, metrics: 'basic' }, result, 'probe_');
    assert.deepEqual(
      basic.map((l) => l.slice(0, l.indexOf('{'))),
      ['probe_success', 'probe_duration_seconds'],
    );
  });

  test('an error status is http_status; a selector that never appears is assertion; the newest screenshot kept', async () => {
    const missing = await run(makeCheck('browser', { target: `${server.origin}/nothing` }, { timeoutMs: 60_000 }));
    assert.equal(missing.reason, 'http_status', missing.message);
    assert.equal(missing.message?.split(' (screenshot')[0], `step "load": ${server.origin}/nothing answered HTTP 404`);
    assert.ok(existsSync(missing.observation.browser?.screenshot ?? ''), missing.message);
    const check = makeCheck(
      'browser',
      { target: `${server.origin}/form`, browser: { steps: [{ expectSelector: '#missing' }] } },
      { timeoutMs: 4000 },
    );
    const result = await run(check);
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'assertion');
    assert.equal(result.observation.browser?.failedStep, '1:expectSelector');
    const shot = result.observation.browser?.screenshot ?? '';
    assert.match(result.message ?? '', /^step "1:expectSelector": no visible element matches "#missing" after /);
    assert.ok(result.message?.endsWith(`(screenshot ${shot})`), result.message);
    assert.ok(shot.startsWith(join(shots, 'test-check-')) && existsSync(shot), shot);
    assert.deepEqual(readdirSync(shots), [shot.slice(shots.length + 1)]);
  });

  test('a page that never answers: reason timeout at load, before the attempt deadline', async () => {
    const check = makeCheck('browser', { target: `${server.origin}/hang` }, { timeoutMs: 3000 });
    const result = await run(check);
    assert.equal(result.reason, 'timeout', result.message);
    assert.equal(result.observation.browser?.failedStep, 'load');
    assert.match(result.message ?? '', /^step "load": page\.goto: Timeout \d+ms exceeded/);
  });

  test('a browser that crashed is launched again for the next run (a bare load measures LCP too)', async () => {
    const browsers = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, comm]) => comm !== undefined && /chrom/i.test(comm))
      .map(([pid]) => Number(pid));
    assert.equal(browsers.length, 1, 'one Chromium, shared by the runs');
    const pid = browsers[0] as number;
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !alive(pid), 10_000, 'the killed Chromium to exit');
    const result = await run(makeCheck('browser', { target: `${server.origin}/form` }, { timeoutMs: 60_000 }));
    assert.equal(result.ok, true, result.message);
    assert.ok((result.observation.browser?.vitals.lcpSeconds ?? 0) > 0, 'LCP measured right after the load');
  });

  test('probes.browser.concurrency: a run waits for a slot, and one that never gets it times out unstarted', async () => {
    const single = createBrowserProbe({ concurrency: 1, chromium: CHROMIUM, screenshots: { keep: 0 } });
    const runOn = (check: ResolvedBrowserCheck): Promise<CheckResult> =>
      executeCheck(check, single, { signal: AbortSignal.timeout(check.timeoutMs) }, { region: 'test' });
    try {
      // Launched first, so that the runs below time the page and not the launch.
      const warm = await runOn(makeCheck('browser', { target: `${server.origin}/form` }, { timeoutMs: 60_000 }));
      assert.equal(warm.ok, true, warm.message);
      const before = server.requests.filter((r) => r.url === '/hang').length;
      // The first holds the one slot longer than the second may wait for it.
      const [first, second] = await Promise.all([
        runOn(makeCheck('browser', { target: `${server.origin}/hang` }, { timeoutMs: 4000 })),
        runOn(makeCheck('browser', { target: `${server.origin}/hang` }, { timeoutMs: 1000 })),
      ]);
      assert.equal(first?.reason, 'timeout', first?.message);
      assert.equal(first?.observation.browser?.failedStep, 'load');
      assert.equal(second?.reason, 'timeout', second?.message);
      assert.equal(second?.message, 'waited for a browser slot until the end');
      assert.equal(server.requests.filter((r) => r.url === '/hang').length - before, 1, 'one page load, not two');
    } finally {
      await single.close?.();
    }
  });

  test('a refused port is refused', async () => {
    const port = await closedPort();
    const refused = await run(makeCheck('browser', { target: `http://127.0.0.1:${port}/` }, { timeoutMs: 60_000 }));
    assert.equal(refused.reason, 'refused', refused.message);
    assert.match(
      refused.message ?? '',
      /^step "load": page\.goto: net::ERR_CONNECTION_REFUSED at http:\/\/127\.0\.0\.1:/,
    );
  });
});
