import pLimit, { type LimitFunction } from 'p-limit';
import { CanaryError, ERROR_CODES } from '../errors.js';
import type { ResolvedCheck } from '../config/types.js';
import type { EventBus } from '../results/bus.js';
import { indexChecks, planUpdate } from './plan.js';
import { keyedUnit, randomSeed } from './random.js';
import { makeTiming, type Timing } from './timing.js';
import type { RunDeadline, RunFn, SchedulerOptions, StopOptions, UpdateSummary } from './types.js';

/** setTimeout's ceiling (2^31 - 1 ms, about 24.8 days); longer waits are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Per-check state, keyed by check name. One timer per check; nothing scans all checks per tick. */
interface Slot {
  check: ResolvedCheck;
  readonly timing: Timing;
  /** When the next run is due, epoch ms. */
  nextAt: number;
  timer: NodeJS.Timeout | undefined;
  /** Set when a reload drops or replaces the check, so a run still at the gate does not start. */
  removed: boolean;
  /** The timer callback, bound once so a tick allocates no closure. */
  readonly fire: () => void;
}

/** Aborts a run at its deadline; the reason is made only if the timer fires. */
function abortOnTimeout(
  controller: AbortController,
  deadline: RunDeadline,
  check: ResolvedCheck,
  budgetMs: number,
): void {
  controller.abort(deadline.reason(check, budgetMs));
}

/**
 * Decides when each check runs: interval checks on a fixed grid from a spread start offset,
 * cron checks on their expression; one global concurrency gate; never two runs of one
 * check at once; a deadline on every run (its attempts' timeouts and backoffs).
 *
 * @example
 * const scheduler = new Scheduler(config.checks, { concurrency: 64, bus, deadline: RUN_DEADLINE, run });
 * scheduler.start();
 * // on SIGTERM
 * await scheduler.stop({ graceMs: 5_000 });
 */
export class Scheduler {
  readonly #bus: EventBus;
  readonly #run: RunFn;
  readonly #deadline: RunDeadline;
  readonly #seed: number;
  readonly #limit: LimitFunction;
  readonly #slots = new Map<string, Slot>();
  /** Names with a run at the gate or in flight. By name, not slot, so it holds across reloads. */
  readonly #busy = new Set<string>();
  /** Every run from enqueue to settle, for stop() to wait on. */
  readonly #pending = new Set<Promise<void>>();
  /** The controllers of runs past the gate, for stop() to abort. */
  readonly #running = new Set<AbortController>();
  #started = false;
  #stopping: Promise<void> | undefined;

  /** @throws CanaryError `CANARY_ERR_CONFIG` for a duplicate check name or an invalid cron expression. */
  constructor(checks: readonly ResolvedCheck[], options: SchedulerOptions) {
    this.#bus = options.bus;
    this.#run = options.run;
    this.#deadline = options.deadline;
    this.#seed = options.seed ?? randomSeed();
    // rejectOnClear settles the runs still at the gate when stop() clears the queue.
    this.#limit = pLimit({ concurrency: options.concurrency, rejectOnClear: true });
    this.update(checks);
  }

  /** True after start() and before stop(). */
  get started(): boolean {
    return this.#started;
  }

  /** Runs past the concurrency gate and not yet finished. */
  get inFlight(): number {
    return this.#running.size;
  }

  /** Arms every check's timer. Calling it again while started does nothing. */
  start(): void {
    if (this.#stopping) throw new CanaryError(ERROR_CODES.state, 'the scheduler was stopped and cannot start again');
    if (this.#started) return;
    this.#started = true;
    const now = Date.now();
    for (const slot of this.#slots.values()) this.#schedule(slot, slot.timing.first(now), now);
    this.#announce([...this.#slots.values()]);
  }

  /**
   * Replaces the set of checks, keeping the schedule of every check whose definition is
   * unchanged (deep-equal apart from `source`). New and changed checks start from now with
   * their spread offset; removed ones run no more (a run in flight finishes).
   *
   * @throws CanaryError `CANARY_ERR_CONFIG` (nothing is changed) or `CANARY_ERR_STATE` after stop().
   */
  update(checks: readonly ResolvedCheck[]): UpdateSummary {
    if (this.#stopping) throw new CanaryError(ERROR_CODES.state, 'the scheduler was stopped');
    const wanted = indexChecks(checks);
    const current = new Map<string, ResolvedCheck>();
    for (const [name, slot] of this.#slots) current.set(name, slot.check);
    const summary = planUpdate(current, wanted);
    // Build new slots before touching old ones: a bad expression leaves the schedule as it was.
    const fresh = this.#makeSlots([...summary.added, ...summary.changed], wanted);
    for (const name of [...summary.removed, ...summary.changed]) this.#drop(name);
    for (const name of summary.unchanged) {
      const slot = this.#slots.get(name);
      const check = wanted.get(name);
      if (slot && check) slot.check = check; // new `source`, same schedule
    }
    const now = Date.now();
    for (const slot of fresh) {
      this.#slots.set(slot.check.name, slot);
      if (this.#started) this.#schedule(slot, slot.timing.first(now), now);
    }
    if (this.#started) this.#announce(fresh);
    return summary;
  }

  /**
   * Stops scheduling and waits for in-flight runs, each bounded by its timeout. Runs still
   * waiting at the gate are dropped. With `graceMs`, runs still going after it are aborted
   * (reason: `AbortError` "agent stopping") and awaited. Calling it again returns the same promise.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= this.#drain(options.graceMs);
    return this.#stopping;
  }

  async #drain(graceMs: number | undefined): Promise<void> {
    this.#started = false;
    for (const slot of this.#slots.values()) {
      clearTimeout(slot.timer);
      slot.timing.dispose();
    }
    this.#limit.clearQueue();
    const settled = Promise.all(this.#pending).then(() => false);
    if (graceMs !== undefined && this.#pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, graceMs, true)));
      const pastGrace = await Promise.race([settled, expired]);
      clearTimeout(timer);
      if (pastGrace)
        for (const controller of this.#running) controller.abort(new DOMException('agent stopping', 'AbortError'));
    }
    await settled;
  }

  /** Tells the sinks which checks now have a schedule, so their counters can start at 0. */
  #announce(slots: readonly Slot[]): void {
    if (slots.length === 0) return;
    this.#bus.emit('checks.scheduled', { checks: slots.map(({ check }) => ({ name: check.name, kind: check.kind })) });
  }

  #makeSlots(names: readonly string[], wanted: ReadonlyMap<string, ResolvedCheck>): Slot[] {
    const slots: Slot[] = [];
    try {
      for (const name of names) {
        const check = wanted.get(name);
        if (check) slots.push(this.#makeSlot(check));
      }
    } catch (error) {
      for (const slot of slots) slot.timing.dispose();
      throw error;
    }
    return slots;
  }

  #makeSlot(check: ResolvedCheck): Slot {
    const timing = makeTiming(check.schedule, keyedUnit(this.#seed, check.name));
    const slot: Slot = { check, timing, nextAt: 0, timer: undefined, removed: false, fire: () => this.#fire(slot) };
    return slot;
  }

  #drop(name: string): void {
    const slot = this.#slots.get(name);
    if (!slot) return;
    clearTimeout(slot.timer);
    slot.timing.dispose();
    slot.removed = true;
    this.#slots.delete(name);
  }

  /** Sets the next due time and arms the timer; a check with no next time is reported and left idle. */
  #schedule(slot: Slot, due: number | undefined, now: number): void {
    if (due === undefined) {
      const error = new CanaryError(ERROR_CODES.config, `check ${slot.check.name}: its schedule has no next run`);
      this.#bus.emit('bus.error', { event: 'scheduler.schedule', error });
      return;
    }
    slot.nextAt = due;
    slot.timer = setTimeout(slot.fire, Math.min(Math.max(0, due - now), MAX_TIMER_MS));
  }

  #fire(slot: Slot): void {
    slot.timer = undefined;
    if (!this.#started || slot.removed) return;
    const now = Date.now();
    // A capped long wait, or a wall clock stepped back: not due yet, wait on.
    if (now < slot.nextAt) return this.#schedule(slot, slot.nextAt, now);
    const scheduledAt = slot.nextAt;
    // Arm the next tick first, so the grid never depends on how long this run takes.
    this.#schedule(slot, slot.timing.next(scheduledAt, now), now);
    const { name, kind } = slot.check;
    if (this.#busy.has(name)) {
      this.#bus.emit('scheduler.skipped', { check: name, kind });
      return;
    }
    this.#enqueue(slot, scheduledAt);
  }

  #enqueue(slot: Slot, scheduledAt: number): void {
    const { name } = slot.check;
    this.#busy.add(name);
    const settled: Promise<void> = this.#limit(() => this.#execute(slot, scheduledAt))
      // Only stop()'s clearQueue rejects here: #execute itself never does.
      .catch(() => undefined)
      .finally(() => {
        this.#busy.delete(name);
        this.#pending.delete(settled);
      });
    this.#pending.add(settled);
  }

  /**
   * One run, past the gate: lag, a deadline of its own, and errors that stay here. The
   * deadline is the budget the `deadline` option gives the check (in the agent: its
   * attempts and backoffs, within the interval); each attempt's own timeout is the run
   * function's business.
   */
  async #execute(slot: Slot, scheduledAt: number): Promise<void> {
    if (this.#stopping || slot.removed) return;
    const { check } = slot;
    const startedAt = Date.now();
    const seconds = Math.max(0, startedAt - scheduledAt) / 1000;
    this.#bus.emit('scheduler.lag', { check: check.name, kind: check.kind, seconds });
    const controller = new AbortController();
    // The budget starts here, after the gate: waiting for a slot is lag, not probe time.
    const budgetMs = this.#deadline.budgetMs(check);
    const timer = setTimeout(abortOnTimeout, budgetMs, controller, this.#deadline, check, budgetMs);
    this.#running.add(controller);
    try {
      await this.#run(check, { signal: controller.signal, scheduledAt, startedAt, deadline: startedAt + budgetMs });
    } catch (cause) {
      const error = new CanaryError(ERROR_CODES.internal, `check ${check.name}: run threw`, { cause });
      this.#bus.emit('bus.error', { event: 'scheduler.run', error });
    } finally {
      clearTimeout(timer);
      this.#running.delete(controller);
    }
  }
}
