/**
 * The browser probe: a scripted journey in headless Chromium. The target is loaded first
 * (until its `load` event), then `browser.steps` run in order (goto, click, fill,
 * expectText, expectSelector); the first step that fails ends the journey and gives the
 * observation its reason and the message `step "2:click": ...`.
 *
 * One Chromium is shared by every browser check (browser/session.ts); each run gets a
 * context of its own, closed when the run ends, and at most `probes.browser.concurrency`
 * runs hold one at a time. Web vitals of the page the journey ended on are measured by
 * the page itself (browser/vitals.ts); a failed journey leaves a screenshot
 * (browser/screenshots.ts) whose path the message names.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { BrowserContext, Page } from 'playwright-core';
import type { BrowserAgentOptions } from '../config/schema/browser.js';
import type { ResolvedBrowserCheck } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { FAILURE_REASONS } from '../results/reasons.js';
import type { BrowserFacts, BrowserStepFacts, Observation } from '../results/types.js';
import { abortReason } from './http/classify.js';
import { runJourney } from './browser/journey.js';
import { saveScreenshot } from './browser/screenshots.js';
import { SharedBrowser } from './browser/session.js';
import { readVitals, watchVitals } from './browser/vitals.js';
import type { Probe, ProbeContext } from './types.js';

/** The page size when the check sets none: a common laptop viewport. */
const DEFAULT_VIEWPORT = { width: 1280, height: 720 };

/** What the browser probe needs of `probes.browser`. */
export type BrowserProbeOptions = Pick<BrowserAgentOptions, 'concurrency' | 'chromium' | 'screenshots'>;

const DEFAULTS: BrowserProbeOptions = { concurrency: 2, screenshots: { keep: 20 } };

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/** An observation of a run that never got a page (no browser, or out of time while queued). */
function noPage(startedAt: number, reason: Observation['reason'], message: string): Observation {
  return { ok: false, reason, message, durationSeconds: seconds(startedAt), phases: {} };
}

function observationOf(
  durationSeconds: number,
  steps: BrowserStepFacts[],
  facts: Omit<BrowserFacts, 'steps'>,
): Observation {
  const failed = steps.find((s) => !s.ok);
  const browser: BrowserFacts = { steps, ...facts, ...(failed ? { failedStep: failed.name } : {}) };
  const observation: Observation = {
    ok: failed === undefined,
    durationSeconds,
    phases: {},
    browser,
  };
  if (failed !== undefined) {
    observation.reason = failed.reason;
    const shot = facts.screenshot === undefined ? '' : ` (screenshot ${facts.screenshot})`;
    observation.message = `step "${failed.name}": ${failed.message ?? failed.reason ?? 'failed'}${shot}`;
  }
  return observation;
}

class BrowserProbe implements Probe<ResolvedBrowserCheck> {
  readonly kind = 'browser' as const;
  readonly #options: BrowserProbeOptions;
  readonly #browser: SharedBrowser;
  readonly #limit: LimitFunction;

  constructor(options: BrowserProbeOptions) {
    this.#options = options;
    this.#browser = new SharedBrowser(options.chromium);
    this.#limit = pLimit(options.concurrency);
  }

  run(check: ResolvedBrowserCheck, ctx: ProbeContext): Promise<Observation> {
    const startedAt = performance.now();
    return this.#limit(() => this.#journey(check, ctx.signal, startedAt));
  }

  async #journey(check: ResolvedBrowserCheck, signal: AbortSignal, startedAt: number): Promise<Observation> {
    if (signal.aborted) return noPage(startedAt, abortReason(signal), 'waited for a browser slot until the end');
    let context: BrowserContext;
    try {
      context = await this.#browser.newContext({ viewport: check.browser.viewport ?? DEFAULT_VIEWPORT });
    } catch (err) {
      if (signal.aborted) return noPage(startedAt, abortReason(signal), 'timed out starting the browser');
      return noPage(startedAt, FAILURE_REASONS.unknown, `could not start Chromium: ${errorMessage(err)}`);
    }
    // Closing the context ends whatever the page waits for, at once.
    const close = (): void => void context.close().catch(() => undefined);
    signal.addEventListener('abort', close, { once: true });
    // Out of time while the browser started: the listener above will not be called.
    if (signal.aborted) close();
    try {
      await watchVitals(context);
      const page = await context.newPage();
      // The journey's duration leaves out the wait for a slot and a launch, and the screenshot
      // and vitals after it: they say nothing of the target.
      const journeyStart = performance.now();
      const steps = await runJourney(page, check, startedAt + check.timeoutMs, signal);
      const duration = seconds(journeyStart);
      return observationOf(duration, steps, await this.#afterwards(page, check, steps, signal));
    } catch (err) {
      const reason = signal.aborted ? abortReason(signal) : FAILURE_REASONS.unknown;
      return noPage(startedAt, reason, `the browser failed: ${errorMessage(err)}`);
    } finally {
      signal.removeEventListener('abort', close);
      await context.close().catch(() => undefined);
    }
  }

  /** The vitals of the last page, and a screenshot when the journey failed. */
  async #afterwards(
    page: Page,
    check: ResolvedBrowserCheck,
    steps: BrowserStepFacts[],
    signal: AbortSignal,
  ): Promise<Omit<BrowserFacts, 'steps'>> {
    const facts: Omit<BrowserFacts, 'steps'> = { vitals: {}, finalUrl: page.url() };
    if (signal.aborted) return facts;
    // The screenshot first: it is what the time kept back from the steps is for.
    if (!steps.every((s) => s.ok) && this.#options.screenshots.keep > 0) {
      try {
        facts.screenshot = await saveScreenshot(page, check.name, this.#options.screenshots);
      } catch {
        // A page that cannot be shot (the renderer hung, the disk is full) fails as it would have anyway.
      }
    }
    if (!signal.aborted) facts.vitals = await readVitals(page).catch(() => ({}));
    return facts;
  }

  close(): Promise<void> {
    return this.#browser.close();
  }
}

/**
 * Creates the browser probe (kind `browser`) with `probes.browser` of the agent config.
 * Nothing is launched until the first run.
 *
 * @example
 * const probe = createBrowserProbe({ concurrency: 2, screenshots: { dir: '/var/lib/canary/screenshots', keep: 20 } });
 */
export function createBrowserProbe(options: BrowserProbeOptions = DEFAULTS): Probe<ResolvedBrowserCheck> {
  return new BrowserProbe(options);
}
