/**
 * Core Web Vitals as the page's own Performance APIs report them: Largest Contentful Paint
 * and Cumulative Layout Shift from observers installed before any page script runs
 * (buffered, so entries from before the observer count), Time to First Byte from the
 * navigation entry. Read from the page the journey ended on.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { WebVitals } from '../../results/types.js';

/** Where the observers keep what they saw, on the page's `window`. */
const STORE = '__canaryVitals';

/** The page's Performance APIs, typed as a browser has them (Node's types know other entry types). */
interface PageEntry {
  startTime: number;
  value?: number;
  hadRecentInput?: boolean;
  responseStart?: number;
}
interface PagePerformance {
  PerformanceObserver: new (callback: (list: { getEntries(): PageEntry[] }) => void) => {
    observe(options: { type: string; buffered: boolean }): void;
    takeRecords(): PageEntry[];
  };
  performance: { getEntriesByType(type: string): PageEntry[] };
}

/** What the observers keep, and how to take entries they have not been called back with yet. */
interface Seen {
  lcp: number;
  cls: number;
  flush(): void;
}

/** Runs in every document of the context before its own scripts. */
function observeVitals(store: string): void {
  const page = globalThis as unknown as PagePerformance & Record<string, unknown>;
  const seen = { lcp: -1, cls: 0, flush: () => undefined as void };
  page[store] = seen;
  const lcp = (entries: PageEntry[]): void => {
    for (const entry of entries) seen.lcp = entry.startTime;
  };
  const cls = (entries: PageEntry[]): void => {
    for (const entry of entries) if (!entry.hadRecentInput) seen.cls += entry.value ?? 0;
  };
  try {
    const lcpObserver = new page.PerformanceObserver((list) => lcp(list.getEntries()));
    lcpObserver.observe({ type: 'largest-contentful-paint', buffered: true });
    const clsObserver = new page.PerformanceObserver((list) => cls(list.getEntries()));
    clsObserver.observe({ type: 'layout-shift', buffered: true });
    // Observers are called back in a later task; a read right after a paint takes what is queued.
    seen.flush = () => {
      lcp(lcpObserver.takeRecords());
      cls(clsObserver.takeRecords());
    };
  } catch {
    // A document that does not support these entry types has no vitals; the journey goes on.
  }
}

/** Installs the observers in every page the context opens. */
export async function watchVitals(context: BrowserContext): Promise<void> {
  await context.addInitScript(observeVitals, STORE);
}

/** The longest the vitals wait for the page's first contentful paint to be reported. */
const PAINT_WAIT_MS = 1000;

interface RawVitals {
  lcp: number;
  cls: number;
  ttfb: number;
}

/**
 * Read once Largest Contentful Paint is known, frame after frame for at most `waitMs`: a
 * page read right at its `load` event has often not painted yet, and LCP is only reported
 * once it has. A page with nothing to paint waits the whole `waitMs` and has no LCP.
 */
async function readRaw({ store, waitMs }: { store: string; waitMs: number }): Promise<RawVitals> {
  const page = globalThis as unknown as PagePerformance &
    Record<string, Seen | undefined> & {
      requestAnimationFrame(callback: () => void): void;
    };
  const seen = page[store];
  const deadline = Date.now() + waitMs;
  for (;;) {
    seen?.flush();
    const left = deadline - Date.now();
    if (seen === undefined || seen.lcp >= 0 || left <= 0) break;
    await Promise.race([
      new Promise<void>((resolve) => page.requestAnimationFrame(resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, left)),
    ]);
  }
  const navigation = page.performance.getEntriesByType('navigation')[0];
  return { lcp: seen?.lcp ?? -1, cls: seen?.cls ?? -1, ttfb: navigation?.responseStart ?? -1 };
}

/** A page still navigating has no document to read yet; the vitals give up after this (ms). */
const READ_TIMEOUT_MS = PAINT_WAIT_MS + 1000;

/** The vitals of the page now, in seconds (CLS as a score); what could not be read is absent. */
export async function readVitals(page: Page): Promise<WebVitals> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the page did not answer')), READ_TIMEOUT_MS);
  });
  const raw = await Promise.race([page.evaluate(readRaw, { store: STORE, waitMs: PAINT_WAIT_MS }), timeout]).finally(
    () => clearTimeout(timer),
  );
  const vitals: WebVitals = {};
  if (raw.lcp >= 0) vitals.lcpSeconds = raw.lcp / 1000;
  if (raw.cls >= 0) vitals.cls = raw.cls;
  if (raw.ttfb >= 0) vitals.ttfbSeconds = raw.ttfb / 1000;
  return vitals;
}
