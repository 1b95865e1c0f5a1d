/**
 * Every check's series, rendered for many checks. The state of a check is a handful of
 * numbers ({@link CheckState}); its labels are encoded when the check is configured; a
 * scrape writes family after family straight into byte chunks, and yields to the event
 * loop every couple of milliseconds so that probes and their timings never wait behind it.
 *
 * A render that yields can see results arrive between two families: one scrape may then
 * show a check's run counter before a result and its gauges after it, as any exporter
 * that collects while probing goes on does. Within one family a check's series are
 * written at once, so a histogram's buckets always agree with its count.
 */
import { CheckState } from './check-state.js';
import { configuredFamilies, type ConfiguredCheck } from './configured-families.js';
import { counterFamilies, flowFailureFamily, histogramFamily } from './counter-families.js';
import { commonGauges, dnsGauges, flowGauges, grpcGauges, httpGauges, tlsGauges } from './gauge-families.js';
import { familyHeader, makePieces, type CheckFamily } from './lines.js';
import { exportedAt, type Family, type MetricsLevel } from './vocabulary.js';
import { utf8, type ExpositionWriter } from './writer.js';

/** The longest a render runs before it lets the event loop in. */
export const RENDER_SLICE_MS = 2;

/** Lines between two looks at the clock. */
const CLOCK_EVERY = 64;

/** A configured check as the exposition needs it. */
export interface ExposedCheck extends ConfiguredCheck {
  /** `metrics:` of the check; the agent's level when absent. */
  metrics?: MetricsLevel;
}

/** Hands on the chunks written so far (to gzip, or to be kept), between two slices. */
export type SliceSink = (chunks: Uint8Array[]) => void;

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The per-check part of the exposition: states, encoded constants, the render. */
export class CheckExposition {
  readonly #agentLabels: string;
  readonly #families: CheckFamily[];
  readonly #headers = new Map<string, Uint8Array>();
  readonly #states = new Map<string, CheckState>();
  /** The states in configuration order; rebuilt lazily after removals. */
  #ordered: CheckState[] = [];
  #stale = false;
  #configured: Buffer[] = [];
  #level: MetricsLevel;

  /**
   * @param agentLabels - the labels on every series (`region` and `agent.labels`), spelled `a="x",b="y"`
   * @param level - `exporters.prometheus.metrics`: the level of checks that set none
   */
  constructor(agentLabels: string, level: MetricsLevel) {
    this.#agentLabels = agentLabels;
    this.#level = level;
    const p = makePieces(agentLabels);
    this.#families = [
      ...commonGauges(p),
      ...httpGauges(p),
      ...tlsGauges(p),
      ...dnsGauges(p),
      ...grpcGauges(p),
      ...flowGauges(p),
      flowFailureFamily(p),
      ...counterFamilies(p),
      histogramFamily(p),
    ];
  }

  /**
   * Sets the configured checks (at start and after a reload). An enabled check keeps its
   * state (its counters go on) while its kind is unchanged; everything else is forgotten.
   */
  setChecks(checks: readonly ExposedCheck[], level: MetricsLevel = this.#level): void {
    this.#level = level;
    const next = new Map<string, CheckState>();
    for (const check of checks) {
      if (check.enabled === false || next.has(check.name)) continue;
      const checkLevel = check.metrics ?? level;
      const kept = this.#states.get(check.name);
      const state = kept?.kind === check.kind ? kept : new CheckState(check.name, check.kind, checkLevel);
      state.setLevel(checkLevel);
      next.set(check.name, state);
    }
    for (const [name, state] of this.#states) if (next.get(name) !== state) state.removed = true;
    this.#states.clear();
    for (const [name, state] of next) this.#states.set(name, state);
    this.#ordered = [...next.values()];
    this.#stale = false;
    this.#configured = configuredFamilies(checks, this.#agentLabels);
  }

  /** The state of a check that runs now as `kind`; none for a removed, disabled or re-kinded one. */
  state(check: string, kind: string): CheckState | undefined {
    const state = this.#states.get(check);
    return state?.kind === kind ? state : undefined;
  }

  /** Forgets a check's series (removed or disabled on reload); its late results find no state. */
  remove(name: string): void {
    const state = this.#states.get(name);
    if (state === undefined) return;
    state.removed = true;
    this.#states.delete(name);
    this.#stale = true;
  }

  /**
   * Writes every per-check family into `w`, in slices of about {@link RENDER_SLICE_MS};
   * `slice` receives the chunks of each slice as it ends.
   */
  async render(w: ExpositionWriter, openMetrics: boolean, slice: SliceSink): Promise<void> {
    const states = this.#current();
    let sliceStart = performance.now();
    let sinceClock = 0;
    for (const f of this.#families) {
      let started = false;
      for (const s of states) {
        // A check removed since the render began is left out of the families still to come.
        if (s.removed || !exportedAt(s.level, f.family) || !f.has(s)) continue;
        if (!started) {
          w.bytes(this.#header(f.family, openMetrics));
          started = true;
        }
        f.write(s, w, openMetrics);
        if (++sinceClock < CLOCK_EVERY) continue;
        sinceClock = 0;
        if (performance.now() - sliceStart < RENDER_SLICE_MS) continue;
        slice(w.take());
        await yieldToLoop();
        sliceStart = performance.now();
      }
    }
    slice([...w.take(), ...this.#configured]);
  }

  /** Checks with a state now. */
  get size(): number {
    return this.#states.size;
  }

  #current(): CheckState[] {
    if (this.#stale) {
      this.#ordered = this.#ordered.filter((s) => !s.removed);
      this.#stale = false;
    }
    return this.#ordered;
  }

  #header(family: Family, openMetrics: boolean): Uint8Array {
    const key = `${openMetrics ? 'om' : 'text'} ${family.name}`;
    let bytes = this.#headers.get(key);
    if (bytes === undefined) this.#headers.set(key, (bytes = utf8(familyHeader(family, openMetrics))));
    return bytes;
  }
}
