// The chaos section (halted or not, the active run, the last runs) and one run's journal
// summary in the side panel, with its failback waves on a timeline.
import { ago, clock, el, ms, pct, svg } from './format.js';

const GATES = { passed: '✓ passed', failed: '✕ failed', pending: '… pending' };

function gateText(gate) {
  return gate === null || gate === undefined ? '—' : (GATES[gate] ?? String(gate));
}

function wavesTable(waves) {
  if (!waves?.length) return el('p', { class: 'muted', text: 'No failback waves.' });
  const head = ['Wave', 'Started', 'Instances', 'Success', 'p95', 'Gate'].map((t) =>
    el('th', { scope: 'col', class: t === 'Success' || t === 'p95' ? 'num' : undefined, text: t }),
  );
  const rows = waves.map((w) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row', text: String(w.index + 1) }),
      el('td', { text: clock(w.startedAt) }),
      el('td', { text: w.instances.join(', ') }),
      el('td', { class: 'num', text: pct(w.successRatio) }),
      el('td', { class: 'num', text: ms(w.p95Ms) }),
      el('td', { class: `gate-${w.gate ?? 'none'}`, text: gateText(w.gate) }),
    ),
  );
  return el('table', { class: 'waves' }, el('thead', {}, el('tr', {}, head)), el('tbody', {}, rows));
}

/** Waves placed by start time between the run's start and end (or now). */
function timeline(run, waves) {
  const start = Date.parse(run.startedAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : Date.now();
  const span = Math.max(1, end - start);
  const node = svg('svg', { class: 'timeline', viewBox: '0 0 400 24', width: 400, height: 24, role: 'img' });
  node.append(svg('rect', { x: 0, y: 11, width: 400, height: 2, class: 'axis' }));
  for (const w of waves ?? []) {
    const x = ((Date.parse(w.startedAt) - start) / span) * 392 + 4;
    node.append(svg('rect', { x: x.toFixed(1), y: 3, width: 8, height: 18, class: `gate-${w.gate ?? 'none'}` }));
  }
  const label = (waves ?? []).map((w) => `wave ${w.index + 1} at ${clock(w.startedAt)} ${gateText(w.gate)}`);
  node.setAttribute('aria-label', label.length ? `Timeline: ${label.join('; ')}` : 'Timeline: no waves');
  return node;
}

/** `Step 3 of 3: failback pool`; the API counts steps from 0. */
function stepText(step) {
  const at = step.index === null || step.index === undefined ? '?' : step.index + 1;
  return `Step ${at} of ${step.of ?? '?'}: ${step.label ?? step.id}`;
}

function activeRun(active) {
  if (!active) return el('p', { class: 'muted', text: 'No run in progress.' });
  const step = active.step;
  const hyp = active.hypothesis;
  return el(
    'div',
    { class: 'active', 'aria-label': 'Active run' },
    el('h3', { text: `Running: ${active.experiment}` }),
    el('p', {}, `by ${active.operator}, started ${ago(active.startedAt)}`),
    step ? el('p', { class: 'step', text: stepText(step) }) : null,
    hyp
      ? el(
          'p',
          { class: hyp.holds ? 's-up' : 's-down' },
          `Hypothesis ${hyp.holds ? '✓ holds' : '✕ deviates'}: `,
          hyp.entries
            .map((e) => `${e.check} ${pct(e.successRatio)} p95 ${ms(e.p95Ms)}${e.holds ? '' : ' (fails)'}`)
            .join('; '),
        )
      : null,
    timeline(active, active.waves),
    wavesTable(active.waves),
  );
}

function runList(runs, openRun) {
  if (!runs.length) return el('p', { class: 'muted', text: 'No runs yet.' });
  const head = ['Experiment', 'Outcome', 'Started', 'Took', ''].map((t) => el('th', { scope: 'col', text: t }));
  const rows = runs.slice(0, 10).map((run) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row', text: run.experiment }),
      el('td', { class: `o-${run.status}`, text: `${run.status}${run.deviated ? ' (deviated)' : ''}` }),
      el('td', { text: ago(run.startedAt) }),
      el('td', { text: run.endedAt ? ms(Date.parse(run.endedAt) - Date.parse(run.startedAt)) : '—' }),
      el(
        'td',
        {},
        el('button', {
          type: 'button',
          onclick: () => openRun(run.runId),
          text: 'Journal',
          'aria-label': `Journal of ${run.experiment} ${run.runId}`,
        }),
      ),
    ),
  );
  return el('table', { class: 'runs' }, el('thead', {}, el('tr', {}, head)), el('tbody', {}, rows));
}

/** The chaos section's content for GET /api/v1/chaos/runs. */
export function renderChaos(data, openRun) {
  if (!data.enabled && !data.runs.length) return [el('p', { class: 'muted', text: 'Chaos is off on this agent.' })];
  const halted = data.halted
    ? el(
        'p',
        { class: 'halted', role: 'alert' },
        `⛔ Halted by ${data.halted.operator} ${ago(data.halted.at)}: ${data.halted.reason}`,
      )
    : el('p', { class: 'not-halted', text: '● Not halted: experiments may run.' });
  return [halted, activeRun(data.active), el('h3', { text: 'Last runs' }), runList(data.runs, openRun)];
}

/** The panel's content for GET /api/v1/chaos/runs/ID. */
export function renderRun(journal) {
  const steps = [...(journal.steps ?? []), ...(journal.rollbacks ?? [])];
  return [
    el(
      'dl',
      { class: 'facts' },
      [
        ['Outcome', `${journal.status}${journal.deviated ? ' (deviated)' : ''}`],
        ['Why', journal.reason ?? '—'],
        ['Operator', journal.operator ?? '—'],
        ['Started', `${clock(journal.startedAt)} (${ago(journal.startedAt)})`],
        ['Ended', journal.endedAt ? clock(journal.endedAt) : '—'],
      ].map(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]),
    ),
    el('h3', { text: 'Waves' }),
    timeline(journal, journal.waves),
    wavesTable(journal.waves),
    el('h3', { text: 'Steps' }),
    el(
      'ol',
      { class: 'steps' },
      steps.map((s) => el('li', { text: `${s.id} ${s.action}: ${s.status}${s.error ? ` (${s.error})` : ''}` })),
    ),
  ];
}
