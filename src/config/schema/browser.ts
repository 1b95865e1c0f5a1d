/**
 * The browser check: a scripted journey in headless Chromium (load the target, then goto,
 * click, fill, expectText, expectSelector), and the agent's `probes.browser` options.
 */
import { z } from 'zod';
import { regexProblem } from '../safe-regex.js';
import { checkBase } from './base.js';
import { duration } from './common.js';
import { httpTarget } from './http.js';

const selector = z.string().min(1).max(1024);

/** A URL to go to: absolute http(s), or a path resolved against the page's current URL. */
const gotoUrl = z.union([httpTarget, z.string().regex(/^\//, 'must be an absolute http(s) URL or a path from /')]);

/** `/source/flags` is a regular expression; anything else is text the page must contain. */
export const REGEX_TEXT = /^\/(.+)\/([dgimsuy]*)$/s;

const expectedText = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const match = REGEX_TEXT.exec(text);
    const problem = match?.[1] === undefined ? undefined : regexProblem(match[1]);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const ACTIONS = ['goto', 'click', 'fill', 'expectText', 'expectSelector'];

/** Why a step matched no action, naming what it has: zod's union would only say "Invalid input". */
function stepError(issue: { input?: unknown }): string {
  const keys = issue.input !== null && typeof issue.input === 'object' ? Object.keys(issue.input) : [];
  const actions = keys.filter((k) => ACTIONS.includes(k));
  const shape = `one of ${ACTIONS.join(', ')} (expectText may add selector; fill is {selector, value})`;
  if (actions.length === 1) return `${actions[0]}: not a valid step, expected ${shape}`;
  if (actions.length > 1) return `has ${actions.join(' and ')}: a step does exactly one thing, ${shape}`;
  return `must be a step: ${shape}${keys.length ? `; got ${keys.join(', ')}` : ''}`;
}

/** One step of a journey; exactly one action per step. */
export const browserStepSchema = z
  .union(
    [
      z.strictObject({ goto: gotoUrl.meta({ description: 'Navigate to this URL (or path) and wait for its load.' }) }),
      z.strictObject({ click: selector.meta({ description: 'Click the element this selector finds.' }) }),
      z.strictObject({
        fill: z
          .strictObject({ selector, value: z.string() })
          .meta({ description: 'Type `value` into the input `selector` finds.' }),
      }),
      z.strictObject({
        expectText: expectedText.meta({
          description: 'Text the page (or `selector`) must show; /REGEX/flags for a regular expression.',
        }),
        selector: selector.optional(),
      }),
      z.strictObject({ expectSelector: selector.meta({ description: 'An element this selector finds must appear.' }) }),
    ],
    { error: stepError },
  )
  .meta({ description: 'One of goto, click, fill, expectText (with an optional selector) or expectSelector.' });

export type BrowserStep = z.output<typeof browserStepSchema>;

export const browserOptionsSchema = z.strictObject({
  steps: z
    .array(browserStepSchema)
    .max(100)
    .default([])
    .meta({ description: 'The journey after the target has loaded, in order; empty: loading the target is enough.' }),
  viewport: z
    .strictObject({ width: z.int().min(100).max(7680), height: z.int().min(100).max(4320) })
    .optional()
    .meta({ description: 'Page size in CSS pixels; default 1280×720.' }),
});

export const browserExpectSchema = z.strictObject({ maxDuration: duration().optional() });

export const browserCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('browser'),
    target: httpTarget,
    browser: browserOptionsSchema.prefault({}),
    expect: browserExpectSchema.prefault({}),
  })
  .meta({
    description: 'A browser check: load the target in headless Chromium, then run the journey in `browser.steps`.',
  });

/** The action a step performs: its one key besides `selector`. */
export function stepAction(step: BrowserStep): 'goto' | 'click' | 'fill' | 'expectText' | 'expectSelector' {
  if ('goto' in step) return 'goto';
  if ('click' in step) return 'click';
  if ('fill' in step) return 'fill';
  if ('expectText' in step) return 'expectText';
  return 'expectSelector';
}

/**
 * The names of a journey's steps, the `step` label of its metrics and the name of its span
 * events: `load` for the target, then `N:action` counting from 1.
 */
export function browserStepNames(steps: readonly BrowserStep[]): string[] {
  return ['load', ...steps.map((step, i) => `${i + 1}:${stepAction(step)}`)];
}

/** `probes.browser` in the agent config: the shared Chromium and what it keeps. */
export const browserAgentSchema = z
  .strictObject({
    concurrency: z
      .int()
      .min(1)
      .max(64)
      .default(2)
      .meta({ description: 'Browser checks running at once; each holds a browser context (tens of MB).' }),
    chromium: z.string().min(1).optional().meta({
      description:
        'Path of the Chromium (or Chrome) binary; default: the first of chromium, chromium-browser, google-chrome on PATH.',
    }),
    screenshots: z
      .strictObject({
        dir: z.string().min(1).optional().meta({
          description: 'Where failure screenshots go, relative to this file; default screenshots/ in chaos.stateDir.',
        }),
        keep: z.int().min(0).max(10_000).default(20).meta({ description: 'Newest screenshots kept; 0 takes none.' }),
      })
      .prefault({}),
  })
  .prefault({})
  .meta({ description: 'Browser checks: their Chromium, how many run at once, and their failure screenshots.' });

export type BrowserAgentOptions = z.output<typeof browserAgentSchema>;
