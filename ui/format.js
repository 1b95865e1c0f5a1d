// Formatting and DOM helpers shared by the page's modules. The page builds every node with
// textContent, never innerHTML: check names, reasons and labels come from config and
// targets, and must not become markup.

/** Each state's icon and words: the state is read from text and shape, not from colour alone. */
export const STATES = {
  down: { icon: '✕', text: 'down' },
  flapping: { icon: '≈', text: 'flapping' },
  pending: { icon: '…', text: 'pending' },
  up: { icon: '✓', text: 'up' },
  disabled: { icon: '–', text: 'disabled' },
};

/** An element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** An SVG element with attributes. */
export function svg(tag, attrs = {}) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/** Sets text only when it changed, so a poll that changes nothing touches nothing. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** `3 s ago`, `5 min ago`, `2 h ago`, `4 d ago`; `never` for null. */
export function ago(iso, now = Date.now()) {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** A duration in milliseconds, `—` when unknown. */
export function ms(value) {
  if (value === null || value === undefined) return '—';
  if (value >= 10000) return `${(value / 1000).toFixed(1)} s`;
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
}

/** A ratio as a percentage, `—` when unknown. */
export function pct(ratio) {
  if (ratio === null || ratio === undefined) return '—';
  const value = ratio * 100;
  return value === 100 || value === 0 ? `${value} %` : `${value.toFixed(value >= 99 ? 2 : 1)} %`;
}

/** `team=sre env=prod`. */
export function labelText(labels) {
  return Object.entries(labels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/** A local time with seconds, for run lists. */
export function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '—';
}
