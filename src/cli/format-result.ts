import type { ResolvedCheck } from '../config/types.js';
import type { CheckResult, HttpPhase } from '../results/types.js';

const PHASES: HttpPhase[] = ['resolve', 'connect', 'tls', 'processing', 'transfer'];

function ms(seconds: number | undefined): string {
  return seconds === undefined ? '-' : `${(seconds * 1000).toFixed(1)} ms`;
}

/** A result as a few lines for a terminal: the verdict first, then what was measured. */
export function formatResult(result: CheckResult, check: ResolvedCheck): string {
  const { observation: obs } = result;
  const status = obs.http ? ` ${obs.http.status}` : '';
  const head = result.ok
    ? `OK   ${check.target}${status} in ${ms(result.durationSeconds)}`
    : `FAIL ${check.target}${status} ${result.reason ?? 'unknown'}: ${result.message ?? ''}`;
  const lines = [head];
  if (obs.http || obs.phases.connect !== undefined) {
    lines.push(`  phases  ${PHASES.map((p) => `${p} ${ms(obs.phases[p])}`).join(' · ')}`);
  }
  if (obs.http) {
    const h = obs.http;
    lines.push(
      `  http    HTTP/${h.version}, ${h.redirects} redirect(s), ${h.bodyBytes} bytes${h.redirects ? `, final ${h.finalUrl}` : ''}`,
    );
  }
  if (obs.tls) {
    const expiry = new Date(obs.tls.earliestCertExpiry * 1000);
    const days = Math.floor((obs.tls.earliestCertExpiry * 1000 - Date.now()) / 86_400_000);
    lines.push(
      `  tls     ${obs.tls.version} ${obs.tls.cipher}, earliest certificate expiry ${expiry.toISOString()} (${days} days)`,
    );
  }
  for (const o of result.outcomes) {
    lines.push(`  ${o.ok ? 'pass' : 'FAIL'}    ${o.name}: expected ${o.expected}, got ${o.actual}`);
  }
  return lines.join('\n');
}
