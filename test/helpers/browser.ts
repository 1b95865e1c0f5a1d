/**
 * A real headless Chromium (the Debian `chromium` package) driven by playwright-core, for
 * the status page tests. Its host resolver maps every name but 127.0.0.1 to "not found",
 * so nothing the page does can reach past loopback; every request it makes is still
 * recorded, so a test can assert that none tried.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './paths.js';

/** The browser binary; `CANARY_CHROMIUM` overrides the Debian package's path. */
export const CHROMIUM = process.env.CANARY_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots go (gitignored). */
export const ARTIFACTS = resolve(repoRoot, 'test-artifacts');

/** A reason to skip when there is no browser, for `test(name, { skip }, fn)`; false when there is one. */
export function noBrowser(): string | false {
  return existsSync(CHROMIUM)
    ? false
    : `no Chromium at ${CHROMIUM}: install the Debian package "chromium" (or set CANARY_CHROMIUM)`;
}

/** One page of a fresh browser, with what it logged and fetched. */
export interface BrowserPage {
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /** Every URL requested outside http://127.0.0.1. */
  foreign: string[];
  /** Every URL requested. */
  requests: string[];
  /** Bytes received over the network so far (headers and bodies, as encoded on the wire). */
  bytes(): number;
  close(): Promise<void>;
}

/** Launches Chromium and opens a 1600×1000 page (a wall screen) on nothing yet. */
export async function openBrowser(): Promise<BrowserPage> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespaces for the sandbox; the page is our own.
    args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    const foreign: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    page.on('request', (req) => {
      requests.push(req.url());
      if (!req.url().startsWith('http://127.0.0.1:')) foreign.push(req.url());
    });
    let received = 0;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    cdp.on('Network.loadingFinished', (event) => (received += event.encodedDataLength));
    return { page, errors, foreign, requests, bytes: () => received, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** The little of the page's DOM that waitForText reads (the tests compile without the DOM lib). */
interface PageDocument {
  document: { querySelector(selector: string): { textContent: string | null } | null };
}

/**
 * Waits until the text of the first element matching SELECTOR matches PATTERN (a string must
 * equal it). The predicate is a function, never a string: Playwright evaluates a string
 * predicate with eval again on every poll, and the page's CSP (no 'unsafe-eval') refuses that
 * from the second poll on, so a string only works when its first try already holds.
 */
export async function waitForText(
  page: Page,
  selector: string,
  pattern: RegExp | string,
  options: { timeout: number; polling?: 'raf' | number },
): Promise<void> {
  const arg =
    typeof pattern === 'string'
      ? { selector, text: pattern, source: null, flags: '' }
      : { selector, text: null, source: pattern.source, flags: pattern.flags };
  await page.waitForFunction(
    ({ selector, text, source, flags }) => {
      const content = (globalThis as unknown as PageDocument).document.querySelector(selector)?.textContent ?? '';
      return source === null ? content === text : new RegExp(source, flags).test(content);
    },
    arg,
    options,
  );
}

/** Runs axe-core (from node_modules) in the page; the violations of serious or critical impact. */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  const source = readFileSync(resolve(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<AxeResult> } }).axe;
    const { violations } = await axe.run();
    return violations.map((v) => ({ id: v.id, impact: v.impact ?? '', nodes: v.nodes.map((n) => n.html) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

interface AxeResult {
  violations: { id: string; impact?: string; nodes: { html: string }[] }[];
}

/** Saves a screenshot of the page as test-artifacts/NAME.png; the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = resolve(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
