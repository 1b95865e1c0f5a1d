/**
 * Span attributes and events of the browser probe: the target as the URL conventions name
 * it (`url.full`, `server.*`), `canary.browser.*` for the journey, one event per step at
 * its end and one with the page's web vitals.
 */
import type { Attributes } from '@opentelemetry/api';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import type { ResolvedBrowserCheck } from '../../config/types.js';
import type { BrowserFacts, CheckResult } from '../../results/types.js';
import type { PhaseEvent } from './span-event.js';

/** The page the journey starts on; later steps may go elsewhere, each step's event says how it went. */
export function browserRequestAttributes(check: ResolvedBrowserCheck): Attributes {
  const url = new URL(check.target);
  return {
    [ATTR_URL_FULL]: check.target,
    [ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[|\]$/g, ''),
    [ATTR_SERVER_PORT]: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    'canary.browser.steps': check.browser.steps.length + 1,
  };
}

/** How far the journey got, where it ended and what it left behind. */
export function browserAttributes(browser: BrowserFacts): Attributes {
  const { vitals } = browser;
  return {
    'canary.browser.steps_run': browser.steps.length,
    ...(browser.failedStep !== undefined ? { 'canary.browser.failed_step': browser.failedStep } : {}),
    ...(browser.finalUrl !== undefined ? { 'canary.browser.final_url': browser.finalUrl } : {}),
    ...(browser.screenshot !== undefined ? { 'canary.browser.screenshot': browser.screenshot } : {}),
    ...(vitals.lcpSeconds !== undefined ? { 'canary.browser.lcp_s': vitals.lcpSeconds } : {}),
    ...(vitals.cls !== undefined ? { 'canary.browser.cls': vitals.cls } : {}),
    ...(vitals.ttfbSeconds !== undefined ? { 'canary.browser.ttfb_s': vitals.ttfbSeconds } : {}),
  };
}

/**
 * One event per journey step that ran, stamped at its end (laid back to back from the
 * span's start, as the steps ran), then `web_vitals` at the end of the last step.
 */
export function browserEvents(result: CheckResult, startMs: number): PhaseEvent[] {
  const browser = result.observation.browser;
  if (browser === undefined) return [];
  const events: PhaseEvent[] = [];
  let at = startMs;
  for (const step of browser.steps) {
    at += step.durationSeconds * 1000;
    const attributes: Attributes = {
      'canary.browser.step': step.name,
      'canary.browser.step.ok': step.ok,
      'canary.browser.step.duration_s': step.durationSeconds,
    };
    if (step.reason !== undefined) attributes['canary.reason'] = step.reason;
    events.push({ name: step.name, time: at, attributes });
  }
  const { lcpSeconds, cls, ttfbSeconds } = browser.vitals;
  const vitals: Attributes = {
    ...(lcpSeconds !== undefined ? { 'canary.browser.lcp_s': lcpSeconds } : {}),
    ...(cls !== undefined ? { 'canary.browser.cls': cls } : {}),
    ...(ttfbSeconds !== undefined ? { 'canary.browser.ttfb_s': ttfbSeconds } : {}),
  };
  if (Object.keys(vitals).length > 0) events.push({ name: 'web_vitals', time: at, attributes: vitals });
  return events;
}
