/**
 * Every running check's metrics, as columns of numbers (one slot per check), and the
 * render plan that names them. Results are recorded into it as they arrive; a render
 * reads it in slices. About 600 bytes a check, against the 14 KB a check cost as
 * prom-client children.
 */
import { browserStepNames, type BrowserStep } from '../../../config/schema/browser.js';
import type { CheckResult } from '../../../results/types.js';
import type { MetricsLevel } from '../vocabulary.js';
import { EXEMPLARS, F, FLAG, HIST, I, kindCode, KIND, STEP } from './columns.js';
import { makePlan, type PlanEntry, type RenderPlan } from './plan.js';
import { recordAttempt, recordResult, recordScheduled, recordSkip, type SlotInfo } from './record.js';
import { allocateBuffers, StoreView } from './views.js';

/** A check as the store needs it. */
export interface StoredCheck {
  name: string;
  kind: string;
  /** A disabled check has no slot. */
  enabled?: boolean;
  /** Its own level; the store's default when absent. */
  metrics?: MetricsLevel;
  /** Flow checks: their steps, whose names label the step series. */
  flow?: { steps: readonly { name: string }[] };
  /** Browser checks: their steps, named `load`, `1:click`, ... on the step series. */
  browser?: { steps: readonly BrowserStep[] };
}

/** The names of a check's step series: a flow's steps, a browser journey's; none for other kinds. */
function stepNames(check: StoredCheck): string[] {
  if (check.kind === 'flow') return (check.flow?.steps ?? []).map((s) => s.name);
  if (check.kind === 'browser') return browserStepNames(check.browser?.steps ?? []);
  return [];
}

interface Entry extends SlotInfo, PlanEntry {}

/** Slots a store starts with; it doubles as checks are added. */
const INITIAL_CAPACITY = 64;

export class CheckStore {
  readonly #agentLabels: string;
  readonly #tracing: boolean;
  #view: StoreView;
  #entries = new Map<string, Entry>();
  /** Slots free to reuse now, and slots freed by a plan that a render may still be reading. */
  readonly #free: number[] = [];
  #quarantine: { slot: number; generation: number }[] = [];
  #used = 0;
  #generation = 0;
  #configured: Uint8Array[] = [];
  #plan: RenderPlan | undefined;
  /** Renders under way, by the generation of their plan. */
  readonly #active = new Map<number, number>();

  /**
   * @param agentLabels - the labels on every series (`region`, `agent.labels`), spelled `a="x",b="y"`
   * @param tracing - keep an exemplar per histogram bucket (OpenMetrics shows them)
   */
  constructor(agentLabels: string, tracing: boolean) {
    this.#agentLabels = agentLabels;
    this.#tracing = tracing;
    this.#view = new StoreView(allocateBuffers(INITIAL_CAPACITY, 0, tracing));
  }

  /** The memory now; it is replaced when slots run out or flow checks change. */
  get view(): StoreView {
    return this.#view;
  }

  /** Checks with a slot. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Sets the running checks: an enabled check keeps its slot (its counters go on) while its
   * kind is the same; every other check is forgotten. `configured` are the encoded families
   * made from the configuration alone.
   */
  configure(checks: readonly StoredCheck[], level: MetricsLevel, configured: Uint8Array[]): void {
    this.#configured = configured;
    const wanted = new Map<string, StoredCheck>();
    for (const check of checks) if (check.enabled !== false && !wanted.has(check.name)) wanted.set(check.name, check);
    for (const [name, entry] of this.#entries) {
      if (wanted.get(name)?.kind !== entry.kindName) this.#release(name);
    }
    this.#reclaim();
    const next = new Map<string, Entry>();
    const added = [...wanted.keys()].filter((name) => !this.#entries.has(name)).length;
    this.#ensure(this.#used + added);
    const flowFloats = [...wanted.values()].reduce((n, c) => n + stepNames(c).length * STEP.size, 0);
    let flowOffset = 0;
    const oldFlow = this.#view.flow;
    const newFlow = new Float64Array(allocateFlow(flowFloats));
    for (const check of wanted.values()) {
      const kept = this.#entries.get(check.name);
      const entry = this.#entry(check, kept?.slot ?? this.#take(), check.metrics ?? level, flowOffset);
      if (entry.flow) {
        copySteps(oldFlow, kept, newFlow, entry);
        flowOffset += entry.flow.steps.size * STEP.size;
      }
      this.#setLevel(entry, kept === undefined);
      next.set(check.name, entry);
    }
    this.#view = new StoreView({ ...this.#view.buffers, flow: newFlow.buffer });
    this.#entries = next;
    this.#plan = undefined;
  }

  /** Forgets one check (removed or disabled on reload): its late results find no slot. */
  remove(name: string): void {
    if (!this.#entries.has(name)) return;
    this.#release(name);
    this.#entries.delete(name);
    this.#plan = undefined;
  }

  /** The slot of a check that runs now as `kind`; none for a removed, disabled or re-kinded one. */
  info(check: string, kind: string): SlotInfo | undefined {
    const entry = this.#entries.get(check);
    return entry?.kindName === kind ? entry : undefined;
  }

  record(info: SlotInfo, result: CheckResult): void {
    recordResult(this.#view, info, result);
  }

  attempt(info: SlotInfo, result: CheckResult): void {
    recordAttempt(this.#view, info.slot, result);
  }

  scheduled(info: SlotInfo): void {
    recordScheduled(this.#view, info.slot);
  }

  skip(info: SlotInfo): void {
    recordSkip(this.#view, info.slot);
  }

  /**
   * The current plan and memory, for a render about to start; `done` must be called when
   * that render ends, so the slots the plan names are not handed to other checks while it runs.
   */
  beginRender(): { plan: RenderPlan; view: StoreView; done: () => void } {
    const plan = (this.#plan ??= makePlan(
      ++this.#generation,
      [...this.#entries.values()],
      this.#agentLabels,
      this.#configured,
    ));
    this.#active.set(plan.generation, (this.#active.get(plan.generation) ?? 0) + 1);
    let open = true;
    const done = (): void => {
      if (!open) return;
      open = false;
      const left = (this.#active.get(plan.generation) ?? 1) - 1;
      if (left > 0) this.#active.set(plan.generation, left);
      else this.#active.delete(plan.generation);
    };
    return { plan, view: this.#view, done };
  }

  #entry(check: StoredCheck, slot: number, level: MetricsLevel, flowOffset: number): Entry {
    const kind = kindCode(check.kind);
    const steps = stepNames(check);
    const stepped = kind === KIND.flow || kind === KIND.browser;
    return {
      slot,
      kind,
      full: level === 'full',
      name: check.name,
      kindName: check.kind,
      flowOffset: stepped ? flowOffset : -1,
      steps,
      ...(stepped ? { flow: { offset: flowOffset, steps: new Map(steps.map((name, index) => [name, index])) } } : {}),
    };
  }

  /** A fresh slot starts at zero; a kept one going to basic forgets what only full shows. */
  #setLevel(entry: Entry, fresh: boolean): void {
    const v = this.#view;
    const { slot } = entry;
    const wasFull = !fresh && v.has(slot, FLAG.full);
    if (fresh) {
      for (let col = 0; col < F.size; col++) v.set(col, slot, 0);
      v.setInt(I.flags, slot, 0);
    } else if (wasFull && !entry.full) {
      for (let col = 0; col < HIST.size; col++) v.set(F.histogram + col, slot, 0);
    }
    const flags = v.int(I.flags, slot);
    v.setInt(I.flags, slot, entry.full ? flags | FLAG.full : flags & ~FLAG.full);
    if ((fresh || !entry.full) && v.exemplarKinds) v.exemplarKinds.fill(0, slot * EXEMPLARS, (slot + 1) * EXEMPLARS);
  }

  #release(name: string): void {
    const entry = this.#entries.get(name);
    if (entry) this.#quarantine.push({ slot: entry.slot, generation: this.#generation });
  }

  /** Slots whose last plan no render reads any more become free. */
  #reclaim(): void {
    const oldest = Math.min(Infinity, ...this.#active.keys());
    const waiting: { slot: number; generation: number }[] = [];
    for (const q of this.#quarantine) {
      if (q.generation < oldest) this.#free.push(q.slot);
      else waiting.push(q);
    }
    this.#quarantine = waiting;
  }

  #take(): number {
    return this.#free.pop() ?? this.#used++;
  }

  /** Grows the columns (doubling) to hold `slots`; copies every column over. */
  #ensure(slots: number): void {
    const old = this.#view;
    if (slots <= old.capacity) return;
    let capacity = old.capacity;
    while (capacity < slots) capacity *= 2;
    const next = new StoreView({ ...allocateBuffers(capacity, 0, this.#tracing), flow: old.buffers.flow });
    for (let col = 0; col < F.size; col++)
      next.f.set(old.f.subarray(col * old.capacity, (col + 1) * old.capacity), col * capacity);
    for (let col = 0; col < I.size; col++)
      next.i.set(old.i.subarray(col * old.capacity, (col + 1) * old.capacity), col * capacity);
    if (old.exemplarValues && next.exemplarValues) next.exemplarValues.set(old.exemplarValues);
    if (old.exemplarKinds && next.exemplarKinds) next.exemplarKinds.set(old.exemplarKinds);
    if (old.exemplarIds && next.exemplarIds) next.exemplarIds.set(old.exemplarIds);
    this.#view = next;
  }
}

/** A flow block of `floats` numbers, every step's failure counter absent (NaN) until the step runs. */
function allocateFlow(floats: number): ArrayBuffer {
  const buffer = new ArrayBuffer(Math.max(1, floats) * 8);
  const view = new Float64Array(buffer);
  for (let k = STEP.failures; k < floats; k += STEP.size) view[k] = Number.NaN;
  return buffer;
}

/** A kept flow check's steps carry over by name (a reload may add, remove or reorder them). */
function copySteps(from: Float64Array, kept: Entry | undefined, to: Float64Array, entry: Entry): void {
  if (!kept?.flow || !entry.flow) return;
  for (const [name, index] of entry.flow.steps) {
    const old = kept.flow.steps.get(name);
    if (old === undefined) continue;
    for (let field = 0; field < STEP.size; field++)
      to[entry.flow.offset + index * STEP.size + field] = from[kept.flow.offset + old * STEP.size + field] as number;
  }
}
