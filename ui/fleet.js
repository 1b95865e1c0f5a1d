// The fleet section: each check by region, as the fleet's Prometheus sees it, and the
// verdict of the quorum alert (down in more than half of the regions probing the check).
import { el } from './format.js';

const CELLS = {
  1: { icon: '✓', text: 'up', cls: 's-up' },
  0: { icon: '✕', text: 'down', cls: 's-down' },
};

function cell(value) {
  const state = CELLS[value];
  if (!state) return el('td', { class: 'fleet-cell muted', text: '– no data' });
  return el('td', { class: `fleet-cell ${state.cls}`, text: `${state.icon} ${state.text}` });
}

/** The quorum column: down for users, down from some regions only, or up everywhere. */
function verdict(check) {
  if (check.quorum) return el('td', { class: 'fleet-verdict s-down', text: '✕ quorum down' });
  if (check.down > 0) return el('td', { class: 'fleet-verdict s-flapping', text: '! regional, no quorum' });
  return el('td', { class: 'fleet-verdict s-up', text: '✓ up' });
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function grid(data) {
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col', text: 'Check' }),
    data.regions.map((r) => el('th', { scope: 'col', text: r })),
    el('th', { scope: 'col', class: 'num', text: 'Regions down' }),
    el('th', { scope: 'col', text: 'Quorum' }),
  );
  const rows = data.checks.map((c) =>
    el(
      'tr',
      { 'data-check': c.check },
      el('th', { scope: 'row', text: c.check }),
      data.regions.map((r) => cell(c.regions[r])),
      el('td', { class: 'num', text: `${c.down} of ${c.total}` }),
      verdict(c),
    ),
  );
  const caption = el('caption', {
    class: 'page-info',
    text: data.truncated
      ? `The ${data.checks.length} checks of most concern, of ${data.totalChecks}`
      : `${plural(data.checks.length, 'check')} in ${plural(data.regions.length, 'region')}`,
  });
  return el('table', { class: 'fleet-grid' }, caption, el('thead', {}, head), el('tbody', {}, rows));
}

/** The section's content for an answer of `/api/v1/fleet` that is configured. */
export function renderFleet(data) {
  if (data.error) return [el('p', { class: 'error', role: 'alert', text: `The fleet cannot be shown: ${data.error}` })];
  if (!data.checks?.length)
    return [
      el('p', {
        class: 'muted',
        text: 'Prometheus has no canary:check_down:bool series: load deploy/prometheus/rules/canary-sli.yml there.',
      }),
    ];
  return [grid(data)];
}
