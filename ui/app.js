// The status page: polls the API every 2 s while the tab is visible, and routes
// `#/check/NAME` and `#/run/ID` to the side panel.
import { chaosPath, checkPath, checksPath, fleetPath, getJson, runPath } from './api.js';
import { renderChaos, renderRun } from './chaos.js';
import { createChecksTable, view } from './checks.js';
import { renderCheck } from './detail.js';
import { renderFleet } from './fleet.js';
import { el, setText } from './format.js';

const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);

let timer;
let generation = 0;
let checksAbort;
/** The row that opened the panel, focused again when it closes. */
let opener;

const table = createChecksTable({
  changed: () => void poll(),
  open: (name, row) => openPanel(`#/check/${encodeURIComponent(name)}`, row),
});

function route() {
  const match = /^#\/(check|run)\/(.+)$/.exec(location.hash);
  return match ? { kind: match[1], id: decodeURIComponent(match[2]) } : null;
}

async function loadChecks() {
  checksAbort?.abort();
  checksAbort = new AbortController();
  const page = await getJson(checksPath(view), checksAbort.signal);
  const agent = page.agent ?? {};
  setText($('agent'), [agent.region, agent.version && `v${agent.version}`].filter(Boolean).join(' · '));
  table.render(page);
}

/** The last chaos answer drawn and when: unchanged data is redrawn only now and then, for its relative times. */
let chaosDrawn = { json: '', at: 0 };

async function loadChaos() {
  const data = await getJson(chaosPath());
  const json = JSON.stringify(data);
  const body = $('chaos-body');
  // Redrawing would take the focus from a button there, and a redraw of the same data moves nothing.
  if (body.contains(document.activeElement)) return;
  if (json === chaosDrawn.json && Date.now() - chaosDrawn.at < 30_000) return;
  chaosDrawn = { json, at: Date.now() };
  body.replaceChildren(
    ...renderChaos(data, (id) => openPanel(`#/run/${encodeURIComponent(id)}`, document.activeElement)),
  );
}

/** The last fleet answer drawn, its time aside: an unchanged grid is not rebuilt. */
let fleetDrawn = '';

async function loadFleet() {
  const data = await getJson(fleetPath());
  $('fleet').hidden = !data.configured;
  const json = JSON.stringify({ ...data, generatedAt: undefined });
  if (!data.configured || json === fleetDrawn) return;
  fleetDrawn = json;
  $('fleet-body').replaceChildren(...renderFleet(data));
}

async function loadPanel() {
  const target = route();
  const panel = $('panel');
  if (!target) {
    panel.hidden = true;
    return;
  }
  const wasHidden = panel.hidden;
  // A refresh would take the focus from a link inside the panel: wait until it leaves.
  if (!wasHidden && $('panel-body').contains(document.activeElement)) return;
  setText($('panel-title'), target.kind === 'check' ? target.id : `Chaos run ${target.id}`);
  try {
    const data = await getJson(target.kind === 'check' ? checkPath(target.id) : runPath(target.id));
    // Closed or moved on while the answer was on its way.
    if (route()?.id !== target.id) return;
    $('panel-body').replaceChildren(...(target.kind === 'check' ? renderCheck(data) : renderRun(data)));
  } catch (error) {
    if (error.name === 'AbortError' || route()?.id !== target.id) return;
    $('panel-body').replaceChildren(el('p', { class: 'error', role: 'alert', text: error.message }));
  }
  panel.hidden = false;
  if (wasHidden) $('panel-title').focus();
}

/** A 4xx is the agent refusing what was asked (a filter), not the agent being away. */
function failureText(error) {
  if (error.status >= 400 && error.status < 500) return `The agent refused the request: ${error.message}`;
  return `Cannot reach the agent (${error.message}); retrying every ${POLL_MS / 1000} s`;
}

/** One round of requests; a newer round (a filter changed) supersedes it. */
async function poll() {
  clearTimeout(timer);
  const mine = ++generation;
  if (document.hidden) return;
  const results = await Promise.allSettled([loadChecks(), loadFleet(), loadChaos(), loadPanel()]);
  if (mine !== generation) return;
  const failed = results.find((r) => r.status === 'rejected' && r.reason?.name !== 'AbortError');
  const conn = $('connection');
  conn.classList.toggle('lost', Boolean(failed));
  setText(
    conn,
    failed ? failureText(failed.reason) : `Live · updated ${new Date().toLocaleTimeString([], { hour12: false })}`,
  );
  timer = setTimeout(() => void poll(), POLL_MS);
}

function openPanel(hash, from) {
  opener = from;
  if (location.hash === hash) void loadPanel();
  else location.hash = hash;
}

function closePanel() {
  if ($('panel').hidden) return;
  $('panel').hidden = true;
  history.replaceState(null, '', location.pathname + location.search);
  const name = opener?.dataset?.name;
  const row = name ? document.querySelector(`#rows tr[data-name="${CSS.escape(name)}"]`) : opener;
  (row && document.contains(row) ? row : $('checks')).focus?.();
}

window.addEventListener('hashchange', () => void loadPanel());
$('panel-close').addEventListener('click', closePanel);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closePanel();
});
// A hidden wall-screen tab costs the agent nothing; it catches up as soon as it is seen.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) clearTimeout(timer);
  else void poll();
});
void poll();
