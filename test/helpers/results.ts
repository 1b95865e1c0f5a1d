/**
 * CheckResults for tests that feed sinks, windows and judges without running a probe. One
 * factory, so a field added to CheckResult is added here once rather than in every test.
 */
import type { CheckResult, Observation } from '../../src/results/types.js';

/**
 * A result of one run: by default a successful HTTP run of check `api` taking 0.1 s, at
 * `startedAt` 0. `over` replaces any field; `observation` replaces fields of the observation,
 * whose `ok` and `durationSeconds` otherwise follow the result's.
 *
 * @example makeResult({ check: 'db', ok: false, reason: 'refused' })
 */
export function makeResult(
  over: Partial<Omit<CheckResult, 'observation'>> = {},
  observation: Partial<Observation> = {},
): CheckResult {
  const ok = over.ok ?? true;
  const durationSeconds = over.durationSeconds ?? 0.1;
  const check = over.check ?? 'api';
  return {
    check,
    kind: 'http',
    target: `http://127.0.0.1/${check}`,
    region: 'test',
    attempt: 1,
    ok,
    startedAt: 0,
    durationSeconds,
    outcomes: [],
    ...over,
    observation: { ok, durationSeconds, phases: {}, ...observation },
  };
}
