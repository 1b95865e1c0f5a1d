/**
 * Prometheus rule groups for the checks that have an `slo`: error-ratio recording rules
 * and the SRE workbook's multi-window, multi-burn-rate alerts. Built as plain data, so
 * tests read the rules without parsing YAML, then serialised once, deterministically.
 */
import { stringify } from 'yaml';
import { formatDuration } from '../config/units.js';
import {
  applicable,
  burnRateFactor,
  FAST_BURN,
  RATE_WINDOWS,
  SLOW_BURN,
  type BurnCondition,
  type RateWindow,
} from './burn-rate.js';

/** Where the runbook of each alert lives; the alert name and `.md` are appended. */
export const RUNBOOK_BASE = 'https://github.com/canary-sre/canary/blob/main/deploy/runbooks/';

/** A check with an objective, as the rules need it. */
export interface SloCheck {
  name: string;
  /** The objective as a ratio, e.g. 0.999. */
  objective: number;
  /** The SLO window in milliseconds. */
  windowMs: number;
}

/** A recording rule. */
export interface RecordingRule {
  record: string;
  expr: string;
}

/** An alerting rule. */
export interface AlertingRule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A Prometheus rule group. */
export interface RuleGroup {
  name: string;
  rules: (RecordingRule | AlertingRule)[];
}

/** The recorded error ratio over `window`, by check and region. */
export function errorRatioRecord(window: RateWindow): string {
  return `canary:slo_errors:ratio_rate${window}`;
}

/**
 * The checks' names as one regex matcher value. Names allow only letters, digits and
 * `_ . : -`; of those only `.` means something in a regex. The PromQL string doubles the
 * backslash.
 */
function checkMatcher(names: readonly string[]): string {
  return names.map((name) => name.replaceAll('.', '\\\\.')).join('|');
}

/**
 * One recording rule per window for all SLO checks at once (`check=~"a|b"`): the number of
 * rules and queries stays seven however many checks have an objective, and every output
 * series still carries its own `check` and `region`.
 */
export function recordingRules(names: readonly string[]): RecordingRule[] {
  const selector = `canary_probe_runs_total{check=~"${checkMatcher(names)}"`;
  return RATE_WINDOWS.map((w) => ({
    record: errorRatioRecord(w),
    expr: `1 - (\n  sum by (check, region) (rate(${selector},result="success"}[${w}]))\n  /\n  sum by (check, region) (rate(${selector}}[${w}]))\n)`,
  }));
}

/** `99.9%` for 0.999, without floating-point noise. */
export function formatObjective(objective: number): string {
  return `${Number((objective * 100).toPrecision(12))}%`;
}

/**
 * The alert expression of one check: each condition's long and short window both above
 * the burn rate. The value is the long window's burn rate, shown in the description.
 */
function burnExpr(check: SloCheck, conditions: readonly BurnCondition[]): string {
  const budget = `(1 - ${check.objective})`;
  const ratio = (w: RateWindow) => `${errorRatioRecord(w)}{check="${check.name}"} / ${budget}`;
  return conditions
    .map((c) => {
      const factor = burnRateFactor(c, check.windowMs);
      return `(\n  ${ratio(c.long)} > ${factor}\nand\n  ${ratio(c.short)} > ${factor}\n)`;
    })
    .join('\nor\n');
}

/** How each condition reads in a description: `14.4× over 1h and 5m (2% of the budget)`. */
function describeConditions(check: SloCheck, conditions: readonly BurnCondition[]): string {
  return conditions
    .map(
      (c) => `${burnRateFactor(c, check.windowMs)}× over ${c.long} and ${c.short} (${c.budgetPercent}% of the budget)`,
    )
    .join(' or ');
}

interface AlertKind {
  alert: 'CanarySLOBurnRateFast' | 'CanarySLOBurnRateSlow';
  severity: 'critical' | 'warning';
  conditions: readonly BurnCondition[];
  speed: string;
}

const ALERTS: readonly AlertKind[] = [
  { alert: 'CanarySLOBurnRateFast', severity: 'critical', conditions: FAST_BURN, speed: 'fast' },
  { alert: 'CanarySLOBurnRateSlow', severity: 'warning', conditions: SLOW_BURN, speed: 'steadily' },
];

function alertRule(check: SloCheck, kind: AlertKind): AlertingRule | undefined {
  const conditions = applicable(kind.conditions, check.windowMs);
  if (conditions.length === 0) return undefined;
  const slo = `${formatObjective(check.objective)} over ${formatDuration(check.windowMs)}`;
  return {
    alert: kind.alert,
    expr: burnExpr(check, conditions),
    // The series already carry `check`; saying it again keeps one rule per check distinct
    // for `promtool check rules`, which flags same-named rules with the same labels.
    labels: { severity: kind.severity, check: check.name },
    annotations: {
      summary: `{{ $labels.check }} in {{ $labels.region }} is burning its error budget ${kind.speed} (SLO ${slo})`,
      description:
        `{{ $labels.check }} in {{ $labels.region }} fails {{ $value | printf "%.1f" }} times as often as its SLO of ${slo} allows ` +
        `(burn rate over the long window). Fires at ${describeConditions(check, conditions)}.`,
      runbook_url: `${RUNBOOK_BASE}${kind.alert}.md`,
    },
  };
}

/** Every rule group for `checks`; checks are sorted by name so the output never depends on file order. */
export function buildRuleGroups(checks: readonly SloCheck[]): RuleGroup[] {
  const sorted = [...checks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (sorted.length === 0) return [];
  const alerts = ALERTS.flatMap((kind) =>
    sorted.map((check) => alertRule(check, kind)).filter((r): r is AlertingRule => r !== undefined),
  );
  return [
    { name: 'canary-slo-errors', rules: recordingRules(sorted.map((c) => c.name)) },
    { name: 'canary-slo-burn-rate', rules: alerts },
  ];
}

/** The rule file: a header naming its source, then the groups as YAML. */
export function renderRuleFile(checks: readonly SloCheck[], source: string): string {
  const header =
    `# generated by canary rules generate from ${source}; do not edit\n` +
    `# Change the checks' \`slo:\` instead and run: canary rules generate --config ${source} --out <this file>\n`;
  return header + stringify({ groups: buildRuleGroups(checks) }, { lineWidth: 0 });
}

/** The enabled checks that have an `slo`, as the rules need them. */
export function sloChecks(
  checks: readonly { name: string; enabled: boolean; slo?: { objective: number; window: number } }[],
): SloCheck[] {
  return checks.flatMap((c) =>
    c.enabled && c.slo ? [{ name: c.name, objective: c.slo.objective, windowMs: c.slo.window }] : [],
  );
}
