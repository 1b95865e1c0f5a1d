import { basename, dirname, extname, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { isMap, isSeq, Pair, parseDocument, Scalar, type Document } from 'yaml';
import { configError } from '../config/load.js';
import { displayPath, type Problem } from '../errors.js';

/** The ConfigMap whose files are the probe files. */
export const PROBES_CONFIG_MAP = 'canary-probes';
/** The ConfigMap whose files are the chaos experiments (components/chaos mounts it). */
export const CHAOS_CONFIG_MAP = 'canary-chaos';
/** The component that mounts canary-chaos and puts the chaos state on a PersistentVolumeClaim. */
export const CHAOS_COMPONENT = '../components/chaos';
/** Written as people write YAML: no line folding, `[a, b]` not `[ a, b ]`. */
export const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false } as const;

/** A file copied into the base: where it comes from, its key (path) in the base. */
export interface Copy {
  from: string;
  path: string;
}

/**
 * Each file's place in the base: `<dir>/<name>.yaml`, a name used once. The pod reads
 * `<dir>/*.yaml`, so a .yml file is renamed to be found, and may then clash.
 */
export function keyedCopies(files: readonly string[], dir: string, problems: Problem[]): Copy[] {
  const seen = new Map<string, string>();
  return files.flatMap((from) => {
    const name = `${basename(from, extname(from))}.yaml`;
    const clash = seen.get(name);
    if (clash) {
      problems.push({
        file: from,
        line: 0,
        col: 0,
        path: '',
        message: `its ConfigMap key ${name} is taken by ${displayPath(clash)}; rename one`,
      });
      return [];
    }
    seen.set(name, from);
    return [{ from, path: `${dir}/${name}` }];
  });
}

/**
 * The files `chaos.files` names (globs relative to the agent config), sorted, each once, as
 * the chaos loader expands them. A pattern matching nothing is a problem at its entry.
 */
export async function chaosFiles(
  configFile: string,
  patterns: readonly string[],
  problemAt: (index: number, message: string) => Problem,
): Promise<{ files: string[]; problems: Problem[] }> {
  const base = dirname(configFile);
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const [i, pattern] of patterns.entries()) {
    const matched = isDynamicPattern(pattern)
      ? (await glob(pattern, { cwd: base, absolute: true, onlyFiles: true })).sort()
      : [resolve(base, pattern)];
    if (matched.length === 0) problems.push(problemAt(i, `pattern "${pattern}" matched no files`));
    for (const file of matched) if (!files.includes(file)) files.push(file);
  }
  return { files, problems };
}

/**
 * The kustomization with canary-probes listing exactly `probes`, and, when there are chaos
 * experiments, canary-chaos listing them and the chaos component named; without any, both go.
 */
export function withConfigMaps(
  text: string,
  probes: readonly string[],
  chaos: readonly string[],
  file: string,
): string {
  const doc = parseDocument(text);
  const generators = doc.get('configMapGenerator');
  const entry = (name: string) =>
    isSeq(generators) ? generators.items.find((g) => isMap(g) && g.get('name') === name) : undefined;
  const probesEntry = entry(PROBES_CONFIG_MAP);
  if (!isMap(probesEntry) || !isSeq(generators)) {
    throw configError([
      {
        file,
        line: 0,
        col: 0,
        path: 'configMapGenerator',
        message: `no ConfigMap named ${PROBES_CONFIG_MAP} to list the probe files in`,
      },
    ]);
  }
  probesEntry.set('files', doc.createNode(probes));
  const chaosEntry = entry(CHAOS_CONFIG_MAP);
  if (chaos.length === 0) {
    if (chaosEntry) generators.items.splice(generators.items.indexOf(chaosEntry), 1);
    withoutComponent(doc);
  } else {
    if (isMap(chaosEntry)) chaosEntry.set('files', doc.createNode(chaos));
    else
      generators.items.splice(
        generators.items.indexOf(probesEntry) + 1,
        0,
        doc.createNode({ name: CHAOS_CONFIG_MAP, files: chaos }),
      );
    withComponent(doc);
  }
  return doc.toString(STRINGIFY);
}

function withComponent(doc: Document): void {
  const components = doc.get('components');
  if (isSeq(components)) {
    if (!components.items.some((c) => String((c as { value?: unknown }).value ?? c) === CHAOS_COMPONENT))
      components.add(CHAOS_COMPONENT);
    return;
  }
  const key = new Scalar('components');
  key.spaceBefore = true;
  key.commentBefore =
    ' Chaos experiments in the pod (canary-chaos) and chaos state on a PersistentVolumeClaim;\n' +
    ' named by `canary kubernetes generate` while the agent config names experiments.';
  if (isMap(doc.contents)) doc.contents.items.push(new Pair(key, doc.createNode([CHAOS_COMPONENT])));
}

function withoutComponent(doc: Document): void {
  const components = doc.get('components');
  if (!isSeq(components)) return;
  components.items = components.items.filter((c) => String((c as { value?: unknown }).value ?? c) !== CHAOS_COMPONENT);
  if (components.items.length === 0) doc.delete('components');
}
