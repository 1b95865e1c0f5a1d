/**
 * The Fleet section in a real Chromium: an agent with `server.ui.prometheus` shows the
 * check by region as a real Prometheus sees two agents of two regions (the shipped region
 * rules loaded). One region's route failing reads "down" there, "up" elsewhere and no
 * quorum; both failing reads as a quorum. Screenshots go to test-artifacts/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { ARTIFACTS, axeViolations, noBrowser, openBrowser, screenshot, type BrowserPage } from '../helpers/browser.js';
import { noPrometheus, startGridFleet, type GridFleet } from '../helpers/fleet-grid.js';
import { eventually } from '../helpers/wait.js';

/** How long to wait for what the page should show; a bound on a hang, never a measured time. */
const WAIT_MS = 30_000;

describe('status page: fleet', { skip: noBrowser() || noPrometheus() }, () => {
  let fleet: GridFleet;
  let viewer: TestAgent;
  let browser: BrowserPage;

  before(async () => {
    fleet = await startGridFleet();
    viewer = await startTestAgent(
      `agent: { region: viewer }\nserver: { listen: "127.0.0.1:0", ui: { prometheus: "${fleet.prometheus.url}" } }`,
    );
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await viewer?.stop();
    await fleet?.stop();
  });

  /** The texts of the `web` row (regions in order, then the count and the verdict) once they are `want`. */
  function webRow(want: string[]): Promise<string[]> {
    return eventually(
      async () => {
        const cells = await browser.page.locator('#fleet tr[data-check="web"] td').allTextContents();
        return JSON.stringify(cells) === JSON.stringify(want) ? cells : undefined;
      },
      WAIT_MS,
      `the web row to read ${want.join(' | ')}`,
    );
  }

  test('one region down reads down there and up elsewhere, no quorum; both down is a quorum', async () => {
    const { page } = browser;
    await page.goto(viewer.url);
    await page.waitForSelector('#fleet:not([hidden]) tr[data-check="web"]', { timeout: WAIT_MS });
    const heads = await page.locator('#fleet thead th').allTextContents();
    assert.deepEqual(heads, ['Check', 'eu-west-1', 'us-east-1', 'Regions down', 'Quorum']);

    fleet.fail('us-east-1');
    await webRow(['✓ up', '✕ down', '1 of 2', '! regional, no quorum']);
    await page.locator('#fleet').scrollIntoViewIfNeeded();
    await screenshot(page, 'status-page-fleet');
    // The section alone, as docs/img/status-page-fleet.png shows it.
    await page.locator('#fleet').screenshot({ path: join(ARTIFACTS, 'status-page-fleet-section.png') });

    fleet.fail('us-east-1', 'eu-west-1');
    await webRow(['✕ down', '✕ down', '2 of 2', '✕ quorum down']);
    await screenshot(page, 'status-page-fleet-quorum');

    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(browser.errors, []);
    assert.deepEqual(browser.foreign, []);
  });
});
