/**
 * The pieces per-check families are written with. A family answers whether a check has
 * its series now and writes them, reading the check's numbers from the store and its
 * labels from the render plan. A line is two copies of bytes encoded beforehand, then the
 * value: the family's opening with its own labels (`probe_http_duration_seconds{phase="tls",`)
 * and the check's part (`check="api",kind="http",region="eu"} `). Label order means nothing
 * to Prometheus; this one makes lines cheap.
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

/** `# HELP` and `# TYPE`; in OpenMetrics a counter's family name has no `_total`. */
export function familyHeader(family: Family, openMetrics: boolean): string {
  const name = openMetrics && family.type === 'counter' ? family.name.replace(/_total$/, '') : family.name;
  return `# HELP ${name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${family.type}\n`;
}

/** `name{`, encoded. */
export function opener(name: string): Uint8Array {
  return utf8(`${name}{`);
}

/** `name{label="value",` for each value, encoded: the opening of a line with one label of the family's own. */
export function openers(name: string, label: string, values: readonly string[]): Uint8Array[] {
  return values.map((value) => utf8(`${name}{${label}="${escapeLabelValue(value)}",`));
}

/** Writes the start of a line: the family's opening, then the check's part; the caller writes the value and a newline. */
export function line(w: ExpositionWriter, open: Uint8Array, row: Row): void {
  w.bytes(open);
  w.bytes(row.plan.tails[row.k] as Uint8Array);
}

/** A family of one series per check whose value is one float column (`seconds`: at nanosecond resolution). */
export function single(family: Family, has: (row: Row) => boolean, col: number, seconds = false): CheckFamily {
  const open = opener(family.name);
  return {
    family,
    has,
    write(row, w) {
      line(w, open, row);
      const value = row.view.num(col, row.slot);
      if (seconds) w.seconds(value);
      else w.value(value);
      w.byte(NEWLINE);
    },
  };
}
