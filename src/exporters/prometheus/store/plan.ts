/**
 * A render plan: which slots to write, in what order, under which labels. It is made when
 * the checks change (at start, on reload, when one is removed) and not touched after, so a
 * render that yields can hold it while a reload makes the next one.
 */
import { escapeLabelValue as escape, utf8 } from '../writer.js';

/** What a render needs besides the store's numbers. */
export interface RenderPlan {
  /** Counts up with every plan; a slot freed by plan N is not reused while a render of N may run. */
  generation: number;
  /** Slots to write, in configuration order. */
  slots: Int32Array;
  /** Kind code of each entry of `slots`. */
  kinds: Uint8Array;
  /**
   * The end of every line of each entry of `slots`: its labels and the agent's, then the
   * closing brace and a space (`check="NAME",kind="KIND",region="eu"} `). A family's own
   * labels come first on a line, so a line is two copies: the family's opening and this.
   * Views into one block, made once, so writing a line allocates nothing.
   */
  tails: Uint8Array[];
  /** Flow checks: the offset of their steps in the flow block; -1 for other kinds. */
  flowOffsets: Int32Array;
  /** Flow checks: `step="NAME",` of each step, in order (empty for other kinds). */
  stepLabels: Uint8Array[][];
  /** The families made from the configuration alone (check info, SLO), already encoded. */
  configured: Uint8Array[];
}

/** One entry of a plan, as the store hands it over. */
export interface PlanEntry {
  slot: number;
  kind: number;
  name: string;
  kindName: string;
  flowOffset: number;
  steps: readonly string[];
}

/** Builds a plan from the store's entries, in order. */
export function makePlan(
  generation: number,
  entries: readonly PlanEntry[],
  agentLabels: string,
  configured: Uint8Array[],
): RenderPlan {
  const close = agentLabels ? `,${agentLabels}} ` : '} ';
  const parts = entries.map((e) => utf8(`check="${escape(e.name)}",kind="${escape(e.kindName)}"${close}`));
  // One block for all of them, so a render reads the tails in order from one place.
  const block = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  const tails = parts.map((part) => {
    block.set(part, at);
    at += part.length;
    return block.subarray(at - part.length, at);
  });
  return {
    generation,
    slots: Int32Array.from(entries, (e) => e.slot),
    kinds: Uint8Array.from(entries, (e) => e.kind),
    tails,
    flowOffsets: Int32Array.from(entries, (e) => e.flowOffset),
    stepLabels: entries.map((e) => e.steps.map((step) => utf8(`step="${escape(step)}",`))),
    configured,
  };
}
