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
import { ExperimentRun } from './runner.js';
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
}

/** Runs the scheduled experiments of an agent; `stop()` interrupts a run in progress (it rolls back). */
export class ChaosCron {
  readonly #deps: ChaosCronDeps;
  readonly #tasks: { stop(): void | Promise<void> }[] = [];
  readonly #stop = new AbortController();
  #running: Promise<unknown> | undefined;

  constructor(experiments: readonly Experiment[], deps: ChaosCronDeps) {
    this.#deps = deps;
    for (const exp of experiments) {
      if (!exp.schedule) continue;
      this.#tasks.push(schedule(exp.schedule.cron, () => void this.#tick(exp), { name: `chaos:${exp.name}` }));
    }
    deps.logger.info({ scheduled: this.#tasks.length }, 'chaos scheduler started');
  }

  async #tick(exp: Experiment): Promise<void> {
    const log = this.#deps.logger;
    if (this.#running)
      return void log.info({ experiment: exp.name }, 'scheduled chaos run skipped: another experiment is running');
    const why = await skipReason(exp, this.#deps.stateDir, new Date());
    if (why) return void log.info({ experiment: exp.name, why }, 'scheduled chaos run skipped');
    const run = new ExperimentRun(exp, { ...this.#deps, operator: 'canary-scheduler', signal: this.#stop.signal });
    this.#running = run
      .run()
      .then((journal) =>
        log.info({ experiment: exp.name, runId: journal.runId, status: journal.status }, 'scheduled chaos run ended'),
      )
      .catch((error: unknown) => log.error({ experiment: exp.name, err: error }, 'scheduled chaos run could not start'))
      .finally(() => (this.#running = undefined));
  }

  /** Stops the cron tasks; a run in progress rolls back and ends as interrupted. */
  async stop(): Promise<void> {
    for (const task of this.#tasks) await task.stop();
    this.#stop.abort();
    await this.#running;
  }
}
