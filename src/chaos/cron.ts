/**
 * Scheduled experiments inside `canary run` (only with `chaos.enabled: true` AND
 * `--enable-chaos`). A cron tick is only a candidate: the run starts when the time is in
 * one of the experiment's windows, the minimum gap since its last run has passed, chaos
 * is not halted, and no other experiment holds the lock. Every skip is logged with why.
 */
import { schedule } from 'node-cron';
import type { Logger } from '../log.js';
import type { EventBus } from '../results/bus.js';
import type { ResultWindows } from '../results/window.js';
import { budgetSkipReason, type BudgetSource } from './budget.js';
import { ExperimentRun } from './runner.js';
import { fleetHaltReason, runLabels, type UnreachablePolicy } from './fleet/halt.js';
import { otherRegionReason } from './fleet/others.js';
import { turnDelayMs } from './fleet/turns.js';
import type { ProgressListener } from './progress.js';
import { bothListeners, logProgress } from './progress-log.js';
import { formatDuration } from '../config/units.js';
import { haltStatus } from './state/halt.js';
import { JournalStore } from './state/journal.js';
import type { ChaosTracer } from './tracing.js';
import type { Experiment, TimeWindow } from './model/experiment.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Weekday (0 = Sunday) and minute of the day of `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: WEEKDAYS.indexOf(get('weekday')), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Whether `at` falls in any window (no windows: any time). A window's end is exclusive. */
export function inWindows(at: Date, windows: readonly TimeWindow[]): boolean {
  if (windows.length === 0) return true;
  return windows.some((w) => {
    const { day, minute } = localTime(at, w.timeZone);
    return w.days.includes(day) && minute >= w.startMinute && minute < w.endMinute;
  });
}

/** Why a scheduled run may not start now, or undefined when it may. */
export async function skipReason(exp: Experiment, stateDir: string, now: Date): Promise<string | undefined> {
  const schedule = exp.schedule;
  if (!schedule) return 'not scheduled';
  if (exp.requireApproval) return 'requireApproval: scheduled runs have no second person to approve them';
  if (!inWindows(now, schedule.windows)) return 'outside its allowed windows';
  const halted = await haltStatus(stateDir);
  if (halted) return `chaos is halted (by ${halted.operator})`;
  const last = await new JournalStore(stateDir).lastEnded(exp.name);
  if (last && now.getTime() - last.getTime() < schedule.minGapMs)
    return `minimum gap not reached (last run ended ${last.toISOString()})`;
  return undefined;
}

export interface ChaosCronDeps {
  stateDir: string;
  windows: ResultWindows;
  bus: EventBus;
  logger: Logger;
  /** Longest wait for enough results before judging the steady state. */
  warmupTimeoutMs: number;
  tracer?: ChaosTracer;
  /**
   * Remaining error budgets, for `requireErrorBudget`: Prometheus when `chaos.prometheus` is
   * set, else the agent's tally. Without one a gated experiment never runs.
   */
  budget?: BudgetSource;
  /** `chaos.alertmanager`, and the agent's region for its labels. */
  alertmanager?: string;
  region?: string;
  /** `chaos.onUnreachable`: Alertmanager unreachable at a start, and during a run. */
  unreachable?: { start: UnreachablePolicy; running: UnreachablePolicy };
  /** Told of each run's steps and waves as they happen (the status API's wave in progress). */
  progress?: ProgressListener;
}

/** Runs the scheduled experiments of an agent; `stop()` interrupts a run in progress (it rolls back). */
export class ChaosCron {
  readonly #deps: ChaosCronDeps;
  /** This agent's region (`agent.region`): its turn, and the labels Alertmanager matches. */
  readonly #region: string;
  readonly #tasks: { stop(): void | Promise<void> }[] = [];
  readonly #stop = new AbortController();
  /** Ticks waiting for this region's turn (`schedule.fleet`). */
  readonly #turns = new Set<NodeJS.Timeout>();
  #running: Promise<unknown> | undefined;
  /** Experiments whose tick is being judged now. */
  readonly #judging = new Set<string>();

  constructor(experiments: readonly Experiment[], deps: ChaosCronDeps) {
    this.#deps = deps;
    this.#region = deps.region ?? 'local';
    for (const exp of experiments) {
      if (!exp.schedule) continue;
      const fleet = exp.schedule.fleet;
      const delay = fleet ? turnDelayMs(fleet, this.#region) : 0;
      if (delay === undefined) {
        deps.logger.warn(
          { experiment: exp.name, region: this.#region, regions: fleet?.regions },
          'scheduled chaos experiment has no turn for this region in schedule.fleet: it never runs here',
        );
        continue;
      }
      const onTick = () => (delay > 0 ? this.#afterTurn(exp, delay) : void this.#tick(exp));
      this.#tasks.push(schedule(exp.schedule.cron, onTick, { name: `chaos:${exp.name}` }));
    }
    deps.logger.info({ scheduled: this.#tasks.length }, 'chaos scheduler started');
  }

  /** A tick of a fleet schedule: this region's run starts `delay` later, in its turn. */
  #afterTurn(exp: Experiment, delay: number): void {
    const startsAt = new Date(Date.now() + delay).toISOString();
    this.#deps.logger.info(
      { experiment: exp.name, region: this.#region, startsAt },
      `scheduled chaos run waits ${formatDuration(delay)} for this region's turn`,
    );
    const timer = setTimeout(() => {
      this.#turns.delete(timer);
      void this.#tick(exp);
    }, delay);
    this.#turns.add(timer);
  }

  async #tick(exp: Experiment): Promise<void> {
    const log = this.#deps.logger;
    const busy = () =>
      void log.info({ experiment: exp.name }, 'scheduled chaos run skipped: another experiment is running');
    if (this.#running) return busy();
    // The guards wait on disk, Prometheus and Alertmanager: a tick of the same experiment
    // arriving meanwhile is dropped, and whichever experiment passes first starts alone.
    if (this.#judging.has(exp.name))
      return void log.info(
        { experiment: exp.name },
        'scheduled chaos run skipped: its previous tick is still being judged',
      );
    this.#judging.add(exp.name);
    let skip: { why: string; warn: boolean } | undefined;
    try {
      skip = await this.#skip(exp);
    } finally {
      this.#judging.delete(exp.name);
    }
    if (skip)
      return void log[skip.warn ? 'warn' : 'info'](
        { experiment: exp.name, why: skip.why },
        'scheduled chaos run skipped',
      );
    if (this.#running) return busy();
    if (this.#stop.signal.aborted) return;
    log.info({ experiment: exp.name }, 'scheduled chaos run starting');
    const run = new ExperimentRun(exp, {
      ...this.#deps,
      // The status API's view, and the log: each step, wave and verdict as it happens.
      progress: bothListeners(this.#deps.progress, logProgress(log, exp.name)),
      operator: 'canary-scheduler',
      signal: this.#stop.signal,
      onUnreachable: this.#deps.unreachable?.running ?? 'continue',
    });
    this.#running = run
      .run()
      .then((journal) =>
        log.info({ experiment: exp.name, runId: journal.runId, status: journal.status }, 'scheduled chaos run ended'),
      )
      .catch((error: unknown) => log.error({ experiment: exp.name, err: error }, 'scheduled chaos run could not start'))
      .finally(() => (this.#running = undefined));
  }

  /** Why this tick may not start a run: the local guards, the error budget, then the fleet (warned). */
  async #skip(exp: Experiment): Promise<{ why: string; warn: boolean } | undefined> {
    const why =
      (await skipReason(exp, this.#deps.stateDir, new Date())) ??
      (await budgetSkipReason(exp, this.#deps.budget, this.#deps.bus));
    if (why) return { why, warn: false };
    const { alertmanager, unreachable } = this.#deps;
    const region = this.#region;
    if (!alertmanager) return undefined;
    // The fleet: a halt, or the same experiment running in another region (regions take turns).
    const policy = unreachable?.start ?? 'halt';
    const refused =
      (await fleetHaltReason(alertmanager, runLabels(exp, region), policy)) ??
      (await otherRegionReason(alertmanager, exp.name, region, policy));
    return refused ? { why: refused, warn: true } : undefined;
  }

  /** Stops the cron tasks; a run in progress rolls back and ends as interrupted. */
  async stop(): Promise<void> {
    for (const task of this.#tasks) await task.stop();
    for (const timer of this.#turns) clearTimeout(timer);
    this.#turns.clear();
    this.#stop.abort();
    await this.#running;
  }
}
