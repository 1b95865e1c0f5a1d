/**
 * A probe worker: runs checks' attempts on a thread of its own, so a probe's timings are
 * taken on an event loop that runs probes and nothing else (no scrape render, no sinks).
 *
 *   agent thread                          worker
 *   scheduler → ProbePool.run ── run ──→  executeWithRetries → probe
 *   bus ← result.attempt ←──── attempt ─  (each attempt as it ends)
 *   tracer.retry → headers ─── headers ─→ (next attempt, traced runs only)
 *   run/check.ts → result ←──── done ───  (the last attempt is the result)
 *
 * The worker keeps its own deadline timer beside the agent's, so a run ends on time even
 * while the agent's thread is busy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ResolvedCheck } from '../../config/types.js';
import { errorMessage } from '../../errors.js';
import { createProbeRegistry } from '../../probes/registry.js';
import type { CheckResult } from '../../results/types.js';
import { runBudgetMs, runTimeout } from '../budget.js';
import { executeWithRetries } from '../retry.js';
import { setExtraSecretQueryParams } from '../../secrets/query-params.js';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.js';

type Headers = Readonly<Record<string, string>>;

/** A run in this worker: its abort, and the trace headers it waits for before a retry. */
interface Run {
  controller: AbortController;
  headers?: (headers: Headers | undefined) => void;
  /** Settles once the run has posted its end. */
  ended?: Promise<void>;
}

const port = parentPort;
if (!port) throw new Error('the probe worker runs only as a worker thread');
const { region, secretQueryParams } = workerData as WorkerSetup;
setExtraSecretQueryParams(secretQueryParams);
const probes = createProbeRegistry();
const checks = new Map<number, ResolvedCheck>();
const runs = new Map<number, Run>();

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function timeUp(controller: AbortController, check: ResolvedCheck): void {
  controller.abort(runTimeout(check, runBudgetMs(check)));
}

async function run(id: number, check: ResolvedCheck, deadline: number, headers: Headers | undefined): Promise<void> {
  const controller = new AbortController();
  const entry: Run = { controller };
  runs.set(id, entry);
  const timer = setTimeout(timeUp, Math.max(0, deadline - Date.now()), controller, check);
  const ctx = headers ? { signal: controller.signal, headers } : { signal: controller.signal };
  // An attempt that is surely the last goes with `done`: one message per run, not two.
  let last: CheckResult | undefined;
  const bus = {
    emit(_event: 'result.attempt', result: CheckResult): void {
      if (result.ok || result.attempt > check.retries.count) last = result;
      else post({ type: 'attempt', run: id, result });
    },
  };
  // Only a traced run asks the agent's tracer for the next attempt's headers.
  const trace = headers
    ? {
        retry: () =>
          new Promise<Headers | undefined>((resolve) => ((entry.headers = resolve), post({ type: 'retry', run: id }))),
      }
    : undefined;
  try {
    await executeWithRetries(check, probes.get(check.kind), ctx, { region, bus, trace, deadline });
    post(last ? { type: 'done', run: id, result: last } : { type: 'done', run: id });
  } catch (error) {
    post({ type: 'failed', run: id, message: errorMessage(error) });
  } finally {
    clearTimeout(timer);
    runs.delete(id);
  }
}

function start(id: number, check: ResolvedCheck, deadline: number, headers: Headers | undefined): void {
  const ended = run(id, check, deadline, headers);
  const entry = runs.get(id);
  if (entry) entry.ended = ended;
}

/** Aborts the runs still going and lets each post its end, then releases the connections. */
async function close(): Promise<void> {
  const ending: Promise<void>[] = [];
  for (const entry of runs.values()) {
    entry.controller.abort(new DOMException('agent stopping', 'AbortError'));
    if (entry.ended) ending.push(entry.ended);
  }
  await Promise.allSettled(ending);
  await probes.close().catch(() => undefined);
  post({ type: 'closed' });
  port?.close();
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'add':
      checks.set(message.id, message.check);
      return;
    case 'drop':
      for (const id of message.ids) checks.delete(id);
      return;
    case 'run': {
      const check = checks.get(message.check);
      if (check) start(message.run, check, message.deadline, message.headers);
      else post({ type: 'failed', run: message.run, message: `check #${message.check} was never sent to this worker` });
      return;
    }
    case 'abort':
      runs.get(message.run)?.controller.abort(new DOMException(message.reason.message, message.reason.name));
      return;
    case 'headers':
      runs.get(message.run)?.headers?.(message.headers);
      return;
    case 'close':
      void close();
  }
});

post({ type: 'ready' });
