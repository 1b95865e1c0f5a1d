/**
 * Probe workers (`probes.workers`): the agent's side. The scheduler still decides every
 * run on the agent's thread (one concurrency cap, no overlap, offsets); the pool only
 * carries each run to a worker and its attempts back, so the bus, sinks and tracer see
 * what they see without workers.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ResolvedCheck } from '../../config/types.js';
import { CanaryError, ERROR_CODES } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { CheckResult } from '../../results/types.js';
import type { AttemptSink, AttemptTrace } from '../retry.js';
import { extraSecretQueryParams } from '../../secrets/query-params.js';
import { portableReason, type FromWorker, type ToWorker, type WorkerSetup } from './protocol.js';

/** How long a closing worker gets to release its connections before it is terminated. */
const CLOSE_GRACE_MS = 2_000;

type Headers = Readonly<Record<string, string>>;

/** One run's context, as the agent hands it over. */
export interface PoolRun {
  signal: AbortSignal;
  headers?: Headers;
  deadline: number;
  bus: AttemptSink;
  trace?: AttemptTrace;
}

/** A run in flight on a worker. */
interface Pending {
  worker: Slot;
  last: CheckResult | undefined;
  run: PoolRun;
  resolve(result: CheckResult): void;
  reject(error: Error): void;
  unlisten(): void;
}

/** A worker and the checks it has been sent. */
interface Slot {
  index: number;
  worker: Worker;
  checks: Set<number>;
  closing: boolean;
  /** Settles when the worker has loaded its probes (or exited before). */
  ready: Promise<void>;
  onReady(): void;
}

export interface ProbePoolOptions {
  workers: number;
  region: string;
  logger: Logger;
}

/**
 * The pool `probes.workers` asks for: none at 0 (probes run on the agent's thread), one
 * worker per core at `auto`.
 */
export function probePool(workers: number | 'auto', options: Omit<ProbePoolOptions, 'workers'>): ProbePool | undefined {
  const count = workers === 'auto' ? availableParallelism() : workers;
  return count > 0 ? new ProbePool({ ...options, workers: count }) : undefined;
}

export class ProbePool {
  readonly #setup: WorkerSetup;
  readonly #logger: Logger;
  readonly #slots: Slot[] = [];
  /** Each check object's id; a check is sent to its worker the first time it runs. */
  readonly #ids = new Map<ResolvedCheck, number>();
  readonly #pending = new Map<number, Pending>();
  #nextCheck = 0;
  #nextRun = 0;
  #closed = false;

  constructor(options: ProbePoolOptions) {
    this.#setup = { region: options.region, secretQueryParams: extraSecretQueryParams() };
    this.#logger = options.logger;
    for (let index = 0; index < options.workers; index++) this.#slots.push(this.#spawn(index));
  }

  /**
   * Settles once every worker has loaded its probes. The agent waits for it before the
   * first run: a worker takes a few hundred ms to start, which would eat the first runs'
   * timeouts.
   */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => slot.ready));
  }

  /** The worker threads, for tests that need to see one fail. */
  get threads(): readonly Worker[] {
    return this.#slots.map((slot) => slot.worker);
  }

  /**
   * One run of `check` on its worker; resolves with the deciding attempt's result like
   * executeWithRetries, and rejects only when the run could not happen (a bug, a worker
   * that died, a closed pool).
   */
  run(check: ResolvedCheck, run: PoolRun): Promise<CheckResult> {
    if (this.#closed) return Promise.reject(new CanaryError(ERROR_CODES.state, 'the probe workers are closed'));
    const id = this.#idOf(check);
    const worker = this.#slotOf(id);
    if (!worker.checks.has(id)) {
      worker.checks.add(id);
      this.#post(worker, { type: 'add', id, check });
    }
    const runId = this.#nextRun++;
    return new Promise<CheckResult>((resolve, reject) => {
      const onAbort = (): void =>
        this.#post(worker, { type: 'abort', run: runId, reason: portableReason(run.signal.reason) });
      run.signal.addEventListener('abort', onAbort, { once: true });
      const unlisten = (): void => run.signal.removeEventListener('abort', onAbort);
      this.#pending.set(runId, { worker, last: undefined, run, resolve, reject, unlisten });
      this.#post(
        worker,
        run.headers
          ? { type: 'run', run: runId, check: id, deadline: run.deadline, headers: run.headers }
          : { type: 'run', run: runId, check: id, deadline: run.deadline },
      );
      if (run.signal.aborted) onAbort();
    });
  }

  /** Forgets checks no longer configured, here and in their workers. */
  retain(checks: readonly ResolvedCheck[]): void {
    const keep = new Set(checks);
    const dropped = new Map<Slot, number[]>();
    for (const [check, id] of this.#ids) {
      if (keep.has(check)) continue;
      this.#ids.delete(check);
      const slot = this.#slotOf(id);
      if (!slot.checks.delete(id)) continue;
      dropped.set(slot, [...(dropped.get(slot) ?? []), id]);
    }
    for (const [slot, ids] of dropped) this.#post(slot, { type: 'drop', ids });
  }

  /** Asks every worker to close its connections and exit; terminates those that do not in time. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#slots.map((slot) => this.#closeSlot(slot)));
  }

  #idOf(check: ResolvedCheck): number {
    let id = this.#ids.get(check);
    if (id === undefined) {
      id = this.#nextCheck++;
      this.#ids.set(check, id);
    }
    return id;
  }

  #slotOf(id: number): Slot {
    return this.#slots[id % this.#slots.length] as Slot;
  }

  #post(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message);
  }

  #spawn(index: number): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: this.#setup,
      name: `canary-probe-${index}`,
    });
    let onReady = (): void => undefined;
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    const slot: Slot = { index, worker, checks: new Set(), closing: false, ready, onReady };
    worker.on('message', (message: FromWorker) => this.#receive(slot, message));
    worker.on('error', (error) => this.#logger.error({ worker: index, err: error.message }, 'probe worker failed'));
    worker.on('exit', (code) => this.#exited(slot, code));
    return slot;
  }

  #receive(slot: Slot, message: FromWorker): void {
    if (message.type === 'ready') return slot.onReady();
    if (message.type === 'closed') return;
    const pending = this.#pending.get(message.run);
    if (!pending) return;
    switch (message.type) {
      case 'attempt':
        pending.last = message.result;
        pending.run.bus.emit('result.attempt', message.result);
        return;
      case 'retry':
        return void this.#retryHeaders(slot, message.run, pending);
      case 'done':
        if (message.result) {
          pending.last = message.result;
          pending.run.bus.emit('result.attempt', message.result);
        }
        if (pending.last) this.#settle(message.run, pending, pending.last);
        else
          this.#settle(
            message.run,
            pending,
            new CanaryError(ERROR_CODES.internal, 'a probe worker ended a run without a result'),
          );
        return;
      case 'failed':
        this.#settle(message.run, pending, new CanaryError(ERROR_CODES.internal, `probe worker: ${message.message}`));
    }
  }

  async #retryHeaders(slot: Slot, run: number, pending: Pending): Promise<void> {
    const failed = pending.last;
    const headers = failed && pending.run.trace?.retry ? await pending.run.trace.retry(failed) : undefined;
    this.#post(slot, headers ? { type: 'headers', run, headers } : { type: 'headers', run });
  }

  #settle(run: number, pending: Pending, outcome: CheckResult | Error): void {
    this.#pending.delete(run);
    pending.unlisten();
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  /** A worker that exits while the pool is open died: its runs fail, and a new worker takes its place. */
  #exited(slot: Slot, code: number): void {
    slot.onReady();
    for (const [run, pending] of this.#pending) {
      if (pending.worker === slot)
        this.#settle(
          run,
          pending,
          new CanaryError(ERROR_CODES.internal, `probe worker ${slot.index} exited (code ${code}) during the run`),
        );
    }
    if (this.#closed || slot.closing) return;
    this.#logger.error({ worker: slot.index, code }, 'probe worker exited; starting another');
    const fresh = this.#spawn(slot.index);
    this.#slots[slot.index] = fresh;
  }

  async #closeSlot(slot: Slot): Promise<void> {
    slot.closing = true;
    const exited = new Promise<void>((resolve) => slot.worker.once('exit', () => resolve()));
    this.#post(slot, { type: 'close' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS, true)));
    if (await Promise.race([exited.then(() => false), late])) await slot.worker.terminate();
    clearTimeout(timer);
  }
}
