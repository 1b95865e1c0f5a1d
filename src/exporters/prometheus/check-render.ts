/**
 * Writes every per-check family from the check store, family after family, check after
 * check, the way the render plan lists them. A generator that pauses every few dozen
 * checks, so its driver can look at the clock and let probing in.
 */
import { counterFamilies, flowFailureFamily, histogramFamily } from './counter-families.js';
import {
  browserGauges,
  commonGauges,
  dnsGauges,
  flowGauges,
  grpcGauges,
  httpGauges,
  tlsGauges,
  websocketGauges,
  icmpGauges,
} from './gauge-families.js';
import { familyHeader, type CheckFamily, type Row } from './lines.js';
import { FLAG } from './store/columns.js';
import type { RenderPlan } from './store/plan.js';
import type { StoreView } from './store/views.js';
import type { Family } from './vocabulary.js';
import type { BufferShelf, ChunkSink } from './chunk-sink.js';
import { ExpositionWriter, utf8 } from './writer.js';

/** Checks written between two pauses of the generator. */
const PAUSE_EVERY = 64;

/** Columns a family copies at once (the run counter: 1 + one per reason; the histogram: 15). */
const SCRATCH = 32;

/** The families and their encoded headers. */
export class CheckRenderer {
  readonly #families: CheckFamily[];
  readonly #headers = new Map<string, Uint8Array>();

  constructor() {
    this.#families = [
      ...commonGauges(),
      ...httpGauges(),
      ...tlsGauges(),
      ...dnsGauges(),
      ...grpcGauges(),
      ...icmpGauges(),
      ...flowGauges(),
      ...websocketGauges(),
      flowFailureFamily(),
      ...browserGauges(),
      ...counterFamilies(),
      histogramFamily(),
    ];
  }

  /** Writes every family of every check in `plan` into `w`; pauses (yields) every {@link PAUSE_EVERY} checks written. */
  *render(view: StoreView, plan: RenderPlan, w: ExpositionWriter, openMetrics: boolean): Generator<void, void, void> {
    const row: Row = { view, plan, k: 0, slot: 0, kind: 0, openMetrics, scratch: new Float64Array(SCRATCH) };
    let written = 0;
    for (const f of this.#families) {
      const fullOnly = f.family.level !== 'basic';
      let started = false;
      for (let k = 0; k < plan.slots.length; k++) {
        row.k = k;
        row.slot = plan.slots[k] as number;
        row.kind = plan.kinds[k] as number;
        if (fullOnly && !view.has(row.slot, FLAG.full)) continue;
        if (!f.has(row)) continue;
        if (!started) {
          w.bytes(this.#header(f.family, openMetrics));
          started = true;
        }
        f.write(row, w);
        if (++written % PAUSE_EVERY === 0) yield;
      }
    }
    for (const block of plan.configured) w.chunk(block);
  }

  #header(family: Family, openMetrics: boolean): Uint8Array {
    const key = `${openMetrics ? 'om' : 'text'} ${family.name}`;
    let bytes = this.#headers.get(key);
    if (bytes === undefined) this.#headers.set(key, (bytes = utf8(familyHeader(family, openMetrics))));
    return bytes;
  }
}

/** `# EOF`, the end of an OpenMetrics exposition. */
const EOF_LINE = utf8('# EOF\n');

/** A render to carry out: the store's memory and plan, the part before the checks, the format. */
export interface ExpositionJob {
  view: StoreView;
  plan: RenderPlan;
  /** The agent's own metrics, rendered already (without OpenMetrics' `# EOF`). */
  head: Uint8Array;
  openMetrics: boolean;
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Writes a whole exposition (head, every check, `# EOF` in OpenMetrics) into `sink`, in
 * slices of about `sliceMs`, letting the event loop in between: probing goes on, and gzip
 * (on the thread pool) works on one batch while the next is rendered. The writer's buffer
 * comes from `shelf` and goes back to it when the sink copied what it was given.
 * Resolves to the longest the render held the event loop at once, in ms.
 */
export async function writeExposition(
  renderer: CheckRenderer,
  job: ExpositionJob,
  sink: ChunkSink,
  sliceMs: number,
  shelf: BufferShelf,
): Promise<number> {
  // A sink that copies lets the writer keep its buffer from render to render on `shelf`.
  const w = new ExpositionWriter(sink.copies ? shelf.take() : undefined);
  w.chunk(job.head);
  const steps = renderer.render(job.view, job.plan, w, job.openMetrics);
  let sliceStart = performance.now();
  let longest = 0;
  while (!steps.next().done) {
    if (performance.now() - sliceStart < sliceMs) continue;
    sink.write(w.take());
    if (sink.copies) w.recycle();
    longest = Math.max(longest, performance.now() - sliceStart);
    await yieldToLoop();
    sliceStart = performance.now();
  }
  if (job.openMetrics) w.chunk(EOF_LINE);
  sink.write(w.take());
  if (sink.copies) shelf.put(w.release());
  return Math.max(longest, performance.now() - sliceStart);
}
