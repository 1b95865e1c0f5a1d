/**
 * The log of one `/probe` request, kept for `debug=true` (blackbox's "Logs for the
 * probe") and mirrored to the agent's logger at debug level.
 */
import { stringify } from 'yaml';
import type { ResolvedModule } from '../../config/types.js';
import { formatDuration } from '../../config/units.js';
import type { Logger } from '../../log.js';
import { redactUrl } from '../../net/redact-url.js';
import { REDACTED, redactFields, scrubSecrets, secretValues } from './debug-redact.js';

type Fields = Record<string, string | number | boolean | undefined>;

/** logfmt value: bare when it can be, else quoted with `"` and `\` escaped. */
function logfmtValue(value: string | number | boolean): string {
  const text = String(value);
  if (text !== '' && !/[\s"=\\]/.test(text)) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * The target as the log shows it: a URL's user, password and secret query values read
 * `REDACTED`, as everywhere a target is shown. Blackbox reads `user:pass@host/path` without
 * a scheme as http, so such a target is redacted as one and shown without the scheme again.
 */
function shownTarget(target: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return redactUrl(target);
  const shown = redactUrl(`http://${target}`);
  return shown.startsWith('http://') ? shown.slice('http://'.length) : target;
}

/** Log lines of one probe, in logfmt, as blackbox writes them. */
export class ScrapeLog {
  readonly #lines: string[] = [];
  readonly #logger: Logger;
  readonly #context: { module: string; target: string };

  constructor(logger: Logger, module: string, target: string) {
    this.#context = { module, target: shownTarget(target) };
    this.#logger = logger;
  }

  info(msg: string, fields: Fields = {}): void {
    this.#write('info', msg, fields);
  }

  error(msg: string, fields: Fields = {}): void {
    this.#write('error', msg, fields);
  }

  /** Every line so far, newline-terminated. */
  text(): string {
    return this.#lines.map((line) => `${line}\n`).join('');
  }

  #write(level: 'info' | 'error', msg: string, fields: Fields): void {
    const all: Fields = { ts: new Date().toISOString(), ...this.#context, level, msg, ...fields };
    const pairs = Object.entries(all).flatMap(([key, value]) =>
      value === undefined ? [] : [`${key}=${logfmtValue(value)}`],
    );
    this.#lines.push(pairs.join(' '));
    this.#logger.debug({ ...this.#context, ...fields }, `probe: ${msg}`);
  }
}

/** Keys whose values never appear in debug output, beyond the secret fields {@link redactFields} knows. */
const SECRET_KEY = /authorization|cookie|token|password|secret|api[-_]?key/i;

function redact(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && SECRET_KEY.test(key)) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  }
  return value;
}

/**
 * The module as YAML, in the shape it is written in (`prober`, `timeout`, then the kind's
 * own keys, defaults applied: sizes in bytes, durations in ms), every header value, body
 * and tcp `send` redacted, and any other value under a key that names a secret.
 */
export function moduleText(module: ResolvedModule): string {
  const {
    name: _name,
    target: _target,
    kind: _kind,
    schedule: _schedule,
    timeoutMs: _timeout,
    retries: _retries,
    source: _source,
    labels: _labels,
    enabled: _enabled,
    ...fields
  } = module.check;
  const timeout = module.timeoutMs === undefined ? {} : { timeout: formatDuration(module.timeoutMs) };
  // A dns module's query name is its check's target; show it where it was written.
  const dns = module.check.kind === 'dns' ? { dns: { queryName: module.check.target, ...module.check.dns } } : {};
  return stringify(redact(redactFields({ prober: module.prober, ...timeout, ...fields, ...dns })));
}

/**
 * The `debug=true` answer, laid out as blackbox_exporter lays it out, with the module's
 * secret values removed wherever they appear.
 */
export function debugText(log: ScrapeLog, metrics: string, module: ResolvedModule): string {
  const text = [
    'Logs for the probe:\n',
    log.text(),
    '\n\n\nMetrics that would have been returned:\n',
    metrics,
    '\n\n\nModule configuration:\n',
    moduleText(module),
  ].join('');
  return scrubSecrets(text, secretValues(module.check));
}
