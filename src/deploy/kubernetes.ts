import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isMap, isScalar, Scalar, type Document } from 'yaml';
import { configError, loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { parseYaml, positionAt } from '../config/yaml.js';
import type { Problem } from '../errors.js';
import { chaosFiles, keyedCopies, STRINGIFY, withConfigMaps, type Copy } from './kubernetes-files.js';

/**
 * Where the agent finds its files in the pod (deployment.yaml mounts them there): the
 * config at /etc/canary/agent.yaml, the canary-probes ConfigMap beside it.
 */
const POD_PROBE_GLOB = 'probes/*.yaml';
/** The `state` volume of deployment.yaml. */
const POD_STATE_DIR = '/var/lib/canary/chaos';
/** Where the canary-chaos ConfigMap is mounted, relative to the agent config (components/chaos). */
const POD_CHAOS_GLOB = 'chaos/*.yaml';
/** Kubernetes refuses a ConfigMap larger than this (etcd's value limit). */
const CONFIG_MAP_MAX_BYTES = 1024 * 1024;
const MODELINE = /^# yaml-language-server: \$schema=(\S+)\n/;

/** One file of the kustomize base, relative to the base directory. */
export interface BaseFile {
  path: string;
  text: string;
}

/** What the base holds when it agrees with the agent config. */
export interface KubernetesBase {
  /** The agent config, the probe files, the chaos experiments and the kustomization naming them. */
  files: BaseFile[];
  /** Probe and experiment files in the base that no longer come from the config: removed on write. */
  stale: string[];
  /** The agent config read (absolute). */
  config: string;
}

/**
 * The kustomize base's agent config, probe files and chaos experiments, made from an agent
 * config and the files it names, so the ConfigMaps carry the checks and experiments the
 * repository has. Only what differs in a pod changes: the region comes from the overlay
 * (`${CANARY_REGION}`), the agent listens on all interfaces, probe files, experiments and
 * chaos state are where the Deployment mounts them, and the datacenter goes (the region
 * names the place). With experiments, the kustomization names components/chaos, which
 * mounts them and keeps the chaos state on a PersistentVolumeClaim.
 *
 * @throws CanaryError `CANARY_ERR_CONFIG`: an invalid config, or one naming files the
 * ConfigMaps would not carry (OpenAPI specs, file_sd files).
 */
export async function buildKubernetesBase(configFile: string, baseDir: string): Promise<KubernetesBase> {
  const config = await loadConfig(configFile);
  const { source } = parseYaml(config.file, await readFile(config.file, 'utf8'));
  const at: Place = (path) => ({ file: config.file, ...positionAt(source, path, true), path: path.join('.') });
  const problems = uncarried(config, at);
  const probes = keyedCopies(config.probes.files, 'probes', problems);
  const experiments = await chaosFiles(config.file, config.chaos.files, (i, message) => ({
    ...at(['chaos', 'files', i]),
    message,
  }));
  problems.push(...experiments.problems);
  const chaos = keyedCopies(experiments.files, 'chaos', problems);
  if (problems.length > 0) throw configError(problems);
  const files = [
    ...(await copies(probes, baseDir, at(['probes', 'files']), 'probe files')),
    ...(await copies(chaos, baseDir, at(['chaos', 'files']), 'chaos experiments')),
  ];
  // Last: it edits the parsed document in place, so no problem can be placed after it.
  const pod = podConfig(source.doc, config.file, baseDir, { listen: config.server.listen, chaos: chaos.length > 0 });
  files.unshift({ path: 'agent.yaml', text: pod });
  const kustomization = join(baseDir, 'kustomization.yaml');
  const paths = (list: Copy[]) => list.map((c) => c.path);
  files.push({
    path: 'kustomization.yaml',
    text: withConfigMaps(await readFile(kustomization, 'utf8'), paths(probes), paths(chaos), kustomization),
  });
  const stale = [...(await staleIn(baseDir, 'probes', probes)), ...(await staleIn(baseDir, 'chaos', chaos))];
  return { files, stale, config: config.file };
}

/** The copies' texts, with their origin in a header; over a ConfigMap's limit is a problem at `place`. */
async function copies(list: Copy[], baseDir: string, place: Omit<Problem, 'message'>, what: string) {
  const files: BaseFile[] = [];
  for (const copy of list) {
    const original = await readFile(copy.from, 'utf8');
    files.push({ path: copy.path, text: withHeader(original, copy.from, join(baseDir, copy.path)) });
  }
  const bytes = files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
  if (bytes > CONFIG_MAP_MAX_BYTES) {
    throw configError([
      {
        ...place,
        message: `the ${what} come to ${bytes} bytes, over the ${CONFIG_MAP_MAX_BYTES} a ConfigMap may hold; split them across overlays`,
      },
    ]);
  }
  return files;
}

/** YAML files in `<baseDir>/<dir>` that no longer come from the config: removed on write. */
async function staleIn(baseDir: string, dir: string, wanted: Copy[]): Promise<string[]> {
  const present = await readdir(join(baseDir, dir)).catch(() => [] as string[]);
  const keep = new Set(wanted.map((c) => basename(c.path)));
  return present.filter((f) => !keep.has(f) && /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`);
}

type Place = (path: (string | number)[]) => Omit<Problem, 'message'>;

/** Settings naming files outside the probe files, which no ConfigMap of the base carries. */
function uncarried(config: Config, at: Place): Problem[] {
  const why =
    'not carried into the Kubernetes ConfigMaps (only the agent config and its probe files are); mount it yourself and drop it here';
  const problems: Problem[] = [];
  if (config.probes.openapi.length > 0)
    problems.push({ ...at(['probes', 'openapi']), message: `OpenAPI specs are ${why}` });
  config.probes.discovery.forEach((d, i) => {
    if (d.fileSd) problems.push({ ...at(['probes', 'discovery', i, 'fileSd']), message: `file_sd files are ${why}` });
  });
  return problems;
}

/** The agent config as the pod reads it, edited in `doc`; comments and everything else kept. */
function podConfig(doc: Document, from: string, baseDir: string, pod: { listen: string; chaos: boolean }): string {
  const { listen } = pod;
  const port = listen.slice(listen.lastIndexOf(':') + 1);
  setWithComment(
    doc,
    ['agent', 'region'],
    '${CANARY_REGION}',
    ' set by each overlay on the Deployment env; no default on purpose',
  );
  doc.deleteIn(['agent', 'datacenter']);
  setWithComment(doc, ['server', 'listen'], `0.0.0.0:${port}`, ' the container port `metrics` and the Service port');
  const glob = new Scalar(POD_PROBE_GLOB);
  glob.comment = ' the canary-probes ConfigMap, mounted at /etc/canary/probes';
  doc.setIn(['probes', 'files'], doc.createNode([glob]));
  if (pod.chaos) {
    const experiments = new Scalar(POD_CHAOS_GLOB);
    experiments.comment = ' the canary-chaos ConfigMap, mounted at /etc/canary/chaos';
    doc.setIn(['chaos', 'files'], doc.createNode([experiments]));
  }
  if (doc.hasIn(['chaos']))
    setWithComment(
      doc,
      ['chaos', 'stateDir'],
      POD_STATE_DIR,
      pod.chaos
        ? ' the `state` volume: a PersistentVolumeClaim (components/chaos)'
        : ' the `state` volume (emptyDir; a PVC when chaos runs here)',
    );
  keepCommentsInPlace(doc);
  return withHeader(doc.toString(STRINGIFY), from, join(baseDir, 'agent.yaml'));
}

/**
 * The parser hangs a comment written above a top-level key on the end of the section before
 * it, and would print it indented into that section; it goes back above its key.
 */
function keepCommentsInPlace(doc: Document): void {
  const top = doc.contents;
  if (!isMap(top)) return;
  top.items.forEach((pair, i) => {
    const next = top.items[i + 1];
    if (!isMap(pair.value) || !pair.value.comment || !next || !isScalar(next.key)) return;
    next.key.commentBefore = [pair.value.comment, next.key.commentBefore].filter(Boolean).join('\n');
    next.key.spaceBefore = true;
    pair.value.comment = '';
  });
}

function setWithComment(doc: Document, path: string[], value: string, comment: string): void {
  const node = new Scalar(value);
  node.comment = comment;
  doc.setIn(path, node);
}

/**
 * A copy's text: the editor schema line pointed at the same schema from the copy's place,
 * then a line saying where the copy comes from, then the original.
 */
function withHeader(text: string, from: string, to: string): string {
  const modeline = MODELINE.exec(text);
  let body = text;
  let head = '';
  if (modeline?.[1]) {
    const schema = relative(dirname(to), resolve(dirname(from), modeline[1]));
    head = `# yaml-language-server: $schema=${schema}\n`;
    body = text.slice(modeline[0].length);
  }
  const origin = relative(dirname(to), from);
  return `${head}# Made from ${origin} by \`canary kubernetes generate\`: edit that file, then run \`npm run kubernetes\`.\n${body}`;
}
