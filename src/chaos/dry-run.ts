/**
 * `--dry-run`: resolves the real targets (pid files read, placeholders filled, selections
 * drawn, the blast radius applied) and shows every call a run would make, touching nothing.
 */
import { errorMessage } from '../errors.js';
import { describeCall } from './faults.js';
import { planSelected } from './plan.js';
import { BlastRadius } from './select.js';
import type { PlannedFault } from './model/calls.js';
import type { Experiment, PromqlEntry, Tolerance } from './model/experiment.js';
import type { ActionStep, WaveStep } from './model/steps.js';

export interface PlannedStep {
  id: string;
  action: string;
  /** Pause length, for pauses. */
  durationMs?: number;
  faults: PlannedFault[];
  /** Why this step could not be planned (a missing pid file, over the blast radius). */
  error?: string;
}

export interface ExperimentPlan {
  experiment: string;
  file: string;
  steadyState: Tolerance[];
  abortWhen: Tolerance[];
  /** The PromQL entries of both lists, when there are any. */
  promql?: Experiment['promql'];
  blastRadius: Experiment['blastRadius'];
  method: PlannedStep[];
  rollback: PlannedStep[];
  rollbackStrategy: Experiment['rollbackStrategy'];
  maxDurationMs: number;
  /** Every step could be planned. */
  ok: boolean;
}

async function planOne(
  exp: Experiment,
  step: ActionStep,
  radius: BlastRadius | undefined,
  random: () => number,
): Promise<PlannedStep> {
  try {
    return { id: step.id, action: step.action, faults: await planSelected(exp, step, random, radius) };
  } catch (error) {
    return { id: step.id, action: step.action, faults: [], error: errorMessage(error) };
  }
}

/** Plans the whole experiment as a run would, with the same selection and blast radius. */
export async function planExperiment(exp: Experiment, random: () => number = Math.random): Promise<ExperimentPlan> {
  const radius = new BlastRadius(exp.blastRadius, exp.targets);
  const method: PlannedStep[] = [];
  for (const step of exp.method) {
    if (step.action === 'pause') method.push({ id: step.id, action: 'pause', durationMs: step.durationMs, faults: [] });
    else if (step.action === 'restore')
      method.push({
        id: step.id,
        action: `restore ${step.target} (every instance taken down before it, at once, no gate)`,
        faults: [],
      });
    else if (step.action === 'failback')
      method.push({
        id: step.id,
        action: `failback ${step.strategy} of ${step.target} (the instances killed before it, ${describeWaves(step)})`,
        faults: [],
      });
    else method.push(await planOne(exp, step, radius, random));
  }
  const rollback: PlannedStep[] = [];
  if (exp.rollbackStrategy !== 'never')
    for (const step of exp.rollback) rollback.push(await planOne(exp, step, undefined, random));
  const ok = [...method, ...rollback].every((s) => s.error === undefined);
  return {
    experiment: exp.name,
    file: exp.file,
    steadyState: exp.steadyState,
    abortWhen: exp.abortWhen,
    ...(exp.promql ? { promql: exp.promql } : {}),
    blastRadius: exp.blastRadius,
    method,
    rollback,
    rollbackStrategy: exp.rollbackStrategy,
    maxDurationMs: exp.maxDurationMs,
    ok,
  };
}

function describeWaves(step: WaveStep): string {
  if (step.strategy === 'all-at-once') return 'in one wave';
  const size = step.waves !== undefined ? `${step.waves} waves` : `${step.waveSize ?? 1} per wave`;
  return `${size}, every ${step.intervalMs / 1000}s${step.jitterMs ? ` + up to ${step.jitterMs / 1000}s` : ''}, gate ${step.gateTimeoutMs / 1000}s`;
}

function tolerance(t: Tolerance): string {
  const parts = (['successRatio', 'p50', 'p95', 'p99'] as const).flatMap((m) => (t[m] ? [`${m} ${t[m].text}`] : []));
  return `${t.check}: ${parts.join(', ')} over ${t.windowMs / 1000}s`;
}

/** Both kinds of entries of one list, for a terminal; `none` when there are none. */
function entries(checks: Tolerance[], promql: readonly PromqlEntry[] = [], none: string): string {
  const queries = promql.map(
    (p) => `promql ${p.promql}${p.expect ? ` ${p.expect.text}` : ''} every ${p.everyMs / 1000}s`,
  );
  const all = [...checks.map(tolerance), ...queries];
  return all.length ? all.join('; ') : none;
}

function stepLines(step: PlannedStep): string[] {
  if (step.action.startsWith('failback') || step.action.startsWith('restore')) return [`  ${step.id}  ${step.action}`];
  if (step.action === 'pause')
    return [`  ${step.id}  pause ${(step.durationMs ?? 0) / 1000}s (abort conditions watched)`];
  if (step.error) return [`  ${step.id}  ${step.action}: CANNOT PLAN: ${step.error}`];
  return step.faults.flatMap((f) => [
    `  ${step.id}  ${f.instance ? `[${f.instance}] ` : ''}${describeCall(f.apply)}`,
    `  ${' '.repeat(step.id.length)}  revert: ${f.revert ? describeCall(f.revert) : 'none'}`,
  ]);
}

/** The plan for a terminal. */
export function formatPlan(plan: ExperimentPlan): string {
  const radius = [
    plan.blastRadius.maxInstances !== undefined ? `at most ${plan.blastRadius.maxInstances} instance(s) in all` : '',
    plan.blastRadius.maxPercent !== undefined ? `at most ${plan.blastRadius.maxPercent}% of a target` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return [
    `dry run of ${plan.experiment} (nothing is touched)`,
    `steady state: ${entries(plan.steadyState, plan.promql?.steadyState, 'none')}`,
    `abort when:   ${entries(plan.abortWhen, plan.promql?.abortWhen, 'never')}`,
    `blast radius: ${radius || 'none'}; max duration ${plan.maxDurationMs / 1000}s; rollback ${plan.rollbackStrategy}`,
    'method:',
    ...plan.method.flatMap(stepLines),
    'rollback (after every fault above is reverted):',
    ...(plan.rollback.length ? plan.rollback.flatMap(stepLines) : ['  none']),
    plan.ok ? 'plan: ok' : 'plan: some steps cannot run as things are (see CANNOT PLAN)',
  ].join('\n');
}
