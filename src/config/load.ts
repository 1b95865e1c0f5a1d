import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { CanaryError, ERROR_CODES, displayPath, formatProblem, type Problem } from '../errors.js';
import { interpolateDocument } from './env.js';
import { issuesToProblems } from './issues.js';
import { resolveModules } from './modules.js';
import { resolveCheck } from './resolve.js';
import { checkRules } from './rules.js';
import { agentConfigSchema, type ParsedAgentConfig } from './schema/agent.js';
import { checkSchema, probeFileSchema } from './schema/check.js';
import type { CheckEntry, Config, ResolvedCheck, ResolvedModule } from './types.js';
import { formatPath, parseYaml, positionAt, yamlData, type YamlSource } from './yaml.js';

/** Where environment variables come from; tests pass their own. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadOptions {
  env?: Env;
}

interface Loaded<T> {
  source?: YamlSource;
  data?: T;
  problems: Problem[];
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
    return { problems: [{ file, line: 0, col: 0, path: '', message: `cannot read file: ${code}` }] };
  }
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) return { source, problems };
  problems.push(...interpolateDocument(source, env));
  const data = yamlData(source, {});
  if (data.problems.length > 0) return { source, problems: [...problems, ...data.problems] };
  const raw = data.value;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) problems.push(...issuesToProblems(source, raw, parsed.error.issues));
  return { source, raw, data: parsed.success ? (parsed.data as ReturnType<S['parse']>) : undefined, problems };
}

/** Expands `probes.files` globs relative to the config file; a pattern matching nothing is a problem. */
async function expandProbeFiles(
  source: YamlSource,
  patterns: readonly string[],
): Promise<{ files: string[]; problems: Problem[] }> {
  const base = dirname(source.file);
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const [i, pattern] of patterns.entries()) {
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
    for (const file of matched) if (!files.includes(file)) files.push(file);
  }
  return { files, problems };
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

/** The raw `probes.files`, used when the rest of the agent file is invalid so probe files are still checked. */
function rawProbeFiles(raw: unknown): string[] {
  const files = (raw as { probes?: { files?: unknown } } | undefined)?.probes?.files;
  return Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : [];
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
    const expanded = await expandProbeFiles(agent.source, agent.data?.probes.files ?? rawProbeFiles(agent.raw));
    probeFiles = expanded.files;
    problems.push(...expanded.problems);
  }
  for (const probeFile of probeFiles) {
    const loaded = await loadFile(probeFile, probeFileSchema, env);
    problems.push(...loaded.problems);
    if (loaded.source) entries.push(...validChecks(loaded.source, loaded.raw));
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
  if (problems.length > 0) throw configError(problems);
  const chaos = { ...parsed.chaos, stateDir: resolve(dirname(file), parsed.chaos.stateDir) };
  return deepFreeze({
    ...parsed,
    file,
    probes: { ...parsed.probes, files: probeFiles, filePatterns: parsed.probes.files },
    checks,
    modules,
    chaos,
  });
}

export function configError(problems: Problem[]): CanaryError {
  const sorted = problems
    .map((p) => ({ ...p, file: displayPath(p.file) }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  const noun = sorted.length === 1 ? 'problem' : 'problems';
  const message = `invalid configuration (${sorted.length} ${noun}):\n${sorted.map(formatProblem).join('\n')}`;
  return new CanaryError(ERROR_CODES.config, message, { problems: sorted });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
