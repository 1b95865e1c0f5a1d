import { Gauge, type OpenMetricsContentType, type Registry } from 'prom-client';

const NAME = 'canary_check_info';

/** What the info series says of one check. */
export interface CheckInfo {
  name: string;
  kind: string;
  target?: string;
  labels?: Readonly<Record<string, string>>;
}

/**
 * `canary_check_info{check, kind, target, <check labels>} 1`: the check's own `labels`
 * (team, service, tier) in one series per check, to be joined in PromQL
 * (`probe_success * on(check) group_left(team) canary_check_info`). Putting them on every
 * probe series instead would need one fixed label set for all checks and multiply series.
 * The gauge is rebuilt when the checks change because its label names are the union of
 * every check's label names.
 */
export function setCheckInfo(registry: Registry<OpenMetricsContentType>, checks: readonly CheckInfo[]): void {
  registry.removeSingleMetric(NAME);
  const extra = [...new Set(checks.flatMap((c) => Object.keys(c.labels ?? {})))].sort();
  const gauge = new Gauge({
    name: NAME,
    help: 'Constant 1 per configured check; labels carry its target and the labels set on it in the config.',
    labelNames: ['check', 'kind', 'target', ...extra],
    registers: [registry],
  });
  for (const check of checks) {
    const labels: Record<string, string> = { check: check.name, kind: check.kind, target: check.target ?? '' };
    for (const name of extra) labels[name] = check.labels?.[name] ?? '';
    gauge.set(labels, 1);
  }
}
