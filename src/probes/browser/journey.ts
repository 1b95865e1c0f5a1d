/**
 * A whole journey on one page: the target's load, then each step in order, timed; the
 * first step that fails ends it. Every step waits at most for the time the attempt has
 * left less a reserve, which keeps room for the failure screenshot.
 */
import type { Page } from 'playwright-core';
import { browserStepNames, type BrowserStep } from '../../config/schema/browser.js';
import type { ResolvedBrowserCheck } from '../../config/types.js';
import type { BrowserStepFacts } from '../../results/types.js';
import { stepFailure } from './failure.js';
import { navigate, navigates, runStep } from './steps.js';

/**
 * The time kept back from the steps for the failure screenshot and the vitals: a share of
 * the timeout, within these bounds (ms). A screenshot takes a few hundred milliseconds.
 */
const RESERVE_SHARE = 0.25;
const RESERVE_MIN_MS = 250;
const RESERVE_MAX_MS = 2500;

/** How long a step may wait when the attempt's deadline is `deadline` (a `performance.now()` time). */
export function stepBudget(deadline: number, timeoutMs: number): number {
  const reserve = Math.min(RESERVE_MAX_MS, Math.max(RESERVE_MIN_MS, timeoutMs * RESERVE_SHARE));
  // Playwright reads 0 as "no limit": a spent budget still gets a millisecond, and fails.
  return Math.max(1, Math.floor(deadline - performance.now() - reserve));
}

/** Runs the journey; the steps that ran, the failed one last. */
export async function runJourney(
  page: Page,
  check: ResolvedBrowserCheck,
  deadline: number,
  signal: AbortSignal,
): Promise<BrowserStepFacts[]> {
  const names = browserStepNames(check.browser.steps);
  const actions: (BrowserStep | undefined)[] = [undefined, ...check.browser.steps];
  const facts: BrowserStepFacts[] = [];
  for (const [index, step] of actions.entries()) {
    const started = performance.now();
    const name = names[index] as string;
    try {
      const budget = stepBudget(deadline, check.timeoutMs);
      await (step === undefined ? navigate(page, check.target, budget) : runStep(page, step, budget));
      facts.push({ name, ok: true, durationSeconds: (performance.now() - started) / 1000 });
    } catch (err) {
      const failure = stepFailure(err, navigates(step), signal);
      facts.push({ name, ok: false, durationSeconds: (performance.now() - started) / 1000, ...failure });
      break;
    }
  }
  return facts;
}
