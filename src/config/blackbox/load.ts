/**
 * Loads blackbox_exporter's configuration file as canary `/probe` modules: read, translate
 * (translate.ts), check with canary's module schema (validate.ts), resolve like the agent
 * file's own modules. Paths in the file are relative to it.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Problem } from '../../errors.js';
import { registerSecret } from '../../secrets/registry.js';
import { resolveModule } from '../modules.js';
import type { CheckDefaults } from '../resolve.js';
import type { ResolvedModule } from '../types.js';
import { formatPath, parseYaml, positionAt, yamlData, type YamlSource } from '../yaml.js';
import { Report } from './reader.js';
import { translateBlackbox, type TranslatedModule } from './translate.js';
import { checkTranslated } from './validate.js';

/** The modules of a blackbox file; `refusals` names those canary cannot probe, and why. */
export interface BlackboxModules {
  modules: Record<string, ResolvedModule>;
  refusals: Record<string, string>;
  problems: Problem[];
  warnings: Problem[];
}

/** Keys whose values are credentials: registered so no log, span or output shows them. */
const SECRET_KEYS = new Set(['password', 'token', 'clientSecret', 'Authorization', 'Proxy-Authorization']);
/** Keys naming files, made absolute against the blackbox file's folder. */
const FILE_KEYS = new Set(['passwordFile', 'tokenFile', 'clientSecretFile']);

function settle(value: unknown, base: string): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (typeof inner === 'string' && SECRET_KEYS.has(key) && inner !== '') registerSecret(inner);
    if (typeof inner === 'string' && FILE_KEYS.has(key) && !isAbsolute(inner)) {
      (value as Record<string, unknown>)[key] = resolve(base, inner);
    }
    settle(inner, base);
  }
}

/** A resolve problem (an unreadable tls.ca) moved from the canary path to the blackbox field. */
function placed(source: YamlSource, module: TranslatedModule, problem: Problem): Problem {
  const prefix = `modules.${module.name}.`;
  const key = problem.path.startsWith(prefix) ? problem.path.slice(prefix.length) : '';
  const from = module.origins.get(key) ?? ['modules', module.name];
  return { ...problem, ...positionAt(source, from), path: formatPath(from) };
}

function unreadable(file: string, err: unknown): Problem {
  const code = (err as NodeJS.ErrnoException).code ?? String(err);
  return { file, line: 0, col: 0, path: '', message: `cannot read file: ${code}` };
}

/**
 * Reads and translates the blackbox file at `file` (absolute). A module named like one of
 * `taken` (the agent file's) is a problem at its name: `module=` must name one module.
 */
export async function loadBlackboxModules(
  file: string,
  defaults: CheckDefaults,
  taken: ReadonlySet<string> = new Set(),
): Promise<BlackboxModules> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { modules: {}, refusals: {}, problems: [unreadable(file, err)], warnings: [] };
  }
  return blackboxModulesFromText(file, text, defaults, taken);
}

/** loadBlackboxModules on text already read: `file` names it in problems and anchors its relative paths. */
export function blackboxModulesFromText(
  file: string,
  text: string,
  defaults: CheckDefaults,
  taken: ReadonlySet<string> = new Set(),
): BlackboxModules {
  const out: BlackboxModules = { modules: {}, refusals: {}, problems: [], warnings: [] };
  const { source, problems } = parseYaml(file, text);
  const data = problems.length > 0 ? { value: undefined, problems } : yamlData(source, {});
  if (data.problems.length > 0) return { ...out, problems: data.problems };
  const base = dirname(file);
  const translation = translateBlackbox(source, data.value, {
    readText: (path) => readFileSync(resolve(base, path), 'utf8'),
  });
  if (translation.problems.length > 0)
    return { ...out, problems: translation.problems, warnings: translation.warnings };
  const report = new Report(source);
  for (const module of translation.modules) {
    if (taken.has(module.name)) {
      const at = ['modules', module.name];
      const message = `module ${module.name} is also defined under modules: of the agent config; rename one`;
      out.problems.push({ file, ...positionAt(source, at, true), path: formatPath(at), message });
    }
    settle(module.module, base);
    const parsed = checkTranslated(module, report);
    if (parsed === undefined) {
      out.refusals[module.name] = `canary cannot honour ${module.unsupported.join('; ')}`;
      continue;
    }
    const resolved = resolveModule(source, ['modules', module.name], module.name, parsed, defaults);
    if (resolved.problems.length > 0) {
      // blackbox reads certificate files when it probes, so a missing one fails that module
      // only: the file still loads, the field is named, and probing the module says why.
      const unreadable = resolved.problems.map((p) => placed(source, module, p));
      out.warnings.push(...unreadable);
      out.refusals[module.name] = unreadable.map((p) => `${p.path}: ${p.message}`).join('; ');
      continue;
    }
    out.modules[module.name] = resolved.module;
  }
  out.warnings.push(...translation.warnings, ...report.warnings);
  return out;
}

/**
 * The agent's own modules with the blackbox file's beside them. A name in both is a
 * problem at the blackbox module: `module=` must name one module.
 */
export async function addBlackboxModules(
  file: string | undefined,
  own: Record<string, ResolvedModule>,
  defaults: CheckDefaults,
): Promise<BlackboxModules> {
  if (file === undefined) return { modules: own, refusals: {}, problems: [], warnings: [] };
  const loaded = await loadBlackboxModules(file, defaults, new Set(Object.keys(own)));
  return { ...loaded, modules: { ...own, ...loaded.modules } };
}
