import type { ResolvedCheck } from '../../config/types.js';
import type { Observation } from '../../results/types.js';
import type { Probe, ProbeContext } from '../types.js';
import { SocketAttempt } from './attempt.js';

/**
 * A probe kind whose attempt is one function of the check and a {@link SocketAttempt}: the
 * attempt's clock, its cancellation by the context's signal, and its failure
 * classification are the same for every socket-level kind, so they live here once.
 */
export function socketProbe<C extends ResolvedCheck>(
  kind: C['kind'],
  attemptOnce: (check: C, attempt: SocketAttempt) => Promise<Observation>,
): Probe<C> {
  return {
    kind,
    async run(check: C, ctx: ProbeContext): Promise<Observation> {
      const attempt = new SocketAttempt(ctx.signal, ctx.vetAddress);
      if (ctx.signal.aborted) return attempt.fail(ctx.signal.reason);
      attempt.watch();
      try {
        return await attemptOnce(check, attempt);
      } finally {
        attempt.unwatch();
      }
    },
  };
}
