import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document } from 'yaml';
import { configError, loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { parseYaml, positionAt } from '../config/yaml.js';
import { displayPath, type Problem } from '../errors.js';

/**
 * Where the agent finds its files in the pod (deployment.yaml mounts them there): the
 * config at /etc/canary/agent.yaml, the canary-probes ConfigMap beside it.
 */
const POD_PROBE_GLOB = 'probes/*.yaml';
/** The `state` volume of deployment.yaml. */
const POD_STATE_DIR = '/var/lib/canary/chaos';
/** The ConfigMap whose files are the probe files. */
const PROBES_CONFIG_MAP = 'canary-probes';
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
  /** The agent config, the probe files and the kustomization naming them. */
  files: BaseFile[];
  /** Probe files in the base that no longer come from the config: removed on write. */
  stale: string[];
  /** The agent config read (absolute). */
  config: string;
}

/**
 * The kustomize base's agent config and probe files, made from an agent config and the
 * probe files it names, so the ConfigMaps carry the checks the repository has. Only what
 * differs in a pod changes: the region comes from the overlay (`${CANARY_REGION}`), the
 * agent listens on all interfaces, probe files and chaos state are where the Deployment
 * mounts them, and the datacenter goes (the region names the place).
 *
 * @throws CanaryError `CANARY_ERR_CONFIG`: an invalid config, or one naming files the
 * ConfigMaps would not carry (OpenAPI specs, file_sd files, chaos experiments).
 */
export async function buildKubernetesBase(configFile: string, baseDir: string): Promise<KubernetesBase> {
  const config = await loadConfig(configFile);
  const { source } = parseYaml(config.file, await readFile(config.file, 'utf8'));
  const at: Place = (path) => ({ file: config.file, ...positionAt(source, path, true), path: path.join('.') });
  const problems = uncarried(config, at);
  const probes = probeCopies(config.probes.files, problems);
  if (problems.length > 0) throw configError(problems);
  const files: BaseFile[] = [];
  for (const probe of probes) {
    const original = await readFile(probe.from, 'utf8');
    files.push({ path: probe.path, text: withHeader(original, probe.from, join(baseDir, probe.path)) });
  }
  const probeBytes = files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
  if (probeBytes > CONFIG_MAP_MAX_BYTES) {
    throw configError([
      {
        ...at(['probes', 'files']),
        message: `the probe files come to ${probeBytes} bytes, over the ${CONFIG_MAP_MAX_BYTES} a ConfigMap may hold; split them across overlays`,
      },
    ]);
  }
  // Last: it edits the parsed document in place, so no problem can be placed after it.
  files.unshift({ path: 'agent.yaml', text: podConfig(source.doc, config.file, baseDir, config.server.listen) });
  const kustomization = await readFile(join(baseDir, 'kustomization.yaml'), 'utf8');
  files.push({
    path: 'kustomization.yaml',
    text: withProbeFiles(
      kustomization,
      probes.map((p) => p.path),
      join(baseDir, 'kustomization.yaml'),
    ),
  });
  const present = await readdir(join(baseDir, 'probes')).catch(() => [] as string[]);
  const wanted = new Set(probes.map((p) => basename(p.path)));
  const stale = present.filter((f) => !wanted.has(f) && /\.ya?ml$/.test(f)).map((f) => `probes/${f}`);
  return { files, stale, config: config.file };
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
  if (config.chaos.files.length > 0)
    problems.push({ ...at(['chaos', 'files']), message: `chaos experiments are ${why}` });
  return problems;
}

/** Each probe file's place in the base: `probes/<name>.yaml`, a name used once. */
function probeCopies(files: readonly string[], problems: Problem[]): { from: string; path: string }[] {
  const seen = new Map<string, string>();
  return files.flatMap((from) => {
    // The pod's glob is *.yaml; a .yml file is renamed to be found.
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
    return [{ from, path: `probes/${name}` }];
  });
}

/** The agent config as the pod reads it, edited in `doc`; comments and everything else kept. */
function podConfig(doc: Document, from: string, baseDir: string, listen: string): string {
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
  if (doc.hasIn(['chaos']))
    setWithComment(
      doc,
      ['chaos', 'stateDir'],
      POD_STATE_DIR,
      ' the `state` volume (emptyDir; a PVC when chaos runs here)',
    );
  keepCommentsInPlace(doc);
  return withHeader(doc.toString(STRINGIFY), from, join(baseDir, 'agent.yaml'));
}

/** Written as people write YAML: no line folding, `[a, b]` not `[ a, b ]`. */
const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false } as const;

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

/** The kustomization with the canary-probes ConfigMap listing exactly `paths`. */
function withProbeFiles(text: string, paths: readonly string[], file: string): string {
  const doc = parseDocument(text);
  const generators = doc.get('configMapGenerator');
  const entry = isSeq(generators)
    ? generators.items.find((g) => isMap(g) && g.get('name') === PROBES_CONFIG_MAP)
    : undefined;
  if (!isMap(entry)) {
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
  entry.set('files', doc.createNode(paths));
  return doc.toString(STRINGIFY);
}
