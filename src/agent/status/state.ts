/** The state vocabulary of the status API: what one word says about a check now. */

/** Every state, in the default sort order (the ones needing attention first). */
export const CHECK_STATES = ['down', 'flapping', 'pending', 'up', 'disabled'] as const;

export type CheckState = (typeof CHECK_STATES)[number];

/** Runs looked at for flapping, and the changes among them that make a check flap. */
export const FLAP_RUNS = 10;
const FLAP_CHANGES = 3;

/** How many times ok/failed changed between consecutive runs; bit 0 is the newest run. */
function changes(count: number, bits: number): number {
  let n = 0;
  for (let i = 0; i + 1 < count; i++) if (((bits >> i) & 1) !== ((bits >> (i + 1)) & 1)) n++;
  return n;
}

/**
 * A check's state: disabled when switched off; pending before its first run; flapping
 * with at least 3 changes among its last 10 runs; else up or down as its last run went.
 *
 * @param flags - ok flags of the newest runs held (bit 0 the newest)
 * @param lastOk - the last run's verdict when the windows hold none of its runs
 */
export function checkState(
  enabled: boolean,
  flags: { count: number; bits: number },
  lastOk: boolean | undefined,
): CheckState {
  if (!enabled) return 'disabled';
  if (flags.count === 0) return lastOk === undefined ? 'pending' : lastOk ? 'up' : 'down';
  if (changes(flags.count, flags.bits) >= FLAP_CHANGES) return 'flapping';
  return (flags.bits & 1) === 1 ? 'up' : 'down';
}
