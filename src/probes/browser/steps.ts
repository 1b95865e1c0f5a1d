/**
 * One journey step on a page: what it does and what it waits for. Each step gets the time
 * the attempt has left (less a reserve for the screenshot), so a step that waits in vain
 * fails on its own account before the attempt's deadline cuts everything short.
 */
import type { Page, Response } from 'playwright-core';
import { REGEX_TEXT, type BrowserStep } from '../../config/schema/browser.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { StepExpectation } from './failure.js';

/** A document status at or above this fails the navigation, as a browser user sees an error page. */
const ERROR_STATUS = 400;

/** Loads `url` until its `load` event; an error status is a failed step. */
export async function navigate(page: Page, url: string, timeout: number): Promise<void> {
  const response: Response | null = await page.goto(url, { waitUntil: 'load', timeout });
  const status = response?.status() ?? 0;
  if (status >= ERROR_STATUS) {
    throw new StepExpectation(FAILURE_REASONS.http_status, `${url} answered HTTP ${status}`);
  }
}

/** `expectText` as a pattern: `/source/flags` as written, plain text matched as is (case and all). */
export function textPattern(text: string): RegExp {
  const match = REGEX_TEXT.exec(text);
  if (match?.[1] !== undefined) return new RegExp(match[1], match[2]);
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

async function expectText(page: Page, text: string, selector: string | undefined, timeout: number): Promise<void> {
  const pattern = textPattern(text);
  const scope = page.locator(selector ?? 'body');
  try {
    await scope.filter({ hasText: pattern }).first().waitFor({ state: 'visible', timeout });
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'TimeoutError') throw err;
    const where = selector === undefined ? 'the page' : `"${selector}"`;
    throw new StepExpectation(
      FAILURE_REASONS.assertion,
      `expected ${where} to show ${text} within ${(timeout / 1000).toFixed(1)}s`,
    );
  }
}

async function expectSelector(page: Page, selector: string, timeout: number): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout });
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'TimeoutError') throw err;
    throw new StepExpectation(
      FAILURE_REASONS.assertion,
      `no visible element matches "${selector}" after ${(timeout / 1000).toFixed(1)}s`,
    );
  }
}

/** Runs one step of `browser.steps`; throws what the step ran into. */
export async function runStep(page: Page, step: BrowserStep, timeout: number): Promise<void> {
  if ('goto' in step) return navigate(page, new URL(step.goto, page.url()).href, timeout);
  if ('click' in step) return page.locator(step.click).first().click({ timeout });
  if ('fill' in step) return page.locator(step.fill.selector).first().fill(step.fill.value, { timeout });
  if ('expectText' in step) return expectText(page, step.expectText, step.selector, timeout);
  return expectSelector(page, step.expectSelector, timeout);
}

/** Whether a step loads a page (its time running out is `timeout`, not `assertion`). */
export function navigates(step: BrowserStep | undefined): boolean {
  return step === undefined || 'goto' in step;
}
