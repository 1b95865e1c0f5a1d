import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { CanaryError, ERROR_CODES, displayPath, formatProblemWithLine, type Problem } from '../errors.js';
import { setExtraSecretQueryParams } from '../secrets/query-params.js';
import { addBlackboxModules } from './blackbox/load.js';
import { interpolateDocument } from './env.js';
import { issuesToProblems } from './issues.js';
import { resolveModules } from './modules.js';
import { withDefaultModules } from './default-modules.js';
import { resolveCheck } from './resolve.js';
import { keepStrings } from './retype.js';
import { checkRules } from './rules.js';
import { agentConfigSchema, type ParsedAgentConfig } from './schema/agent.js';
import type { BrowserAgentOptions } from './schema/browser.js';
import { checkSchema, probeFileSchema } from './schema/check.js';
import type { CheckEntry, Config, ResolvedCheck, ResolvedModule } from './types.js';
import { formatPath, parseYaml, positionAt, yamlData, type YamlSource } from './yaml.js';

/** Where environment variables come from; tests pass their own. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadOptions {
  env?: Env;
  /**
   * A blackbox_exporter configuration file whose modules join the agent's (relative to the
   * working directory, as command-line paths are); wins over `blackboxConfig` in the file.
   */
  blackboxConfig?: string;
}

interface Loaded<T> {
  source?: YamlSource;
  data?: T;
  problems: Problem[];
  /** Why the file could not be read (an errno code), when it could not. */
  unreadable?: string;
}

/** Reads, parses, interpolates and validates one YAML file against a schema. */
async function loadFile<S extends typeof agentConfigSchema | typeof probeFileSchema>(
  file: string,
  schema: S,
  env: Env,
): Promise<Loaded<ReturnType<S['parse']>> & { raw?: unknown }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return { problems: [{ file, line: 0, col: 0, path: '', message: `cannot read file: ${code}` }], unreadable: code };
  }
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) return { source, problems };
  problems.push(...interpolateDocument(source, env));
  const data = yamlData(source, {});
  if (data.problems.length > 0) return { source, problems: [...problems, ...data.problems] };
  const raw = data.value;
  const parsed = keepStrings(source, raw, (r) => schema.safeParse(r));
  if (!parsed.success) problems.push(...issuesToProblems(source, raw, parsed.error.issues, [], schema));
  return { source, raw, data: parsed.success ? (parsed.data as ReturnType<S['parse']>) : undefined, problems };
}

/**
 * Expands `probes.files` globs relative to the config file; a pattern matching nothing is a
 * problem. `named` tells, per file, which entry of `probes.files` named it first.
 */
async function expandProbeFiles(
  source: YamlSource,
  patterns: readonly (string | undefined)[],
): Promise<{ files: string[]; named: Map<string, number>; problems: Problem[] }> {
  const base = dirname(source.file);
  const files: string[] = [];
  const named = new Map<string, number>();
  const problems: Problem[] = [];
  for (const [i, pattern] of patterns.entries()) {
    if (pattern === undefined) continue;
    const matched = isDynamicPattern(pattern)
      ? (await glob(pattern, { cwd: base, absolute: true, onlyFiles: true })).sort()
      : [resolve(base, pattern)];
    if (matched.length === 0) {
      const at = ['probes', 'files', i];
      problems.push({
        file: source.file,
        ...positionAt(source, at),
        path: formatPath(at),
        message: `pattern "${pattern}" matched no files`,
      });
    }
    for (const file of matched) {
      if (files.includes(file)) continue;
      files.push(file);
      named.set(file, i);
    }
  }
  return { files, named, problems };
}

/**
 * A probe file that cannot be read (a name written wrongly, a directory, no permission) is
 * reported where `probes.files` names it, as a missing `tls.ca` is: the fix is in that line.
 */
function unreadableAt(source: YamlSource, index: number, file: string, code: string): Problem {
  const at = ['probes', 'files', index];
  const name = relative(dirname(source.file), file);
  return {
    file: source.file,
    ...positionAt(source, at),
    path: formatPath(at),
    message: `cannot read ${name}: ${code}`,
  };
}

/** Loads every probe file `probes.files` names: the files, their valid checks, every problem. */
async function loadProbeFiles(
  source: YamlSource,
  patterns: readonly (string | undefined)[],
  env: Env,
): Promise<{ files: string[]; entries: CheckEntry[]; problems: Problem[] }> {
  const { files, named, problems } = await expandProbeFiles(source, patterns);
  const entries: CheckEntry[] = [];
  for (const file of files) {
    const loaded = await loadFile(file, probeFileSchema, env);
    if (loaded.unreadable === undefined) problems.push(...loaded.problems);
    else problems.push(unreadableAt(source, named.get(file) ?? 0, file, loaded.unreadable));
    if (loaded.source) entries.push(...validChecks(loaded.source, loaded.raw));
  }
  return { files, entries, problems };
}

/**
 * The checks of a file that are valid on their own. Cross-check rules (unique names,
 * timeouts) run on these even when a sibling check or another key of the file is invalid,
 * so one run of `canary validate` reports everything.
 */
function validChecks(source: YamlSource, raw: unknown): CheckEntry[] {
  const list = (raw as { checks?: unknown } | undefined)?.checks;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown, i) => {
    const parsed = checkSchema.safeParse(item);
    return parsed.success ? [{ check: parsed.data, source, path: ['checks', i] }] : [];
  });
}

/**
 * The raw `probes.files`, used when the rest of the agent file is invalid so probe files are
 * still checked; an entry that is not a string stays as a gap, so the others keep their index.
 */
function rawProbeFiles(raw: unknown): (string | undefined)[] {
  const files = (raw as { probes?: { files?: unknown } } | undefined)?.probes?.files;
  return Array.isArray(files) ? files.map((f) => (typeof f === 'string' && f !== '' ? f : undefined)) : [];
}

/**
 * Loads the agent configuration and every probe file it names. Every problem in every
 * file is collected and thrown at once as a CanaryError (code CANARY_ERR_CONFIG) whose
 * message lists them as `FILE:LINE:COL: key.path: message`.
 */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const file = resolve(path);
  const agent = await loadFile(file, agentConfigSchema, env);
  const problems = [...agent.problems];
  const parsed: ParsedAgentConfig = agent.data ?? agentConfigSchema.parse({});
  const entries: CheckEntry[] = [];
  if (agent.source) entries.push(...validChecks(agent.source, agent.raw));
  let probeFiles: string[] = [];
  if (agent.source) {
    const loaded = await loadProbeFiles(agent.source, agent.data?.probes.files ?? rawProbeFiles(agent.raw), env);
    probeFiles = loaded.files;
    entries.push(...loaded.entries);
    problems.push(...loaded.problems);
  }
  const defaults = parsed.probes.defaults;
  problems.push(...checkRules(entries, defaults));
  const checks: ResolvedCheck[] = [];
  for (const entry of entries) {
    const resolved = resolveCheck(entry, defaults);
    checks.push(resolved.check);
    problems.push(...resolved.problems);
  }
  let modules: Record<string, ResolvedModule> = {};
  if (agent.source) {
    const resolved = resolveModules(agent.source, agent.raw, defaults);
    modules = resolved.modules;
    problems.push(...resolved.problems);
  }
  const blackboxConfig = blackboxFile(file, options.blackboxConfig, parsed.blackboxConfig);
  const blackbox = await addBlackboxModules(blackboxConfig, modules, defaults);
  problems.push(...blackbox.problems);
  if (problems.length > 0) throw configError(problems);
  setExtraSecretQueryParams(parsed.redact.queryParams);
  const chaos = { ...parsed.chaos, stateDir: resolve(dirname(file), parsed.chaos.stateDir) };
  const { webConfig } = parsed.server;
  const server = {
    ...parsed.server,
    webConfig: webConfig === undefined ? undefined : resolve(dirname(file), webConfig),
  };
  return deepFreeze({
    ...parsed,
    file,
    server,
    probes: {
      ...parsed.probes,
      files: probeFiles,
      filePatterns: parsed.probes.files,
      browser: browserOptions(parsed.probes.browser, file, chaos.stateDir),
    },
    checks,
    modules: withDefaultModules(blackbox.modules, blackbox.refusals, defaults),
    moduleRefusals: blackbox.refusals,
    blackboxConfig,
    warnings: sortProblems(blackbox.warnings),
    chaos,
  });
}

/** The blackbox file: the flag's (relative to the working directory) or the config's (relative to it). */
function blackboxFile(configFile: string, flag: string | undefined, written: string | undefined): string | undefined {
  if (flag !== undefined) return resolve(flag);
  return written === undefined ? undefined : resolve(dirname(configFile), written);
}

/** `probes.browser` with its screenshot directory absolute: as written, or `screenshots` in the chaos state dir. */
function browserOptions(options: BrowserAgentOptions, file: string, stateDir: string): BrowserAgentOptions {
  const dir = options.screenshots.dir;
  return {
    ...options,
    screenshots: {
      ...options.screenshots,
      dir: dir === undefined ? join(stateDir, 'screenshots') : resolve(dirname(file), dir),
    },
  };
}

/** Problems in reading order: by file shown relative to the working directory, line, column. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return problems
    .map((p) => ({ ...p, file: displayPath(p.file) }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

export function configError(problems: Problem[]): CanaryError {
  const sorted = sortProblems(problems);
  const noun = sorted.length === 1 ? 'problem' : 'problems';
  const message = `invalid configuration (${sorted.length} ${noun}):\n${sorted.map(formatProblemWithLine).join('\n')}`;
  return new CanaryError(ERROR_CODES.config, message, { problems: sorted });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
