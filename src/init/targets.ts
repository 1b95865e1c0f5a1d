/**
 * Checks for `canary init --target URL`: one http check per URL, named after its host and
 * path. A password or a secret query value typed on the command line is not written into
 * the file: it becomes a `${VAR}` reference the user sets in the environment, as
 * docs/configuration.md ("Secrets") asks of every credential in a config file.
 */
import { escapeDollars, type GeneratedCheck } from '../discovery/openapi/index.js';
import { usageError } from '../errors.js';
import { redactUrl } from '../net/redact-url.js';
import { isSecretQueryParam } from '../secrets/query-params.js';

/** A check as `canary init` writes it: the shape discovery writes in probe files. */
export type InitCheck = GeneratedCheck;

/** A `${VAR}` the written file reads, and what it stands for. */
export interface SecretVariable {
  name: string;
  /** `password of --target https://bob:REDACTED@host/`: where the value came from, never the value. */
  from: string;
}

/** Check names the schema accepts: letters, digits and `_ . : -`, starting with a letter or digit. */
export function targetCheckName(url: URL): string {
  const path = url.pathname.replace(/\/+$/, '');
  const name = `${url.host}${path}`
    .replace(/[^A-Za-z0-9_.:-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
  return (name === '' ? 'target' : name).slice(0, 120);
}

/** `api.example.com/health` + `password` -> `CANARY_API_EXAMPLE_COM_HEALTH_PASSWORD`. */
function variableName(check: string, what: string): string {
  return `CANARY_${check}_${what}`
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/_+$/, '');
}

/** The query with each secret value replaced by a `${VAR}`; the other pairs stay as typed. */
function query(search: string, check: string, shown: string, vars: SecretVariable[]): string {
  if (search === '') return '';
  const pairs = search
    .slice(1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name: string;
      try {
        name = decodeURIComponent(rawName.replaceAll('+', ' '));
      } catch {
        name = rawName;
      }
      if (eq < 0 || !isSecretQueryParam(name)) return escapeDollars(pair);
      const variable = variableName(check, name);
      vars.push({ name: variable, from: `query parameter ${name} of --target ${shown}` });
      return `${escapeDollars(rawName)}=\${${variable}}`;
    });
  return `?${pairs.join('&')}`;
}

/**
 * The check for one `--target`: `url` already has its scheme. Only http(s) URLs are
 * accepted; other kinds need keys a one-line flag cannot say well (docs/probes.md).
 */
export function targetCheck(target: string, vars: SecretVariable[]): InitCheck {
  const shown = redactUrl(target);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw usageError(`--target ${shown}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`--target ${shown}: must be an http:// or https:// URL (other kinds: docs/probes.md)`);
  const name = targetCheckName(url);
  let userinfo = '';
  if (url.username !== '' || url.password !== '') {
    userinfo = escapeDollars(url.username);
    if (url.password !== '') {
      const variable = variableName(name, 'password');
      vars.push({ name: variable, from: `password of --target ${shown}` });
      userinfo += `:\${${variable}}`;
    }
    userinfo += '@';
  }
  const rest = escapeDollars(`${url.host}${url.pathname}`);
  const written = `${url.protocol}//${userinfo}${rest}${query(url.search, name, shown, vars)}${escapeDollars(url.hash)}`;
  return { name, kind: 'http', target: written, expect: { status: ['2xx'] } };
}
