/**
 * `{instance}`, `{url}`, `{pidFile}`, `{pid}` and `{var.NAME}` in the strings of an action
 * step, resolved for one instance. A placeholder that cannot be resolved is an error, never
 * an empty string: `curl {url}/drain` with no url must not become `curl /drain`.
 */
import { CanaryError, ERROR_CODES } from '../../errors.js';
import type { Instance } from '../model/target.js';
import { readPidFile } from './pid.js';

/**
 * `{{` (a literal `{`) or `{NAME}`. Only identifier-like names are placeholders, so JSON in
 * an HTTP body (`{}`, `{"drain": true}`) needs no escaping, while a misspelt `{instnace}`
 * still matches and is refused as unknown.
 */
const PATTERN = /\{\{|\{([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_.-]+)?)\}/g;

const KNOWN = '{instance}, {url}, {pidFile}, {pid}, {var.NAME}';

/** Turns a template into its text for one instance. */
export type Expand = (template: string) => string;

/** Where the placeholders are resolved, for error messages. */
export interface PlaceholderScope {
  /** Step id, e.g. `method[0]`. */
  step: string;
  /** The instance, or undefined for a step without a target. */
  instance: Instance | undefined;
  /** Values known to the step itself, e.g. `{signal}` of a kill through a target driver. */
  extra?: Readonly<Record<string, string>>;
}

/** The placeholder names used in `templates`, `{{` escapes left out. */
export function placeholderNames(templates: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const template of templates) {
    for (const match of template.matchAll(PATTERN)) if (match[1] !== undefined) names.add(match[1]);
  }
  return names;
}

/**
 * Resolves every placeholder in `templates` now (reading the pid file once when `{pid}` is
 * used) and returns the function that expands them. Resolving up front means a step whose
 * revert has an unresolvable placeholder fails before its fault is applied.
 *
 * @throws CanaryError `CANARY_ERR_CONFIG` naming the step, the instance and the placeholder.
 */
export async function prepareExpand(scope: PlaceholderScope, templates: readonly string[]): Promise<Expand> {
  const values = new Map<string, string>();
  for (const name of placeholderNames(templates)) values.set(name, await valueOf(scope, name));
  return (template) =>
    template.replace(PATTERN, (match, name: string | undefined) => {
      if (name === undefined) return '{';
      const value = values.get(name);
      if (value === undefined) throw placeholderError(scope, name, 'was not resolved before expansion');
      return value;
    });
}

async function valueOf(scope: PlaceholderScope, name: string): Promise<string> {
  const { instance } = scope;
  if (scope.extra !== undefined && Object.hasOwn(scope.extra, name)) return scope.extra[name] as string;
  if (instance === undefined) throw placeholderError(scope, name, 'needs an instance, but the step has no target');
  const missing = (what: string): CanaryError =>
    placeholderError(scope, name, `instance "${instance.name}" has no ${what}`);
  if (name === 'instance') return instance.name;
  if (name === 'url') {
    if (instance.url === undefined) throw missing('url');
    return instance.url;
  }
  if (name === 'pidFile' || name === 'pid') {
    if (instance.pidFile === undefined) throw missing('pidFile');
    if (name === 'pidFile') return instance.pidFile;
    const read = await readPidFile(instance.pidFile);
    if (!read.ok) throw placeholderError(scope, name, read.error);
    return String(read.pid);
  }
  if (name.startsWith('var.')) {
    const key = name.slice('var.'.length);
    const value = Object.hasOwn(instance.vars, key) ? instance.vars[key] : undefined;
    if (value === undefined) throw missing(`var "${key}"`);
    return value;
  }
  throw placeholderError(scope, name, `unknown placeholder (known: ${KNOWN}; write {{ for a literal {)`);
}

function placeholderError(scope: PlaceholderScope, name: string, why: string): CanaryError {
  const where = scope.instance === undefined ? scope.step : `${scope.step}, instance "${scope.instance.name}"`;
  return new CanaryError(ERROR_CODES.config, `${where}: placeholder {${name}}: ${why}`);
}
