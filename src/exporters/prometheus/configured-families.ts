/**
 * The per-check series that come from the configuration rather than from results:
 * `canary_check_info` for every configured check and `canary_slo_*` for enabled checks
 * with an `slo`. They change only on (re)load, so each family is encoded then, whole, and
 * a scrape hands the same bytes on.
 */
import { redactUrl } from '../../net/redact-url.js';
import { familyHeader } from './lines.js';
import { CANARY, type Family } from './vocabulary.js';
import { escapeLabelValue, formatValue, labelPairs } from './writer.js';

/** A configured check, as these families need it. */
export interface ConfiguredCheck {
  name: string;
  kind: string;
  target?: string;
  labels?: Readonly<Record<string, string>>;
  /** A disabled check has no SLO series. */
  enabled?: boolean;
  /** `objective` a ratio, `window` in milliseconds, as the schema parsed them. */
  slo?: { objective: number; window: number };
}

function block(family: Family, lines: readonly string[]): Buffer {
  return Buffer.from(lines.length === 0 ? '' : familyHeader(family, false) + lines.join(''));
}

/**
 * `canary_check_info{check, kind, target, <check labels>} 1`: the check's own `labels`
 * (team, service, tier) in one series per check, to be joined in PromQL
 * (`probe_success * on(check) group_left(team) canary_check_info`); on every probe series
 * they would multiply series. Its label names are the union of every check's, empty where a
 * check has none, so every series of the family has the same names.
 */
function infoBlock(checks: readonly ConfiguredCheck[], close: string): Buffer {
  const extra = [...new Set(checks.flatMap((c) => Object.keys(c.labels ?? {})))].sort();
  const lines = checks.map((check) => {
    const labels: Record<string, string> = {
      check: check.name,
      kind: check.kind,
      target: redactUrl(check.target ?? ''),
    };
    for (const name of extra) labels[name] = check.labels?.[name] ?? '';
    return `${CANARY.checkInfo.name}{${labelPairs(labels)}${close} 1\n`;
  });
  return block(CANARY.checkInfo, lines);
}

/** `canary_slo_objective_ratio` and `canary_slo_window_seconds` of every enabled check with an `slo`. */
function sloBlocks(checks: readonly ConfiguredCheck[], close: string): Buffer[] {
  const withSlo = checks.filter((c) => c.slo !== undefined && c.enabled !== false);
  const labels = (c: ConfiguredCheck) =>
    `{check="${escapeLabelValue(c.name)}",kind="${escapeLabelValue(c.kind)}"${close}`;
  return [
    block(
      CANARY.sloObjective,
      withSlo.map((c) => `${CANARY.sloObjective.name}${labels(c)} ${formatValue(c.slo?.objective ?? 0)}\n`),
    ),
    block(
      CANARY.sloWindow,
      withSlo.map((c) => `${CANARY.sloWindow.name}${labels(c)} ${formatValue((c.slo?.window ?? 0) / 1000)}\n`),
    ),
  ];
}

/** The encoded info and SLO families of a set of checks, for a sink whose series carry `agentLabels`. */
export function configuredFamilies(checks: readonly ConfiguredCheck[], agentLabels: string): Buffer[] {
  const close = agentLabels ? `,${agentLabels}}` : '}';
  return [infoBlock(checks, close), ...sloBlocks(checks, close)].filter((b) => b.length > 0);
}
