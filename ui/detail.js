// One check, in the side panel: its state, the last failure's message, and the recent runs
// with their phase bars and trace links.
import { STATES, ago, clock, el, labelText, ms, pct } from './format.js';
import { PHASES, phaseBar } from './spark.js';

function traceLink(template, traceId) {
  if (!traceId) return '—';
  if (!template) return el('code', { text: traceId.slice(0, 12) });
  const href = template.split('{traceId}').join(encodeURIComponent(traceId));
  // Only web links: a template is config, but a javascript: URL must never become clickable.
  if (!/^https?:\/\//i.test(href)) return el('code', { text: traceId.slice(0, 12) });
  return el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: traceId.slice(0, 12) });
}

function runsTable(check) {
  const scale = Math.max(1, ...check.runs.map((r) => r.durationMs ?? 0));
  const legend = el(
    'p',
    { class: 'legend' },
    PHASES.map((p) => el('span', { class: `key ph-${p}` }, el('span', { 'aria-hidden': 'true', class: 'swatch' }), p)),
  );
  const head = el(
    'tr',
    {},
    ['Time', 'Result', 'Duration', 'Reason', 'Phases', 'Trace'].map((t) =>
      el('th', { scope: 'col', class: t === 'Duration' ? 'num' : undefined, text: t }),
    ),
  );
  const body = check.runs.map((run) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row', text: clock(run.at) }),
      el('td', { class: run.ok ? 's-up' : 's-down', text: run.ok ? '✓ ok' : '✕ failed' }),
      el('td', { class: 'num', text: ms(run.durationMs) }),
      el('td', { class: 'reason', text: run.reason ?? '' }),
      el('td', {}, phaseBar(run.phases, scale)),
      el('td', {}, traceLink(check.traceUrl, run.traceId)),
    ),
  );
  return [
    el('h3', { text: `Recent runs (${check.runs.length})` }),
    legend,
    el('table', { class: 'runs' }, el('thead', {}, head), el('tbody', {}, body)),
  ];
}

/** The panel's content for GET /api/v1/checks/NAME. */
export function renderCheck(check) {
  const meta = STATES[check.state] ?? { icon: '?', text: check.state };
  const facts = [
    ['State', el('span', { class: `badge s-${check.state}` }, `${meta.icon} ${meta.text}`)],
    ['Kind', check.kind],
    ['Target', check.target],
    ['Every', ms(check.intervalMs)],
    ['Last run', ago(check.lastRun)],
    ['Success', `${pct(check.window?.successRatio)} of ${check.window?.runs ?? 0} runs`],
    ['p50 / p95', `${ms(check.window?.p50Ms)} / ${ms(check.window?.p95Ms)}`],
    ['Labels', labelText(check.labels) || '—'],
  ];
  if (check.slo)
    facts.push(['SLO budget left', `${pct(check.slo.budgetRemaining)} (objective ${pct(check.slo.objective)})`]);
  const failure = check.lastFailure
    ? el(
        'div',
        { class: 'failure' },
        el('h3', { text: 'Last failure' }),
        el(
          'p',
          {},
          `${clock(check.lastFailure.at)} (${ago(check.lastFailure.at)}): `,
          el('strong', { text: check.lastFailure.reason }),
        ),
        el('pre', { text: check.lastFailure.message ?? '' }),
      )
    : el('p', { class: 'muted', text: 'No failure in memory.' });
  return [
    el(
      'dl',
      { class: 'facts' },
      facts.map(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]),
    ),
    failure,
    ...runsTable(check),
  ];
}
