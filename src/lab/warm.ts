/**
 * The fleet an experiment starts from is warm, as a real one is: `canary lab` and `canary
 * demo` serve each backend's cold-start requests themselves before they report ready, so
 * the first steady state judged against a fresh lab is not its start-up. A backend started
 * again later (the control API, a chaos revert) is cold, which is what failback shows.
 */
import type { LabEndpoint } from './process/supervisor.js';

/** Longest wait for one warming request: a cold one is a few hundred ms. */
const REQUEST_TIMEOUT_MS = 5_000;

/** Sends `requests` requests to each backend, one after another per backend, backends in parallel. */
export async function warmBackends(backends: readonly LabEndpoint[], requests: number): Promise<void> {
  await Promise.all(
    backends.map(async ({ url }) => {
      for (let i = 0; i < requests; i++) {
        const answer = await fetch(`${url}/`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await answer.arrayBuffer();
      }
    }),
  );
}
