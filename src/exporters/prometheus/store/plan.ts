/**
 * A render plan: which slots to write, in what order, under which labels. It is made when
 * the checks change (at start, on reload, when one is removed) and not touched after, so a
 * render that yields can hold it while a reload makes the next one.
 */
import { utf8 } from '../writer.js';

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

/** Label values as the text formats want them: `"` `\` and newline escaped. */
function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Builds a plan from the store's entries, in order. */
export function makePlan(generation: number, entries: readonly PlanEntry[], agentLabels: string, configured: Uint8Array[]): RenderPlan {
  const close = agentLabels ? `,${agentLabels}} ` : '} ';
  const parts = entries.map((e) => utf8(`check="${escape(e.name)}",kind="${escape(e.kindName)}"${close}`));
  const labelOffsets = new Int32Array(entries.length + 1);
  let total = 0;
  parts.forEach((part, k) => {
    labelOffsets[k] = total;
    total += part.length;
  });
  labelOffsets[entries.length] = total;
  const labels = new Uint8Array(total);
  parts.forEach((part, k) => labels.set(part, labelOffsets[k]));
  const tails = parts.map((part, k) => labels.subarray(labelOffsets[k], (labelOffsets[k] as number) + part.length));
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
