/**
 * The flow probe: a list of HTTP steps run in order (log in, take the token, call the
 * API with it), all on the check's one timeout. Each request is made by the HTTP probe,
 * so phases, TLS facts and failure reasons mean what they mean for an http check.
 *
 * The observation is ok only when every step got a response, met its expectations and
 * extracted its values; the first step that does not ends the flow, and the observation
 * takes its reason with the message `step "login": ...`. `phases` are the steps' phases
 * summed, `http` and `tls` the facts of the last step that ran, and `flow` lists each step.
 * Every extracted value is a secret of that run: it is redacted from the whole observation.
 */
import type { ResolvedFlowCheck, ResolvedHttpCheck } from '../config/types.js';
import type { FlowStepFacts, HttpPhase, Observation, PhaseTimings } from '../results/types.js';
import { createHttpProbe } from './http.js';
import { runStep } from './flow/step.js';
import { redactValuesDeep } from '../secrets/redact.js';
import type { Probe, ProbeContext } from './types.js';

function summedPhases(steps: readonly FlowStepFacts[]): PhaseTimings {
  const sum: PhaseTimings = {};
  for (const step of steps) {
    for (const [phase, seconds] of Object.entries(step.phases) as [HttpPhase, number][])
      sum[phase] = (sum[phase] ?? 0) + seconds;
  }
  return sum;
}

function observationOf(startedAt: number, steps: FlowStepFacts[], last: Observation | undefined): Observation {
  const failed = steps.find((s) => !s.ok);
  const observation: Observation = {
    ok: failed === undefined,
    durationSeconds: (performance.now() - startedAt) / 1000,
    phases: summedPhases(steps),
    flow: failed === undefined ? { steps } : { steps, failedStep: failed.name },
  };
  if (failed !== undefined) {
    observation.reason = failed.reason;
    observation.message = `step "${failed.name}": ${failed.message ?? failed.reason ?? 'failed'}`;
  }
  if (observation.phases.resolve !== undefined) observation.dnsLookupSeconds = observation.phases.resolve;
  if (last?.http !== undefined) {
    // The body was kept for this step's expectations and extractions; the result need not hold it.
    const { body: _body, ...http } = last.http;
    observation.http = http;
  }
  if (last?.tls !== undefined) observation.tls = last.tls;
  return observation;
}

class FlowProbe implements Probe<ResolvedFlowCheck> {
  readonly kind = 'flow' as const;
  readonly #http: Probe<ResolvedHttpCheck> = createHttpProbe();

  async run(check: ResolvedFlowCheck, ctx: ProbeContext): Promise<Observation> {
    const startedAt = performance.now();
    const values = new Map<string, string>();
    const steps: FlowStepFacts[] = [];
    let last: Observation | undefined;
    for (const step of check.flow.steps) {
      const run = await runStep(this.#http, check, step, values, ctx);
      steps.push(run.facts);
      last = run.observation ?? last;
      if (!run.facts.ok) break;
    }
    // Extracted values are session tokens more often than not, and a failing step's message
    // may quote one (an echoed header, a URL): none leaves the probe.
    return redactValuesDeep(observationOf(startedAt, steps, last), values.values());
  }

  close(): Promise<void> {
    return this.#http.close?.() ?? Promise.resolve();
  }
}

/**
 * Creates the flow probe (kind `flow`). It has an HTTP probe of its own; steps never keep
 * connections alive, so `close()` has nothing pooled to release in practice.
 *
 * @example
 * const probe = createFlowProbe();
 * const observation = await probe.run(check, { signal: AbortSignal.timeout(check.timeoutMs) });
 */
export function createFlowProbe(): Probe<ResolvedFlowCheck> {
  return new FlowProbe();
}
