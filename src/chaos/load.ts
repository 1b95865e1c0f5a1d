/**
 * Loads chaos experiment files (`chaos/*.yaml`): YAML with positions, `${VAR}`
 * interpolation, the zod schema, pid file globs, and the cross references to the agent
 * config. Every problem of every file is reported at once, as for the agent config.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { displayPath, type Problem } from '../errors.js';
import { interpolateDocument } from '../config/env.js';
import { keepStrings } from '../config/retype.js';
import { issuesToProblems } from '../config/issues.js';
import { configError, type Env } from '../config/load.js';
import type { Config } from '../config/types.js';
import { formatPath, parseYaml, positionAt, yamlData, type YamlSource } from '../config/yaml.js';
import { experimentSchema, type ParsedExperiment } from './schema.js';
import { tidyIssues } from './schema/issues.js';
import { checkReferences } from './schema/references.js';
import { resolveTargets } from './schema/resolve.js';
import type { Experiment } from './model/experiment.js';

/** Options of {@link loadExperiment} and {@link loadExperiments}. */
export interface ExperimentLoadOptions {
  /** Where `${VAR}` values come from; default `process.env`. */
  env?: Env;
}

interface LoadedExperiment {
  experiment?: Experiment;
  /** Where `name:` is written, for duplicate-name messages. */
  nameAt?: { line: number; col: number };
  problems: Problem[];
  /** Why the file could not be read (an errno code), when it could not. */
  unreadable?: string;
}

function parse(source: YamlSource, raw: unknown): { data?: ParsedExperiment; problems: Problem[] } {
  const parsed = keepStrings(source, raw, (r) => experimentSchema.safeParse(r));
  if (parsed.success) return { data: parsed.data, problems: [] };
  return { problems: issuesToProblems(source, raw, tidyIssues(parsed.error.issues, raw), [], experimentSchema) };
}

/** Reads and validates one experiment file; problems are returned, never thrown. */
async function loadOne(path: string, config: Config, env: Env): Promise<LoadedExperiment> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return { problems: [{ file, line: 0, col: 0, path: '', message: `cannot read file: ${code}` }], unreadable: code };
  }
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) return { problems };
  problems.push(...interpolateDocument(source, env));
  const data = yamlData(source, {});
  if (data.problems.length > 0) return { problems: [...problems, ...data.problems] };
  const parsed = parse(source, data.value);
  // A value whose variable is unset is reported once, as that, not again as malformed.
  const unset = new Set(problems.map((p) => p.path));
  problems.push(...parsed.problems.filter((p) => !unset.has(p.path)));
  if (parsed.data === undefined) return { problems };
  const { targets, fromPidFiles, problems: targetProblems } = await resolveTargets(parsed.data.targets, source);
  const named = parsed.data.config === undefined ? {} : { config: resolve(dirname(file), parsed.data.config) };
  const experiment: Experiment = { ...parsed.data, ...named, file, targets };
  problems.push(...targetProblems, ...checkReferences(experiment, source, config, fromPidFiles));
  return { experiment, nameAt: positionAt(source, ['name']), problems };
}

/**
 * Loads one experiment file and checks it against the loaded agent config: every step's
 * target exists, every steady-state check is a check of the agent, selections fit their
 * targets and the blast radius. Paths come back absolute, defaults applied.
 *
 * @throws CanaryError `CANARY_ERR_CONFIG` listing every problem as `FILE:LINE:COL: key.path: message`.
 * @example const experiment = await loadExperiment('chaos/stop-one-backend.yaml', config);
 */
export async function loadExperiment(
  file: string,
  config: Config,
  options: ExperimentLoadOptions = {},
): Promise<Experiment> {
  const loaded = await loadOne(file, config, options.env ?? process.env);
  if (loaded.problems.length > 0 || loaded.experiment === undefined) throw configError(loaded.problems);
  return loaded.experiment;
}

/**
 * Loads every experiment named by `chaos.files` (globs relative to the agent config file).
 * A pattern matching nothing, and a name used by two files, are problems; an invalid file
 * does not stop the others from being checked. Only files without problems are returned;
 * pass the problems to `configError` to report them the way the agent config is reported.
 *
 * @example const { experiments, problems } = await loadExperiments(config);
 */
export async function loadExperiments(
  config: Config,
  options: ExperimentLoadOptions = {},
): Promise<{ experiments: Experiment[]; problems: Problem[] }> {
  const env = options.env ?? process.env;
  const { files, named, problems } = await expandExperimentFiles(config);
  const experiments: Experiment[] = [];
  const firstByName = new Map<string, string>();
  for (const file of files) {
    const loaded = await loadOne(file, config, env);
    if (loaded.unreadable === undefined) problems.push(...loaded.problems);
    else problems.push(await unreadableAt(config, named.get(file) ?? 0, file, loaded.unreadable));
    const { experiment, nameAt } = loaded;
    if (experiment === undefined || nameAt === undefined) continue;
    const here = `${displayPath(experiment.file)}:${nameAt.line}:${nameAt.col}`;
    const first = firstByName.get(experiment.name);
    if (first === undefined) {
      firstByName.set(experiment.name, here);
      if (loaded.problems.length === 0) experiments.push(experiment);
      continue;
    }
    problems.push({
      file: experiment.file,
      ...nameAt,
      path: 'name',
      message: `duplicate experiment name "${experiment.name}", first defined at ${first}`,
    });
  }
  return { experiments, problems };
}

/**
 * Expands `chaos.files` like `probes.files`: sorted matches, each file once. `named` tells,
 * per file, which entry of `chaos.files` named it first.
 */
async function expandExperimentFiles(
  config: Config,
): Promise<{ files: string[]; named: Map<string, number>; problems: Problem[] }> {
  const base = dirname(config.file);
  const files: string[] = [];
  const named = new Map<string, number>();
  const problems: Problem[] = [];
  for (const [i, pattern] of config.chaos.files.entries()) {
    const matched = isDynamicPattern(pattern)
      ? (await glob(pattern, { cwd: base, absolute: true, onlyFiles: true })).sort()
      : [resolve(base, pattern)];
    if (matched.length === 0) {
      const at = ['chaos', 'files', i];
      problems.push({
        file: config.file,
        ...(await configPosition(config.file, at)),
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

/** An experiment file that cannot be read is reported where `chaos.files` names it: the fix is in that line. */
async function unreadableAt(config: Config, index: number, file: string, code: string): Promise<Problem> {
  const at = ['chaos', 'files', index];
  const name = relative(dirname(config.file), file);
  return {
    file: config.file,
    ...(await configPosition(config.file, at)),
    path: formatPath(at),
    message: `cannot read ${name}: ${code}`,
  };
}

/** Where a key of the agent config file is; the Config keeps values, not positions. */
async function configPosition(file: string, at: (string | number)[]): Promise<{ line: number; col: number }> {
  try {
    return positionAt(parseYaml(file, await readFile(file, 'utf8')).source, at);
  } catch {
    return { line: 0, col: 0 };
  }
}
