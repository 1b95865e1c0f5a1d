/**
 * The pieces per-check families are written with. A family answers whether a check has
 * its series now and writes them, reading the check's numbers from the store and its
 * labels from the render plan. Every constant part of a line (the family name, `le`
 * bounds, the agent's labels) is encoded once per sink, so a line costs a few byte copies.
 *
 * Label order follows prom-client's, which the sink used before (the check's labels, the
 * family's own, then the agent's; on histograms `le`, the agent's, then the check's), so
 * the text reads as it did; Prometheus does not care about the order.
 */
import type { RenderPlan } from './store/plan.js';
import type { StoreView } from './store/views.js';
import type { Family } from './vocabulary.js';
import { escapeLabelValue, utf8, type ExpositionWriter } from './writer.js';

export const NEWLINE = 0x0a;
export const ONE = 0x31;
export const ZERO = 0x30;

/** The check a family is asked about: where its numbers and labels are. */
export interface Row {
  view: StoreView;
  plan: RenderPlan;
  /** Position in the plan. */
  k: number;
  slot: number;
  kind: number;
  openMetrics: boolean;
  /** Room for a consistent copy of a few columns (see StoreView.copy). */
  scratch: Float64Array;
}

/** One per-check family: whether a check has its series now, and how to write them. */
export interface CheckFamily {
  readonly family: Family;
  /** Whether the check has series of this family now (its level is checked by the caller). */
  has(row: Row): boolean;
  write(row: Row, w: ExpositionWriter): void;
}

/** Encoded pieces shared by every line of one sink. */
export interface Pieces {
  /** `,AGENT_LABELS} ` or `} `: closes a line's labels before the value. */
  readonly close: Uint8Array;
  /** `AGENT_LABELS,` or nothing: what comes before the check's labels on histogram lines. */
  readonly lead: string;
}

/** The pieces for a sink whose every series carries `agentLabels` (spelled `a="x",b="y"`, or empty). */
export function makePieces(agentLabels: string): Pieces {
  return { close: utf8(agentLabels ? `,${agentLabels}} ` : '} '), lead: agentLabels ? `${agentLabels},` : '' };
}

/** `# HELP` and `# TYPE`; in OpenMetrics a counter's family name has no `_total`. */
export function familyHeader(family: Family, openMetrics: boolean): string {
  const name = openMetrics && family.type === 'counter' ? family.name.replace(/_total$/, '') : family.name;
  return `# HELP ${name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${family.type}\n`;
}

/** `name{`, encoded. */
export function opener(name: string): Uint8Array {
  return utf8(`${name}{`);
}

/** `,name="value"` for each value, encoded. */
export function extraLabels(name: string, values: readonly string[]): Map<string, Uint8Array> {
  return new Map(values.map((value) => [value, utf8(`,${name}="${escapeLabelValue(value)}"`)]));
}

/** The check's own labels (`check="NAME",kind="KIND"`). */
export function checkLabels(w: ExpositionWriter, row: Row): void {
  w.slice(row.plan.labels, row.plan.labelOffsets[row.k] as number, row.plan.labelOffsets[row.k + 1] as number);
}

/** Writes the start of a line: `name{CHECK_LABELS[extra],AGENT_LABELS} `; the caller writes the value and a newline. */
export function line(w: ExpositionWriter, open: Uint8Array, row: Row, p: Pieces, extra?: Uint8Array): void {
  w.bytes(open);
  checkLabels(w, row);
  if (extra !== undefined) w.bytes(extra);
  w.bytes(p.close);
}

/** A family of one series per check whose value is one float column (`seconds`: at nanosecond resolution). */
export function single(family: Family, p: Pieces, has: (row: Row) => boolean, col: number, seconds = false): CheckFamily {
  const open = opener(family.name);
  return {
    family,
    has,
    write(row, w) {
      line(w, open, row, p);
      const value = row.view.num(col, row.slot);
      if (seconds) w.seconds(value);
      else w.value(value);
      w.byte(NEWLINE);
    },
  };
}
