import { constants } from 'node:os';
import { z } from 'zod';
import { duration } from '../../config/schema/common.js';
import type {
  ActionStep,
  ExecStep,
  FailbackStep,
  HttpStep,
  PauseStep,
  ProcessStep,
  ProxyStep,
  RestoreStep,
  Step,
} from '../model/steps.js';
import { argvSchema, envSchema } from './argv.js';
import { proxyStep, toProxyStep } from './proxy-step.js';
import { failbackStep } from './failback-step.js';
import { httpRequestFields } from './http-step.js';
import { dropUndefined } from './tolerance.js';

const SIGNALS: ReadonlySet<string> = new Set(Object.keys(constants.signals));

/** Which instances a step acts on; refined per step by {@link selectionRules}. */
const selectionFields = {
  target: z.string().min(1).optional().meta({ description: 'Target whose instances the step acts on.' }),
  count: z.int().min(1).optional().meta({ description: 'Act on this many instances of the target, chosen at random.' }),
  percent: z
    .number()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Act on this percentage of the target (rounded up).' }),
};

interface SelectionInput {
  target?: string;
  count?: number;
  percent?: number;
}

/** A selection names what it selects from, and is one of count or percent. */
function selectionRules(step: SelectionInput, ctx: z.RefinementCtx): void {
  if (step.count !== undefined && step.percent !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['percent'],
      message: 'cannot be combined with count: set one of count or percent',
    });
  }
  for (const key of ['count', 'percent'] as const) {
    if (step[key] !== undefined && step.target === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `needs target: name the target whose instances ${key} selects`,
      });
    }
  }
}

const processStep = z
  .strictObject({
    action: z.literal('process'),
    ...selectionFields,
    target: z.string().min(1).meta({ description: 'Target whose pid files name the processes.' }),
    signal: z
      .string()
      .refine((s) => SIGNALS.has(s), 'must be a signal name such as SIGTERM, SIGSTOP or SIGKILL (see kill -l)')
      .transform((s) => s as NodeJS.Signals)
      .meta({ description: 'Signal to send; SIGSTOP and SIGTSTP are reverted by SIGCONT.' }),
  })
  .superRefine(selectionRules)
  .meta({ description: "Signal the processes named by the target's pid files." });

const killStep = z
  .strictObject({
    action: z.literal('kill'),
    ...selectionFields,
    target: z.string().min(1).meta({ description: 'Target whose pid files name the processes.' }),
    signal: z
      .string()
      .refine((s) => SIGNALS.has(s), 'must be a signal name such as SIGTERM or SIGKILL (see kill -l)')
      .transform((s) => s as NodeJS.Signals)
      .default('SIGKILL')
      .meta({ description: "Signal that kills; the target's start brings the instance back on rollback." }),
  })
  .superRefine(selectionRules)
  .meta({ description: "Kill instances of a target; reverted by starting them again (the target's `start`)." });

const execStep = z
  .strictObject({
    action: z.literal('exec'),
    ...selectionFields,
    argv: argvSchema,
    env: envSchema.default({}),
    timeout: duration({ min: 1 }).prefault('30s'),
    revert: z
      .strictObject({
        argv: argvSchema,
        env: envSchema.optional().meta({ description: 'Default: the env of the step.' }),
        timeout: duration({ min: 1 }).optional().meta({ description: 'Default: the timeout of the step.' }),
      })
      .optional()
      .meta({ description: 'What undoes the step, run on the same instances.' }),
  })
  .superRefine(selectionRules)
  .meta({ description: 'Run a program (never a shell).' });

const httpStep = z
  .strictObject({
    action: z.literal('http'),
    ...selectionFields,
    ...httpRequestFields,
    revert: z
      .strictObject(httpRequestFields)
      .optional()
      .meta({ description: "The request that undoes the step; unset fields take their defaults, not the step's." }),
  })
  .superRefine(selectionRules)
  .meta({ description: 'Send one HTTP request and expect a status.' });

const restoreStep = z
  .strictObject({
    action: z.literal('restore'),
    target: z.string().min(1).meta({ description: 'Target whose taken-down instances come back.' }),
  })
  .meta({ description: 'Bring back every instance earlier steps took down, at once and without a gate.' });

const pauseStep = z
  .strictObject({
    // Optional, so a pause is written `{ pause: 20s }`; the discriminated union routes an item without `action` here.
    action: z.literal('pause').optional(),
    pause: duration({ min: 1 }).meta({ description: 'How long to wait, watching the abort conditions.' }),
  })
  .meta({ description: 'Wait, watching the abort conditions.' });

/** A step before it is given its id; distributes over the union, which `Omit` does not. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

type ParsedAction =
  z.output<typeof processStep> | z.output<typeof killStep> | z.output<typeof execStep> | z.output<typeof httpStep>;

/** The typed step, without its id (which depends on where it sits). */
function toActionStep(step: ParsedAction): WithoutId<ActionStep> {
  const { target, count, percent } = step;
  const base = dropUndefined({ target, selection: dropUndefined({ count, percent }) });
  // A kill is a process step whose revert is the target's start (see plan.ts).
  if (step.action === 'process' || step.action === 'kill')
    return { action: 'process', ...base, signal: step.signal, kill: step.action === 'kill' } satisfies Omit<
      ProcessStep,
      'id'
    >;
  if (step.action === 'exec') {
    const { argv, env, timeout, revert } = step;
    const undo = revert && { argv: revert.argv, env: revert.env ?? env, timeoutMs: revert.timeout ?? timeout };
    return dropUndefined({ action: 'exec', ...base, argv, env, timeoutMs: timeout, revert: undo }) satisfies Omit<
      ExecStep,
      'id'
    >;
  }
  const { method, url, headers, body, expectStatus, timeout, revert } = step;
  let undo: HttpStep['revert'];
  if (revert) {
    const { timeout: revertTimeout, ...request } = revert;
    undo = dropUndefined({ ...request, timeoutMs: revertTimeout });
  }
  return dropUndefined({
    action: 'http',
    ...base,
    method,
    url,
    headers,
    body,
    expectStatus,
    timeoutMs: timeout,
    revert: undo,
  }) satisfies Omit<HttpStep, 'id'>;
}

/** One step of `rollback`: an action, never a pause. */
export const actionStepSchema = z
  .discriminatedUnion('action', [processStep, killStep, execStep, httpStep])
  .transform(toActionStep);

/** One step of `method`: an action or `{ pause: DURATION }`. */
export const methodStepSchema = z
  .discriminatedUnion('action', [
    pauseStep,
    processStep,
    killStep,
    execStep,
    httpStep,
    failbackStep,
    restoreStep,
    proxyStep,
  ])
  .transform((step): WithoutId<Step> | ProxyDraft => {
    if ('pause' in step) return { action: 'pause', durationMs: step.pause } satisfies Omit<PauseStep, 'id'>;
    if (step.action === 'proxy') return toProxyStep(step);
    if (step.action === 'restore') {
      // Nothing waits: the interval is 0 and the gate is off; gateTimeout is unused.
      return {
        action: 'restore',
        target: step.target,
        strategy: 'all-at-once',
        intervalMs: 0,
        jitterMs: 0,
        gateTimeoutMs: 1,
        gate: false,
      } satisfies Omit<RestoreStep, 'id'>;
    }
    if (step.action === 'failback') {
      const { target, strategy, waveSize, waves, interval, jitter, gateTimeout } = step;
      return dropUndefined({
        action: 'failback',
        target,
        strategy,
        waveSize,
        waves,
        intervalMs: interval,
        jitterMs: jitter,
        gateTimeoutMs: gateTimeout,
        gate: true,
      }) satisfies Omit<FailbackStep, 'id'>;
    }
    return toActionStep(step);
  });

/** `method:`, at least one step, each given its id. */
export const methodSchema = z
  .array(methodStepSchema)
  .min(1)
  // Ids are positions (`method[2]`): stable across runs, so journals and messages agree.
  .transform((steps) => steps.map((step, i) => withId(step, `method[${i}]`, i)));

/** A proxy step before its toxics are named and its ttl known. */
type ProxyDraft = ReturnType<typeof toProxyStep>;

/** Gives a step its id; unnamed toxics get names unique in the experiment (`canary-2-0`). */
function withId(step: WithoutId<Step> | ProxyDraft, id: string, index: number): Step | (ProxyDraft & { id: string }) {
  if (step.action !== 'proxy') return { id, ...step };
  return { id, ...step, toxics: step.toxics.map((t, n) => ({ ...t, name: t.name ?? `canary-${index}-${n}` })) };
}

/** Fills in what a proxy step takes from its experiment: the ttl of its toxics. */
export function finishProxySteps(
  steps: readonly (Step | (ProxyDraft & { id: string }))[],
  defaultTtlMs: number,
): Step[] {
  return steps.map((step) =>
    step.action === 'proxy' ? ({ ...step, ttlMs: step.ttlMs ?? defaultTtlMs } as ProxyStep) : (step as Step),
  );
}

/** `rollback:`, actions only, each given its id. @defaultValue `[]` */
export const rollbackSchema = z
  .array(actionStepSchema)
  .default([])
  .transform((steps) => steps.map((step, i) => ({ id: `rollback[${i}]`, ...step })));
