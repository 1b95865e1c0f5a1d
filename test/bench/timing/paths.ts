/** The URLs both probers use, so the agent's checks and the blackbox driver's slots agree. */

/** Requests under this prefix are held by the holding target; anything else is answered at once. */
export const HOLD_PREFIX = '/hold/';

/** Prefix of the agent's measured checks; its background checks are named otherwise. */
export const TIMED_PREFIX = 'timed-';

/** The holding path of measured slot `index`, with the request id blackbox probes carry. */
export function holdPath(index: number, id?: string): string {
  return `${HOLD_PREFIX}${index}${id === undefined ? '' : `?id=${encodeURIComponent(id)}`}`;
}

/** The fast target's path of background slot `index`: distinct per check, like the main bench's. */
export function fastPath(index: number): string {
  return `/c/${index}`;
}

/** `NN` of width enough for `count` names, so names sort in slot order. */
export function padded(index: number, count: number): string {
  return String(index).padStart(String(Math.max(0, count - 1)).length, '0');
}
