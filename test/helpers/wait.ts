/**
 * Waiting for something a test set in motion: poll the condition the test can observe,
 * with a bounded timeout that names what was awaited, instead of sleeping a fixed time and
 * hoping the effect has happened by then (too short flakes on a busy machine, too long
 * makes every run slower).
 */

/**
 * Polls `fn` every `everyMs` until it returns a value other than undefined, and returns
 * that value. A throw counts as "not yet"; after `timeoutMs` this rejects naming `what`
 * and the last error seen.
 */
export async function eventually<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((r) => setTimeout(r, Math.min(everyMs, left)));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

/** Polls `condition` every `everyMs` until it holds; rejects after `timeoutMs` naming `what`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  await eventually(async () => ((await condition()) ? true : undefined), timeoutMs, what, everyMs);
}
