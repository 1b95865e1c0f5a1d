/**
 * Every check's series: the store their numbers are kept in (recorded as results arrive),
 * the families made from the configuration, and the render. On the agent's thread a
 * render runs in slices of about {@link RENDER_SLICE_MS} and lets the event loop in
 * between, so that probes and their timings never wait long behind it.
 *
 * A render that yields can see results arrive between two families: one scrape may then
 * show a check's run counter before a result and its gauges after it, as any exporter
 * that collects while probing goes on does. Within one family a check's series are read
 * at once (see StoreView.copy), so a histogram's buckets always agree with its count.
 */
import type { Logger } from '../../log.js';
import type { CheckResult } from '../../results/types.js';
import { BufferShelf, gzipSink, plainSink } from './chunk-sink.js';
import { CheckRenderer, writeExposition } from './check-render.js';
import { configuredFamilies, type ConfiguredCheck } from './configured-families.js';
import { RenderThread } from './render-thread.js';
import { CheckStore, type StoredCheck } from './store/check-store.js';
import type { SlotInfo } from './store/record.js';
import type { MetricsLevel } from './vocabulary.js';

/** The longest a render on the agent's thread runs before it lets the event loop in. */
export const RENDER_SLICE_MS = 2;

/** A finished render: its bytes. */
export interface RenderedBody {
  chunks: Uint8Array[];
  bytes: number;
}

/** What a render of the per-check series took, for the agent's own metrics. */
export interface RenderStats {
  /** From the start of the render to its last byte (gzipped, when asked), in seconds. */
  seconds: number;
  /**
   * The longest the render held the agent's event loop at once, in seconds: its longest
   * slice, or with the render thread, the copy of the store.
   */
  holdSeconds: number;
}

/** A configured check as the exposition needs it. */
export interface ExposedCheck extends ConfiguredCheck, StoredCheck {
  /** `metrics:` of the check; the agent's level when absent. */
  metrics?: MetricsLevel;
}

/** Options of {@link CheckExposition}. */
export interface CheckExpositionOptions {
  /** `exporters.prometheus.metrics`: the level of checks that set none. */
  level: MetricsLevel;
  /** Keep exemplars (tracing is on). */
  tracing?: boolean;
  /**
   * `exporters.prometheus.renderThread`: render on a thread of its own (see render-thread.ts).
   * @defaultValue `false`
   */
  renderThread?: boolean;
  /** Says when the render thread fails and renders come back to the agent's thread. */
  logger?: Logger;
  /** Told what each finished render took. */
  onRender?: (stats: RenderStats) => void;
}

/** The per-check part of the exposition. */
export class CheckExposition {
  readonly #agentLabels: string;
  readonly #store: CheckStore;
  readonly #renderer: CheckRenderer;
  /** gzip's staging buffers (two of 4 MiB cover a render in flight) and the writer's, kept between renders. */
  readonly #stages = new BufferShelf(2);
  readonly #writerBuffers = new BufferShelf(1);
  #level: MetricsLevel;
  readonly #onRender: ((stats: RenderStats) => void) | undefined;
  #thread: RenderThread | undefined;
  /**
   * Checks scheduled before `setChecks` gave them a slot (a reload schedules first, then
   * configures the sinks), by name with their kind; marked at the next `setChecks`.
   */
  readonly #scheduledEarly = new Map<string, string>();

  /** @param agentLabels - the labels on every series (`region` and `agent.labels`), spelled `a="x",b="y"` */
  constructor(agentLabels: string, options: CheckExpositionOptions) {
    this.#agentLabels = agentLabels;
    this.#level = options.level;
    this.#store = new CheckStore(agentLabels, options.tracing === true);
    this.#renderer = new CheckRenderer();
    this.#onRender = options.onRender;
    if (options.renderThread === true) this.#thread = new RenderThread(options.logger);
  }

  /** Whether renders go to the render thread now. */
  get threaded(): boolean {
    return this.#thread?.usable === true;
  }

  /**
   * Sets the configured checks (at start and after a reload). An enabled check keeps its
   * counters while its kind is unchanged; everything else is forgotten.
   */
  setChecks(checks: readonly ExposedCheck[], level: MetricsLevel = this.#level): void {
    this.#level = level;
    this.#store.configure(checks, level, configuredFamilies(checks, this.#agentLabels));
    for (const [name, kind] of this.#scheduledEarly) this.#markScheduled(name, kind);
    this.#scheduledEarly.clear();
  }

  /** Ends the render thread, if any; later renders are made on the agent's thread. */
  async close(): Promise<void> {
    await this.#thread?.close();
  }

  /**
   * A check has a schedule: its run and attempt counters show `result="success"` at 0 from
   * now on, as the instrumentation guidelines ask, so rate() and absent() work before its
   * first run ends. Failure series still appear with their first failure: one per reason
   * for every check would multiply the series of an agent that never fails.
   */
  scheduled(check: string, kind: string): void {
    if (!this.#markScheduled(check, kind)) this.#scheduledEarly.set(check, kind);
  }

  #markScheduled(check: string, kind: string): boolean {
    const info = this.#info(check, kind);
    if (info) this.#store.scheduled(info);
    return info !== undefined;
  }

  /** Forgets a check's series (removed or disabled on reload); its late results find no slot. */
  remove(name: string): void {
    this.#store.remove(name);
  }

  /** Records a run's verdict of a check that runs now as its kind; others are ignored. */
  record(result: CheckResult): void {
    const info = this.#info(result.check, result.kind);
    if (info) this.#store.record(info, result);
  }

  /** Records one attempt. */
  attempt(result: CheckResult): void {
    const info = this.#info(result.check, result.kind);
    if (info) this.#store.attempt(info, result);
  }

  /** Records a skipped run. */
  skip(check: string, kind: string): void {
    const info = this.#info(check, kind);
    if (info) this.#store.skip(info);
  }

  /** Checks with series now. */
  get size(): number {
    return this.#store.size;
  }

  /**
   * The whole exposition: `head` (the agent's own metrics), every check, and `# EOF` in
   * OpenMetrics; gzipped when asked, while it renders (gzip works on libuv's thread pool).
   */
  async exposition(head: Uint8Array, openMetrics: boolean, gzip: boolean): Promise<RenderedBody> {
    const thread = this.#thread;
    if (thread?.usable) {
      const started = performance.now();
      const { plan, view, done } = this.#store.beginRender();
      let rendered: Promise<RenderedBody>;
      try {
        rendered = thread.render({ view, plan, head, openMetrics, gzip });
      } finally {
        // The thread reads its own snapshot, taken before render() returned.
        done();
      }
      const holdMs = performance.now() - started;
      try {
        const body = await rendered;
        this.#report(started, holdMs);
        return body;
      } catch {
        // A thread that failed under this render leaves it to the agent's thread.
        return this.#renderHere(head, openMetrics, gzip);
      }
    }
    return this.#renderHere(head, openMetrics, gzip);
  }

  async #renderHere(head: Uint8Array, openMetrics: boolean, gzip: boolean): Promise<RenderedBody> {
    const started = performance.now();
    const { plan, view, done } = this.#store.beginRender();
    try {
      const sink = gzip ? gzipSink(this.#stages) : plainSink();
      const holdMs = await writeExposition(
        this.#renderer,
        { view, plan, head, openMetrics },
        sink,
        RENDER_SLICE_MS,
        this.#writerBuffers,
      );
      const body = await sink.end();
      this.#report(started, holdMs);
      return body;
    } finally {
      done();
    }
  }

  #report(started: number, holdMs: number): void {
    this.#onRender?.({ seconds: (performance.now() - started) / 1000, holdSeconds: holdMs / 1000 });
  }

  #info(check: string, kind: string): SlotInfo | undefined {
    return this.#store.info(check, kind);
  }
}
