// Small inline SVG charts: the recent-runs sparkline and a run's phase bar. Fixed sizes,
// so redrawing one never moves the table around it.
import { svg } from './format.js';

const SPARK_W = 120;
const SPARK_H = 22;
const SLOTS = 30;

/** Redraws `node` (an <svg>) as one bar per run, height by duration, failed runs red and full height. */
export function drawSpark(node, recent) {
  node.replaceChildren();
  const runs = recent ?? [];
  const max = Math.max(1, ...runs.map((r) => r.durationMs ?? 0));
  const slot = SPARK_W / SLOTS;
  runs.slice(-SLOTS).forEach((run, i) => {
    const h = run.ok ? Math.max(3, ((run.durationMs ?? 0) / max) * (SPARK_H - 2)) : SPARK_H;
    const x = (SLOTS - Math.min(runs.length, SLOTS) + i) * slot;
    node.append(
      svg('rect', {
        x: x.toFixed(1),
        y: (SPARK_H - h).toFixed(1),
        width: (slot - 1).toFixed(1),
        height: h.toFixed(1),
        class: run.ok ? 'ok' : 'fail',
      }),
    );
  });
  const failed = runs.filter((r) => !r.ok).length;
  node.setAttribute('aria-label', `${runs.length} recent runs, ${failed} failed`);
}

/** A fresh sparkline <svg>. */
export function sparkNode() {
  return svg('svg', {
    class: 'spark',
    viewBox: `0 0 ${SPARK_W} ${SPARK_H}`,
    width: SPARK_W,
    height: SPARK_H,
    role: 'img',
  });
}

export const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'];

/** A bar of a run's phases, scaled to `scaleMs` (the slowest run shown) over 200 units. */
export function phaseBar(phases, scaleMs) {
  const node = svg('svg', { class: 'phases', viewBox: '0 0 200 12', width: 200, height: 12, role: 'img' });
  let x = 0;
  const parts = [];
  for (const name of PHASES) {
    const value = phases?.[name];
    if (!value) continue;
    const w = (value / Math.max(scaleMs, 1)) * 200;
    node.append(
      svg('rect', { x: x.toFixed(2), y: 0, width: Math.max(w, 0.5).toFixed(2), height: 12, class: `ph-${name}` }),
    );
    x += w;
    parts.push(`${name} ${value.toFixed(1)} ms`);
  }
  node.setAttribute('aria-label', parts.length ? parts.join(', ') : 'no phases measured');
  return node;
}
