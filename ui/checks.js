// The checks table: a fixed pool of rows updated in place on every poll (no rows are added
// or removed while the page is open, so nothing reflows), the counts per state (which are
// also the state filter), the other filters, sorting and paging. Every control maps to a
// query parameter of GET /api/v1/checks.
import { STATES, ago, el, labelText, ms, pct, setText } from './format.js';
import { drawSpark, sparkNode } from './spark.js';

export const PAGE_SIZE = 50;

/** What the table asks the API for. */
export const view = { states: [], kind: '', labels: [], q: '', sort: '', order: 'asc', offset: 0, limit: PAGE_SIZE };

const CELLS = ['state', 'name', 'reason', 'lastRun', 'p50', 'p95', 'success', 'spark', 'labels', 'slo'];

function makeRow(open) {
  const cells = {};
  const tr = el('tr', { tabindex: '0', hidden: true });
  for (const key of CELLS) {
    const td = el(key === 'name' ? 'th' : 'td', key === 'name' ? { scope: 'row' } : {});
    if (['p50', 'p95', 'success', 'slo'].includes(key)) td.className = 'num';
    if (key === 'state') td.append(el('span', { class: 'badge' }, el('span', { 'aria-hidden': 'true' }), el('span')));
    if (key === 'spark') td.append(sparkNode());
    cells[key] = td;
    tr.append(td);
  }
  const go = () => tr.dataset.name && open(tr.dataset.name, tr);
  tr.addEventListener('click', go);
  tr.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') go();
  });
  return { tr, cells };
}

function fillRow({ tr, cells }, check) {
  tr.hidden = false;
  tr.dataset.name = check.name;
  tr.dataset.state = check.state;
  const meta = STATES[check.state] ?? { icon: '?', text: check.state };
  const [icon, text] = cells.state.firstChild.children;
  cells.state.firstChild.className = `badge s-${check.state}`;
  setText(icon, meta.icon);
  setText(text, meta.text);
  setText(cells.name, check.name);
  cells.name.title = `${check.kind} ${check.target}`;
  setText(cells.reason, check.reason ?? '');
  cells.reason.title = check.reason ?? '';
  setText(cells.lastRun, ago(check.lastRun));
  setText(cells.p50, ms(check.window?.p50Ms));
  setText(cells.p95, ms(check.window?.p95Ms));
  setText(cells.success, pct(check.window?.successRatio));
  drawSpark(cells.spark.firstChild, check.recent);
  setText(cells.labels, labelText(check.labels));
  setText(cells.slo, check.slo ? pct(check.slo.budgetRemaining) : '');
}

function clearRow({ tr }) {
  tr.hidden = true;
  delete tr.dataset.name;
}

/** Wires the table's controls; `changed()` runs after each change of the view, `open(name, row)` on a row. */
export function createChecksTable({ changed, open }) {
  const rows = Array.from({ length: PAGE_SIZE }, () => makeRow(open));
  document.getElementById('rows').append(...rows.map((r) => r.tr));
  const counts = document.getElementById('counts');
  const countButtons = {};
  for (const [state, meta] of Object.entries(STATES)) {
    const count = el('span', { class: 'count', text: '0' });
    const button = el(
      'button',
      { type: 'button', class: `chip s-${state}`, 'aria-pressed': 'false', 'data-state': state },
      el('span', { 'aria-hidden': 'true', text: meta.icon }),
      ` ${meta.text} `,
      count,
    );
    button.addEventListener('click', () => {
      const on = !view.states.includes(state);
      view.states = on ? [...view.states, state] : view.states.filter((s) => s !== state);
      button.setAttribute('aria-pressed', String(on));
      view.offset = 0;
      changed();
    });
    countButtons[state] = count;
    counts.append(button);
  }
  wireFilters(changed);
  wireSort(changed);
  wirePager(changed);
  return {
    render(page) {
      rows.forEach((row, i) => (page.checks[i] ? fillRow(row, page.checks[i]) : clearRow(row)));
      for (const [state, node] of Object.entries(countButtons)) setText(node, String(page.counts?.[state] ?? 0));
      const first = page.total === 0 ? 0 : page.offset + 1;
      const last = page.offset + page.checks.length;
      setText(document.getElementById('page-info'), `Checks ${first}–${last} of ${page.total}`);
      document.getElementById('prev').disabled = page.offset === 0;
      document.getElementById('next').disabled = last >= page.total;
    },
  };
}

function debounce(fn, waitMs) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, waitMs);
  };
}

function wireFilters(changed) {
  const q = document.getElementById('f-q');
  const kind = document.getElementById('f-kind');
  const label = document.getElementById('f-label');
  const apply = () => {
    view.q = q.value.trim();
    view.kind = kind.value;
    view.labels = label.value.split(/\s+/).filter((l) => l.includes('='));
    view.offset = 0;
    changed();
  };
  q.addEventListener('input', debounce(apply, 250));
  label.addEventListener('input', debounce(apply, 400));
  kind.addEventListener('change', apply);
  document.getElementById('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
}

function wireSort(changed) {
  const headers = [...document.querySelectorAll('th[data-sort]')];
  for (const th of headers) {
    th.querySelector('button').addEventListener('click', () => {
      const key = th.dataset.sort;
      view.order = view.sort === key && view.order === 'asc' ? 'desc' : 'asc';
      view.sort = key;
      view.offset = 0;
      for (const other of headers) other.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', view.order === 'asc' ? 'ascending' : 'descending');
      changed();
    });
  }
}

function wirePager(changed) {
  document.getElementById('prev').addEventListener('click', () => {
    view.offset = Math.max(0, view.offset - view.limit);
    changed();
  });
  document.getElementById('next').addEventListener('click', () => {
    view.offset += view.limit;
    changed();
  });
}
