/**
 * The status page in a real Chromium against a real agent probing loopback servers: it
 * loads clean and offline, follows a check going down, opens a check from the keyboard,
 * passes axe-core, and shows the chaos runs. Screenshots of each state go to test-artifacts/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import {
  axeViolations,
  noBrowser,
  openBrowser,
  screenshot,
  waitForText,
  type BrowserPage,
} from '../helpers/browser.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

/** How long to wait for what the page should show; a bound on a hang, never a measured time. */
const WAIT_MS = 30_000;
const INTERVAL = '500ms';
const TOKEN = 'status-page-test-token';
/** Never fetched: the page only writes it into a link. */
const TRACE_URL = 'https://jaeger.example.com/trace/{traceId}';

describe('status page', { skip: noBrowser() }, () => {
  let failing = false;
  let service: HttpTestServer;
  let fault: HttpTestServer;
  let agent: TestAgent;
  let browser: BrowserPage;
  let receiver: OtlpReceiver;

  before(async () => {
    service = await startHttpServer((_req, res) => res.writeHead(failing ? 503 : 200).end(failing ? 'down' : 'ok'));
    fault = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
    const experiment = [
      'name: toggle-fault',
      'blastRadius: { maxInstances: 1 }',
      'method:',
      `  - { action: http, method: POST, url: "${fault.origin}/fault", revert: { method: DELETE, url: "${fault.origin}/fault" } }`,
      '  - { pause: 300ms }',
      'schedule: { cron: "* * * * * *", minGap: 1h }',
    ].join('\n');
    receiver = await startOtlpReceiver();
    const config = [
      `server: { listen: 127.0.0.1:0, token: ${TOKEN}, ui: { traceUrl: "${TRACE_URL}" } }`,
      `exporters: { otlp: { endpoint: ${receiver.url}, scheduledDelay: 50ms } }`,
      'chaos: { enabled: true, files: ["*.chaos.yaml"], stateDir: state }',
      'checks:',
      `  - { name: web, kind: http, target: "${service.origin}/", interval: ${INTERVAL}, timeout: 400ms, labels: { team: sre } }`,
      `  - { name: api, kind: http, target: "${fault.origin}/", interval: ${INTERVAL}, timeout: 400ms, labels: { team: api }, slo: { objective: 99%, window: 1d } }`,
      `  - { name: port, kind: tcp, target: "127.0.0.1:${fault.port}", interval: ${INTERVAL}, timeout: 400ms }`,
    ].join('\n');
    agent = await startTestAgent(config, {}, { files: { 'toggle.chaos.yaml': experiment }, enableChaos: true });
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await service?.close();
    await fault?.close();
    await receiver?.close();
  });

  const row = (name: string, state?: string) =>
    `#rows tr[data-name="${name}"]${state === undefined ? '' : `[data-state="${state}"]`}`;

  test('loads with no console error and no request beyond 127.0.0.1, every check up', async () => {
    const { page } = browser;
    await page.goto(agent.url);
    for (const name of ['web', 'api', 'port']) await page.waitForSelector(row(name, 'up'), { timeout: WAIT_MS });
    assert.equal(await page.textContent('#counts [data-state="up"] .count'), '3');
    assert.match((await page.textContent('#page-info')) ?? '', /of 3$/);
    assert.match((await page.textContent(`${row('api')} td:last-child`)) ?? '', /%$/, 'the SLO budget left');
    await screenshot(page, 'status-page-all-up');
    assert.deepEqual(browser.errors, []);
    assert.deepEqual(browser.foreign, []);
    assert.ok(
      browser.requests.some((url) => url.includes('/api/v1/checks?')),
      browser.requests.join('\n'),
    );
  });

  test('a check whose target starts failing turns down with its reason', async () => {
    const { page } = browser;
    failing = true;
    await page.waitForSelector(row('web', 'down'), { timeout: WAIT_MS });
    const api = JSON.parse((await agent.get('/api/v1/checks/web')).body) as { reason: string | null };
    const shown = await page.textContent(`${row('web')} td:nth-child(3)`);
    assert.ok(api.reason, 'the API names a reason');
    assert.equal(shown, api.reason);
    assert.match((await page.textContent(`${row('web')} .badge`)) ?? '', /down/);
    await screenshot(page, 'status-page-one-down');
    assert.deepEqual(browser.errors, []);
  });

  test('a row is reached with Tab, opens with Enter and shows its runs; Escape closes it', async () => {
    const { page } = browser;
    await page.locator('body').focus();
    const focusedName = () => page.evaluate<string | null>('document.activeElement?.dataset?.name ?? null');
    // Keyboard only: Tab through the controls until the row has the focus.
    const reached = await eventually(
      async () => {
        await page.keyboard.press('Tab');
        return (await focusedName()) === 'web' ? true : undefined;
      },
      WAIT_MS,
      'the web row to take the focus from Tab',
      0,
    );
    assert.equal(reached, true);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#panel:not([hidden]) table.runs tbody tr', { timeout: WAIT_MS });
    assert.equal(await page.textContent('#panel-title'), 'web');
    assert.match((await page.textContent('#panel .failure')) ?? '', /Last failure/);
    assert.ok((await page.locator('#panel table.runs tbody tr').count()) > 0);
    assert.match(page.url(), /#\/check\/web$/);
    // A failed run is always traced; its id links through server.ui.traceUrl.
    const href = await page.getAttribute('#panel table.runs a[href*="/trace/"]', 'href');
    assert.match(href ?? '', /^https:\/\/jaeger\.example\.com\/trace\/[0-9a-f]{32}$/);
    await screenshot(page, 'status-page-check-opened');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#panel', { state: 'hidden', timeout: WAIT_MS });
    assert.equal(await focusedName(), 'web', 'the focus returns to the row');
  });

  test('axe-core finds no serious or critical violation, with the table and with a check opened', async () => {
    const { page } = browser;
    assert.deepEqual(await axeViolations(page), []);
    await page.focus(row('web'));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#panel:not([hidden]) table.runs', { timeout: WAIT_MS });
    assert.deepEqual(await axeViolations(page), []);
    await page.keyboard.press('Escape');
  });

  test('the chaos section shows the finished run, and its journal opens with the waves', async () => {
    const { page } = browser;
    await page.waitForSelector('#chaos .o-completed', { timeout: WAIT_MS });
    assert.match((await page.textContent('#chaos')) ?? '', /Not halted/);
    assert.match((await page.textContent('#chaos table.runs')) ?? '', /toggle-fault/);
    // No server.ui.prometheus: the page answered every poll, and shows no Fleet section.
    assert.equal(await page.isHidden('#fleet'), true);
    await page.locator('#chaos').scrollIntoViewIfNeeded();
    await screenshot(page, 'status-page-chaos');
    await page.click('#chaos table.runs button');
    await page.waitForSelector('#panel:not([hidden]) .steps li', { timeout: WAIT_MS });
    assert.match((await page.textContent('#panel-title')) ?? '', /Chaos run/);
    assert.match((await page.textContent('#panel')) ?? '', /completed/);
    assert.deepEqual(browser.errors, []);
    assert.deepEqual(browser.foreign, []);
  });

  /** The names in the table's visible rows, top to bottom. */
  const names = () =>
    browser.page.evaluate<string[]>(
      "[...document.querySelectorAll('#rows tr:not([hidden])')].map((tr) => tr.dataset.name)",
    );
  const showing = (expected: string[], what: string) =>
    eventually(
      async () => ((await names()).join() === expected.join() ? true : undefined),
      WAIT_MS,
      `${what}: rows ${expected.join()}`,
    );
  const asked = (param: string) =>
    browser.requests.some((url) => url.includes('/api/v1/checks?') && url.includes(param));

  test('search, state, label and kind filters and the sort headers ask the API and show its answer', async () => {
    const { page } = browser;
    await page.fill('#f-q', 'POR');
    await showing(['port'], 'search by name');
    assert.ok(asked('q=POR'));
    await page.fill('#f-q', '');
    await page.click('#counts [data-state="down"]');
    await showing(['web'], 'only down');
    assert.equal(await page.getAttribute('#counts [data-state="down"]', 'aria-pressed'), 'true');
    assert.ok(asked('state=down'));
    await page.click('#counts [data-state="down"]');
    await page.fill('#f-label', 'team=api');
    await showing(['api'], 'label team=api');
    assert.ok(asked('label=team%3Dapi'));
    // A label the API refuses: the page says so in the API's words, not that the agent is away.
    await page.fill('#f-label', '=api');
    await page.waitForSelector('#connection.lost', { timeout: WAIT_MS });
    assert.match((await page.textContent('#connection')) ?? '', /refused the request: label must be KEY=VALUE/);
    await page.fill('#f-label', '');
    await page.waitForSelector('#connection:not(.lost)', { timeout: WAIT_MS });
    await page.selectOption('#f-kind', 'tcp');
    await showing(['port'], 'kind tcp');
    await page.selectOption('#f-kind', '');
    await page.click('th[data-sort="name"] button');
    await showing(['api', 'port', 'web'], 'sorted by name');
    await page.click('th[data-sort="name"] button');
    await showing(['web', 'port', 'api'], 'sorted by name, descending');
    assert.equal(await page.getAttribute('th[data-sort="name"]', 'aria-sort'), 'descending');
    assert.ok(asked('sort=name&order=desc'));
  });

  test('polls update the rows in place: no row is added or removed, the table keeps its size', async () => {
    const { page } = browser;
    await page.evaluate(`
      window.rowMutations = 0;
      new MutationObserver((records) => (window.rowMutations += records.length)).observe(
        document.getElementById('rows'), { childList: true });
      document.querySelectorAll('#rows tr').forEach((tr) => (tr.marked = true));`);
    const box = await page.locator('#checks').boundingBox();
    const polls = () => browser.requests.filter((url) => url.includes('/api/v1/checks?')).length;
    const before = polls();
    await eventually(() => (polls() >= before + 2 ? true : undefined), WAIT_MS, 'two more polls');
    await waitForText(page, '#connection', /^Live/, { timeout: WAIT_MS });
    assert.equal(await page.evaluate('window.rowMutations'), 0);
    assert.equal(await page.evaluate(`[...document.querySelectorAll('#rows tr')].every((tr) => tr.marked)`), true);
    assert.deepEqual(await page.locator('#checks').boundingBox(), box);
  });

  test('a hidden tab stops polling, and polls again once shown', async () => {
    const { page } = browser;
    const polls = () => browser.requests.filter((url) => url.includes('/api/v1/')).length;
    const setHidden = (hidden: boolean) =>
      page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} });
        document.dispatchEvent(new Event('visibilitychange'));`);
    await setHidden(true);
    // Let a round already on its way finish, then watch three poll intervals go by.
    await new Promise((r) => setTimeout(r, 1_500));
    const quiet = polls();
    await new Promise((r) => setTimeout(r, 6_000));
    assert.equal(polls(), quiet, 'no request while hidden');
    await setHidden(false);
    await eventually(() => (polls() > quiet ? true : undefined), WAIT_MS, 'a poll once shown');
  });

  test('halting chaos shows who halted it and why', async () => {
    const { page } = browser;
    const res = await fetch(new URL('/-/chaos/halt?operator=alice&reason=INC-1', agent.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 200);
    await page.waitForSelector('#chaos .halted', { timeout: WAIT_MS });
    assert.match((await page.textContent('#chaos .halted')) ?? '', /Halted by api:alice .*: INC-1/);
    await page.locator('#chaos').scrollIntoViewIfNeeded();
    await screenshot(page, 'status-page-chaos-halted');
  });
});
