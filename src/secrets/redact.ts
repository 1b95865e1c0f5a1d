/**
 * Replacing known secret values (registry.ts) in what is shown or stored. Text shown to
 * people (logs, spans, CLI output, error messages) gets {@link REDACTED_VALUE}; records
 * kept on disk (journal, audit) get a marker with a short hash, so two runs can be told
 * apart by their secret and recovery can put the value back (reveal.ts).
 */
import { createHash } from 'node:crypto';
import { MIN_SECRET_LENGTH, secretValues } from './registry.js';

/** What a secret value becomes in text shown to people. */
export const REDACTED_VALUE = '<redacted>';

/** `sha256:` and the first 16 hex digits of the value's SHA-256: enough to tell secrets apart, not to recover one. */
export function secretHash(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
}

/** What a secret value becomes in the journal and the audit log. */
export function secretMarker(value: string): string {
  return `<secret ${secretHash(value)}>`;
}

/** A secret as it appears inside a JSON string (quotes and backslashes escaped), when that differs. */
function jsonForm(secret: string): string {
  return JSON.stringify(secret).slice(1, -1);
}

/**
 * Where text was cut short: what precedes it may be the head of a secret (assertions/format.ts
 * cuts quoted values), what follows it a tail (chaos/actions/tail.ts keeps the end of output).
 */
const CUT = '…';

/**
 * `text` with the parts of `form` replaced where a cut fell inside it: a value shown cut
 * short can end halfway through a secret, a kept tail of output can start halfway through
 * one, and half a token is still too much of one. Parts shorter than the shortest secret
 * are left, as they could be any text.
 */
function replaceCutParts(text: string, form: string, marker: string): string {
  let out = text;
  for (let length = form.length - 1; length >= MIN_SECRET_LENGTH; length--) {
    const head = `${form.slice(0, length)}${CUT}`;
    if (out.includes(head)) out = out.replaceAll(head, `${marker}${CUT}`);
    const tail = `${CUT}${form.slice(-length)}`;
    if (out.includes(tail)) out = out.replaceAll(tail, `${CUT}${marker}`);
  }
  return out;
}

/** `text` with each of `secrets` (longest first), raw, JSON-escaped or cut short, mapped by `replacement`. */
function replaceIn(text: string, secrets: readonly string[], replacement: (secret: string) => string): string {
  let out = text;
  for (const secret of secrets) {
    const escaped = jsonForm(secret);
    for (const form of escaped === secret ? [secret] : [secret, escaped]) {
      if (out.includes(form)) out = out.replaceAll(form, replacement(secret));
      if (out.includes(CUT)) out = replaceCutParts(out, form, replacement(secret));
    }
  }
  return out;
}

function replaceAll(text: string, replacement: (secret: string) => string): string {
  return replaceIn(text, secretValues(), replacement);
}

/** `text` with every known secret (raw, JSON-escaped or cut short) replaced by `<redacted>`. */
export function redactText(text: string): string {
  return secretValues().length === 0 ? text : replaceAll(text, () => REDACTED_VALUE);
}

/** A copy of `value` whose strings (keys included) are mapped by `map`; other values kept. */
export function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => mapStrings(item, map)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[map(key)] = mapStrings(item, map);
  return out as T;
}

/** A copy of `value` with every known secret replaced by `<redacted>`: for JSON output. */
export function redactDeep<T>(value: T): T {
  return secretValues().length === 0 ? value : mapStrings(value, redactText);
}

/** A copy of `value` with every known secret replaced by its hash marker: for the journal and the audit log. */
export function hashSecretsDeep<T>(value: T): T {
  return secretValues().length === 0 ? value : mapStrings(value, (text) => replaceAll(text, secretMarker));
}

/**
 * A copy of `value` with each of `secrets` (raw, JSON-escaped or cut short) replaced by
 * `<redacted>`. For values only one piece of work knows, such as the tokens a flow check
 * extracts: a new one every run would make the process-wide registry grow without end.
 * Values shorter than a registrable secret are left, as the registry would leave them.
 */
export function redactValuesDeep<T>(value: T, secrets: Iterable<string>): T {
  const list = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  return list.length === 0 ? value : mapStrings(value, (text) => replaceIn(text, list, () => REDACTED_VALUE));
}
