/**
 * The agent's side of the render thread (`exporters.prometheus.renderThread: true`). A render
 * there starts from a snapshot: the store's columns copied at one instant on the agent's
 * thread (12 MiB, a few ms, at 10,000 checks), so results recorded meanwhile cannot tear
 * a check's series and the store's slots are free again at once. The snapshot's memory
 * travels to the thread and back with each render and is kept for the next.
 *
 * Should the thread fail or exit, the render that was under way and every later one are
 * made on the agent's thread, as without the option: a scrape is never lost to it.
 *
 * Off by default: on the 2-core machine of BENCHMARKS.md ("A render thread") it halved the
 * longest event-loop block, but the thread and gzip took both cores during a scrape, the
 * agent's thread waited for one instead, and no scrape was faster. It is for hosts with
 * cores to spare.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../log.js';
import type { RenderedBody } from './check-exposition.js';
import type { ExpositionJob } from './check-render.js';
import type { RenderReply, RenderRequest } from './render-thread-protocol.js';
import { allocateBuffers, copyStore, sameShape, storeArrayBuffers, type StoreBuffers } from './store/views.js';

/** What a render on the thread is given: a render's job, and whether to gzip it. */
export type ThreadJob = ExpositionJob & { gzip: boolean };

interface Pending {
  resolve(body: RenderedBody): void;
  reject(error: Error): void;
}

export class RenderThread {
  readonly #worker: Worker;
  readonly #logger: Logger | undefined;
  readonly #pending = new Map<number, Pending>();
  /** Snapshots back from the thread, for the next renders (two cover both formats at once). */
  #snapshots: StoreBuffers[] = [];
  #next = 0;
  #sentGeneration = -1;
  #failed = false;

  constructor(logger?: Logger) {
    this.#logger = logger;
    this.#worker = new Worker(new URL('./render-thread-worker.js', import.meta.url), { name: 'canary-metrics-render' });
    // Never what keeps the agent running; closing the agent ends it.
    this.#worker.unref();
    this.#worker.on('message', (reply: RenderReply) => this.#receive(reply));
    this.#worker.on('error', (error) => this.#fail(`the /metrics render thread failed: ${error.message}`));
    this.#worker.on('exit', (code) => this.#fail(`the /metrics render thread exited with code ${code}`));
  }

  /** False once the thread failed or exited: renders are made on the agent's thread then. */
  get usable(): boolean {
    return !this.#failed;
  }

  /** Renders `job` on the thread; rejects if the thread cannot. The store may change as soon as this returns. */
  render(job: ThreadJob): Promise<RenderedBody> {
    if (this.#failed) return Promise.reject(new Error('the /metrics render thread is gone'));
    const snapshot = this.#snapshot(job.view.buffers);
    const id = this.#next++;
    const request: RenderRequest = {
      id,
      generation: job.plan.generation,
      snapshot,
      head: job.head,
      openMetrics: job.openMetrics,
      gzip: job.gzip,
    };
    if (job.plan.generation !== this.#sentGeneration) {
      request.plan = job.plan;
      this.#sentGeneration = job.plan.generation;
    }
    return new Promise<RenderedBody>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage(request, storeArrayBuffers(snapshot));
    });
  }

  /** Ends the thread; renders after this are made on the agent's thread. */
  async close(): Promise<void> {
    this.#failed = true;
    this.#rejectAll('the /metrics render thread was closed');
    await this.#worker.terminate();
  }

  /** The store's memory now, copied into a kept snapshot of the same shape, or a new one. */
  #snapshot(src: StoreBuffers): StoreBuffers {
    // Snapshots of another shape were made before the store grew or its flows changed.
    this.#snapshots = this.#snapshots.filter((s) => sameShape(s, src));
    const snapshot =
      this.#snapshots.pop() ?? allocateBuffers(src.capacity, src.flow.byteLength / 8, src.exemplars !== undefined);
    copyStore(src, snapshot);
    return snapshot;
  }

  #receive(reply: RenderReply): void {
    if (reply.snapshot) this.#snapshots.push(reply.snapshot);
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if ('error' in reply) pending.reject(new Error(reply.error));
    else pending.resolve({ chunks: [new Uint8Array(reply.body)], bytes: reply.body.byteLength });
  }

  #fail(message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#logger?.warn({ component: 'metrics' }, `${message}; /metrics renders on the agent's thread from now on`);
    this.#rejectAll(message);
  }

  #rejectAll(message: string): void {
    for (const pending of this.#pending.values()) pending.reject(new Error(message));
    this.#pending.clear();
  }
}
