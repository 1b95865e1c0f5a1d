/**
 * Per-step metrics of flow checks, labelled by `step` besides the usual `check` and `kind`
 * (and the registry's region and agent labels). The gauges show the latest run, written
 * at scrape time like the other `probe_*` gauges; the failure counter counts every run.
 */
import { Counter, Gauge, type OpenMetricsContentType, type Registry } from 'prom-client';
import type { CheckResult } from '../../results/types.js';
import type { CheckLabel } from './metrics.js';

type StepLabel = CheckLabel | 'step';

/** The flow metrics, created once per registry. */
export interface FlowMetrics {
  stepSuccess: Gauge<StepLabel>;
  stepDuration: Gauge<StepLabel>;
  stepFailures: Counter<StepLabel>;
}

export function createFlowMetrics(registry: Registry<OpenMetricsContentType>, collect: () => void): FlowMetrics {
  const registers = [registry];
  const labelNames: StepLabel[] = ['check', 'kind', 'step'];
  return {
    stepSuccess: new Gauge({ name: 'probe_flow_step_success', help: 'Whether the step of the last flow run succeeded; absent for steps the run did not reach', labelNames, registers, collect }),
    stepDuration: new Gauge({ name: 'probe_flow_step_duration_seconds', help: 'How long the step of the last flow run took, in seconds', labelNames, registers, collect }),
    stepFailures: new Counter({ name: 'canary_flow_step_failures_total', help: 'Flow runs that failed, by the step they failed at.', labelNames, registers }),
  };
}

/** The step series of one flow check. */
export class FlowSeries {
  readonly #m: FlowMetrics;
  readonly #labels: Readonly<Record<CheckLabel, string>>;
  /** Steps with gauges, so steps a run did not reach (or a reload renamed) are removed. */
  #shown = new Set<string>();
  /** Steps with a failure counter, removed with the check. */
  readonly #counted = new Set<string>();

  constructor(metrics: FlowMetrics, labels: Readonly<Record<CheckLabel, string>>) {
    this.#m = metrics;
    this.#labels = labels;
  }

  /** Counts a failed run at its step; called for every result, not only the latest. */
  record(result: CheckResult): void {
    const flow = result.observation.flow;
    // Each step's counter starts at 0 once the step has run, so rate() sees its first failure.
    for (const { name } of flow?.steps ?? []) {
      if (this.#counted.has(name)) continue;
      this.#m.stepFailures.inc({ ...this.#labels, step: name }, 0);
      this.#counted.add(name);
    }
    if (flow?.failedStep !== undefined) this.#m.stepFailures.inc({ ...this.#labels, step: flow.failedStep });
  }

  /** Writes the latest result's steps into the gauges. */
  flush(result: CheckResult): void {
    const shown = new Set<string>();
    for (const step of result.observation.flow?.steps ?? []) {
      const labels = { ...this.#labels, step: step.name };
      this.#m.stepSuccess.set(labels, step.ok ? 1 : 0);
      this.#m.stepDuration.set(labels, step.durationSeconds);
      shown.add(step.name);
    }
    for (const step of this.#shown) if (!shown.has(step)) this.#removeGauges(step);
    this.#shown = shown;
  }

  /** Deletes every series of the check. */
  remove(): void {
    for (const step of this.#shown) this.#removeGauges(step);
    for (const step of this.#counted) this.#m.stepFailures.remove({ ...this.#labels, step });
    this.#shown.clear();
    this.#counted.clear();
  }

  #removeGauges(step: string): void {
    this.#m.stepSuccess.remove({ ...this.#labels, step });
    this.#m.stepDuration.remove({ ...this.#labels, step });
  }
}
