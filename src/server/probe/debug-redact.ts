/**
 * Keeps a module's secrets out of `debug=true`. Whoever may request `/probe` may ask for
 * debug output, so it must not carry what the module sends on their behalf: every header
 * value (an API key sits as well under `X-Tenant-Key` as under `Authorization`), the
 * request body, the lines and bytes a tcp conversation sends. They are removed by value wherever
 * they appear, in the log, the metrics and the module, not only under keys that look secret.
 */
import type { ResolvedCheck } from '../../config/types.js';

/** What a secret reads as in debug output. */
export const REDACTED = '<secret>';

/**
 * Values shorter than this are replaced only where the module shows them: replacing `1`
 * (`X-Debug: 1`) everywhere would garble every metric and tell nothing about the value.
 */
export const MIN_SCRUBBED_LENGTH = 4;

/** `Basic base64(user:password)`: the pair and the password; `Bearer T` and the like: the credential. */
function credentialParts(value: string): string[] {
  const [scheme, credential, ...rest] = value.trim().split(/\s+/);
  if (scheme === undefined || credential === undefined || rest.length > 0) return [];
  if (scheme.toLowerCase() !== 'basic') return [credential];
  const pair = Buffer.from(credential, 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  return colon < 0 ? [credential] : [credential, pair, pair.slice(colon + 1)];
}

/** Every value the check sends from its configuration that must stay secret. */
export function secretValues(check: ResolvedCheck): string[] {
  const values: string[] = [];
  if (check.kind === 'http') {
    for (const value of Object.values(check.http.headers)) values.push(value, ...credentialParts(value));
    if (check.http.body !== undefined) values.push(check.http.body);
  }
  const steps = check.kind === 'tcp' ? check.tcp.steps : check.kind === 'unix' ? check.unix.steps : [];
  for (const step of steps) {
    if (step.send !== undefined) values.push(step.send);
    if (step.sendBytes !== undefined) values.push(step.sendBytes);
  }
  return values;
}

/**
 * `text` with every occurrence of every secret (as written, and as escaped in a quoted
 * log or YAML value) replaced by {@link REDACTED}, longest first so a secret containing
 * another goes whole.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const forms = secrets.flatMap((secret) => [secret, secret.trim(), JSON.stringify(secret).slice(1, -1)]);
  const unique = [...new Set(forms)].filter((form) => form.length >= MIN_SCRUBBED_LENGTH);
  return unique.sort((a, b) => b.length - a.length).reduce((out, form) => out.split(form).join(REDACTED), text);
}

/** A conversation step with what it sends (`send`, `sendBytes`) replaced. */
function redactStep<S extends { send?: unknown; sendBytes?: string }>(step: S): S {
  const out = { ...step };
  if (step.send !== undefined) out.send = REDACTED;
  if (step.sendBytes !== undefined) out.sendBytes = REDACTED;
  return out;
}

/** The module's own fields with every secret field's value replaced, whatever its key. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out = { ...fields };
  const http = fields.http as { headers?: Record<string, string>; body?: string } | undefined;
  if (http !== undefined) {
    const headers = Object.fromEntries(Object.keys(http.headers ?? {}).map((name) => [name, REDACTED]));
    out.http = { ...http, headers, ...(http.body === undefined ? {} : { body: REDACTED }) };
  }
  for (const key of ['tcp', 'unix'] as const) {
    const talk = fields[key] as { steps?: { send?: unknown; sendBytes?: string }[] } | undefined;
    if (talk?.steps !== undefined) out[key] = { ...talk, steps: talk.steps.map(redactStep) };
  }
  return out;
}
