import type { Counter } from 'prom-client';
import type { CheckResult } from '../../results/types.js';
import type { CheckLabel } from './metrics.js';

/**
 * `canary_probe_attempts_total` of one check. Runs count confirmed verdicts; attempts
 * count every try, so `attempts - runs` is how much retrying it took to get them.
 */
export class AttemptSeries {
  readonly #counter: Counter<CheckLabel | 'result' | 'reason'>;
  readonly #labels: Readonly<Record<CheckLabel, string>>;
  /** Children by failure reason; `''` is the success series. */
  readonly #children = new Map<string, Counter.Internal>();

  constructor(counter: Counter<CheckLabel | 'result' | 'reason'>, labels: Readonly<Record<CheckLabel, string>>) {
    this.#counter = counter;
    this.#labels = labels;
    // At 0 from the start, as the run counter, so rate() sees the first success.
    this.#child('').inc(0);
  }

  /** Counts one attempt. */
  record(result: CheckResult): void {
    this.#child(result.ok ? '' : (result.reason ?? 'unknown')).inc();
  }

  /** Deletes the check's series. */
  remove(): void {
    for (const reason of this.#children.keys()) this.#counter.remove({ ...this.#labels, result: reason ? 'failure' : 'success', reason });
    this.#children.clear();
  }

  #child(reason: string): Counter.Internal {
    let child = this.#children.get(reason);
    if (!child) {
      child = this.#counter.labels({ ...this.#labels, result: reason ? 'failure' : 'success', reason });
      this.#children.set(reason, child);
    }
    return child;
  }
}
