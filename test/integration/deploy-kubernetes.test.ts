/**
 * The Kubernetes manifests, read as YAML (no cluster here): selectors agree with the pod
 * labels, ports and probes agree with the agent config, every overlay sets its own region.
 * Where kubectl is installed, `kubectl kustomize` also builds every overlay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { kubernetesCommand } from '../../src/cli/commands/kubernetes.js';
import type { Io } from '../../src/cli/io.js';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../helpers/paths.js';

/** The fields of Kubernetes objects these tests read (a loose shape; YAML decides). */
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown> & { selector?: unknown };
}
interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet?: unknown };
  readinessProbe?: { httpGet?: unknown };
  resources?: { requests?: unknown; limits?: unknown };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean };
  volumes: { name: string; configMap?: { name: string }; emptyDir?: unknown; persistentVolumeClaim?: unknown }[];
}
interface Kustomization {
  namespace?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeTemplates?: boolean }[];
  patches?: { patch?: string }[];
  configMapGenerator?: { name: string; files?: string[] }[];
}

const container = (spec: PodSpec): Container => spec.containers.find((c) => c.name === 'canary')!;
const matchLabels = (selector: unknown): Record<string, string> =>
  (selector as { matchLabels: Record<string, string> }).matchLabels;
/** A selector selects these labels: non-empty, and every pair it names is on them. */
const isSubset = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The region an overlay sets, after checking its label, namespace and env patch agree. */
function overlayRegion(k: Kustomization): string {
  const label = k.labels?.find((l) => l.pairs.region);
  assert.ok(label?.includeTemplates, 'the region label reaches the pods (PodMonitor podTargetLabels)');
  const region = label.pairs.region!;
  assert.equal(k.namespace, `canary-${region}`);
  const patched = (k.patches ?? []).map((p) => parse(p.patch ?? '') as Manifest).find((m) => m.kind === 'Deployment');
  const spec = (patched?.spec.template as { spec: PodSpec } | undefined)?.spec;
  assert.equal(spec && container(spec).env?.find((e) => e.name === 'CANARY_REGION')?.value, region);
  return region;
}

const root = join(repoRoot, 'deploy', 'kubernetes');
const base = join(root, 'base');
const overlays = readdirSync(join(root, 'overlays'));

/** Every Kubernetes object (and kustomization) under `dir`; agent, probe and experiment files are not ones. */
function manifestsIn(dir: string): Manifest[] {
  const notManifests = ['probes', 'experiments'];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml') && basename(f) !== 'agent.yaml')
    .filter((f) => !f.split(sep).some((part) => notManifests.includes(part)) && !f.startsWith(`base${sep}chaos${sep}`))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Manifest));
}

const manifests = manifestsIn(root);
const byKind = (kind: string): Manifest => {
  const found = manifestsIn(base).filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in the base`);
  return found[0]!;
};
const deployment = byKind('Deployment');
const pod = deployment.spec.template as { metadata: { labels: Record<string, string> }; spec: PodSpec };
const podLabels = pod.metadata.labels;
const agent = container(pod.spec);
const baseAgent = parse(readFileSync(join(base, 'agent.yaml'), 'utf8')) as {
  server: { listen: string };
  chaos: { stateDir: string };
  probes: { files: string[] };
};

test('every manifest has an apiVersion and a kind', () => {
  assert.ok(manifests.length >= 9);
  for (const m of manifests) assert.ok(m.apiVersion && m.kind, JSON.stringify(m).slice(0, 80));
});

test('the Deployment runs one hardened agent whose port and probes match the agent config', () => {
  assert.equal(deployment.spec.replicas, 1);
  assert.ok(isSubset(matchLabels(deployment.spec.selector), podLabels), 'selector matches the pod template');
  const port = agent.ports.find((p) => p.name === 'metrics');
  assert.equal(port?.containerPort, Number(baseAgent.server.listen.split(':').at(-1)));
  assert.match(baseAgent.server.listen, /^0\.0\.0\.0:/, 'reachable from outside the pod');
  assert.deepEqual(agent.livenessProbe?.httpGet, { path: '/healthz', port: 'metrics' });
  assert.deepEqual(agent.readinessProbe?.httpGet, { path: '/readyz', port: 'metrics' });
  const sc = agent.securityContext ?? {};
  assert.equal(sc.readOnlyRootFilesystem, true);
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.deepEqual(sc.capabilities?.drop, ['ALL']);
  assert.equal(pod.spec.securityContext?.runAsNonRoot, true);
  assert.ok(agent.resources?.requests && agent.resources.limits, 'requests and limits');
});

test('config, probes and chaos state are mounted where the agent config expects them', () => {
  const mount = (path: string) => agent.volumeMounts.find((m) => m.mountPath === path);
  const volume = (name?: string) => pod.spec.volumes.find((v) => v.name === name);
  assert.equal(volume(mount('/etc/canary/agent.yaml')?.name)?.configMap?.name, 'canary-config');
  const probesDir = `/etc/canary/${baseAgent.probes.files[0]?.split('/')[0]}`;
  assert.equal(volume(mount(probesDir)?.name)?.configMap?.name, 'canary-probes');
  const stateMount = agent.volumeMounts.find((m) => baseAgent.chaos.stateDir.startsWith(`${m.mountPath}/`));
  const state = volume(stateMount?.name);
  assert.ok(state?.emptyDir ?? state?.persistentVolumeClaim, 'chaos.stateDir is on a writable volume');
  assert.deepEqual(JSON.parse(JSON.stringify(agent.args)), ['run', '--config', '/etc/canary/agent.yaml']);
});

test('Service, PodMonitor, PodDisruptionBudget and NetworkPolicy select the agent pods', () => {
  const service = byKind('Service');
  assert.ok(isSubset(service.spec.selector as Record<string, string>, podLabels), 'Service selector');
  const ports = service.spec.ports as { name: string; port: number; targetPort: unknown }[];
  assert.deepEqual(
    ports.map((p) => [p.name, p.port, p.targetPort]),
    [['metrics', 9464, 'metrics']],
  );
  const monitor = byKind('PodMonitor');
  assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
  assert.ok(isSubset(matchLabels(monitor.spec.selector), podLabels), 'PodMonitor selector');
  const endpoints = monitor.spec.podMetricsEndpoints as { port: string; path: string; honorLabels: boolean }[];
  assert.deepEqual(
    endpoints.map((e) => [e.port, e.path, e.honorLabels]),
    [['metrics', '/metrics', true]],
  );
  assert.equal(podLabels[monitor.spec.jobLabel as string], 'canary', 'scrape job name is canary');
  assert.deepEqual(monitor.spec.podTargetLabels, ['region']);
  assert.ok(isSubset(matchLabels(byKind('PodDisruptionBudget').spec.selector), podLabels), 'PDB selector');
  const policy = byKind('NetworkPolicy');
  assert.ok(isSubset(matchLabels(policy.spec.podSelector), podLabels), 'NetworkPolicy podSelector');
  const ingress = policy.spec.ingress as { ports: { port: number }[] }[];
  assert.deepEqual(
    ingress.flatMap((r) => r.ports.map((p) => p.port)),
    [9464],
  );
  assert.deepEqual(policy.spec.egress, [{}], 'probes go out anywhere');
});

test('every file a kustomization names exists', () => {
  const extra = ['components/chaos', 'examples/chaos-rbac'].map((d) => join(root, d));
  for (const dir of [base, ...overlays.map((o) => join(root, 'overlays', o)), ...extra]) {
    const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
    const files = [...(k.resources ?? []), ...(k.configMapGenerator ?? []).flatMap((g) => g.files ?? [])];
    for (const f of files) assert.ok(existsSync(join(dir, f)), `${dir}: ${f}`);
  }
});

test('each overlay builds on the base and sets its own region in the env, the labels and the namespace', () => {
  assert.deepEqual([...overlays].sort(), ['ap-southeast-1', 'eu-west-1', 'us-east-1']);
  const regions = overlays.map((o) => {
    const k = parse(readFileSync(join(root, 'overlays', o, 'kustomization.yaml'), 'utf8')) as Kustomization;
    assert.ok(k.resources?.includes('../../base'), `${o} references ../../base`);
    const region = overlayRegion(k);
    assert.equal(region, o);
    return region;
  });
  assert.equal(new Set(regions).size, overlays.length);
});

test('the base agent config and probe files load, with the region from the environment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-k8s-'));
  try {
    cpSync(base, dir, { recursive: true });
    const config = await loadConfig(join(dir, 'agent.yaml'), { env: { CANARY_REGION: 'ap-southeast-1' } });
    assert.equal(config.agent.region, 'ap-southeast-1');
    assert.ok(config.checks.length > 0);
    await assert.rejects(loadConfig(join(dir, 'agent.yaml'), { env: {} }), /CANARY_REGION is not set/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `canary kubernetes generate ARGS`, through its command builder. */
async function generate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), exitCode: 0 };
  await kubernetesCommand(io)
    .exitOverride()
    .parseAsync(['generate', ...args], { from: 'user' });
  return { code: io.exitCode, out: out.join('\n'), err: err.join('\n') };
}

const repoConfig = join(repoRoot, 'config', 'agent.yaml');

test('the base is what `canary kubernetes generate` makes from config/agent.yaml and its probe files', async () => {
  const ran = await generate(['--config', repoConfig, '--base', base, '--check', '--json']);
  assert.equal(ran.code, 0, `${ran.err}\nrun: npm run kubernetes`);
  const summary = JSON.parse(ran.out) as { upToDate: boolean; files: string[] };
  assert.equal(summary.upToDate, true);
  const probeKeys = readdirSync(join(repoRoot, 'probes'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `probes/${f.replace(/\.yml$/, '.yaml')}`);
  assert.deepEqual(summary.files.filter((f) => f.startsWith('probes/')).sort(), probeKeys.sort());
  const k = parse(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as Kustomization;
  assert.deepEqual(k.configMapGenerator?.find((g) => g.name === 'canary-probes')?.files, probeKeys.sort());
});

test('in the pod the config runs the same checks, with the region from the overlay and the pod paths', async () => {
  const env = { CANARY_REGION: 'us-east-1' };
  const here = await loadConfig(repoConfig, { env });
  const dir = mkdtempSync(join(tmpdir(), 'canary-k8s-'));
  try {
    cpSync(base, dir, { recursive: true });
    const pod = await loadConfig(join(dir, 'agent.yaml'), { env });
    const shape = (c: typeof here) =>
      c.checks.map((ch) => ({
        name: ch.name,
        kind: ch.kind,
        target: ch.target,
        schedule: ch.schedule,
        expect: ch.expect,
        slo: ch.slo,
      }));
    assert.deepEqual(shape(pod), shape(here));
    assert.deepEqual(Object.keys(pod.modules), Object.keys(here.modules));
    assert.equal(pod.agent.region, 'us-east-1');
    assert.equal(pod.agent.datacenter, undefined, 'the region names the place');
    assert.equal(pod.server.listen, here.server.listen.replace(/^.*:/, '0.0.0.0:'));
    assert.equal(pod.chaos.stateDir, '/var/lib/canary/chaos');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A scratch repository: config/, probes/ and the base, as in the project. */
function scratch(t: { after: (fn: () => void) => void }): { dir: string; config: string; base: string } {
  const dir = mkdtempSync(join(tmpdir(), 'canary-k8s-gen-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ['config', 'probes', join('deploy', 'kubernetes', 'base')])
    cpSync(join(repoRoot, sub), join(dir, sub), { recursive: true });
  return { dir, config: join(dir, 'config', 'agent.yaml'), base: join(dir, 'deploy', 'kubernetes', 'base') };
}

const EXTRA = `checks:\n  - name: extra\n    kind: tcp\n    target: 127.0.0.1:9\n`;

test('a probe file added, changed or removed shows in --check, and generate brings the base along', async (t) => {
  const s = scratch(t);
  writeFileSync(join(s.dir, 'probes', 'extra.yaml'), EXTRA);
  let ran = await generate(['--config', s.config, '--base', s.base, '--check']);
  assert.equal(ran.code, 1);
  assert.match(ran.err, /differs .*\(probes\/extra\.yaml, kustomization\.yaml\); run: canary kubernetes generate/);

  ran = await generate(['--config', s.config, '--base', s.base]);
  assert.equal(ran.code, 0, ran.err);
  assert.match(
    readFileSync(join(s.base, 'probes', 'extra.yaml'), 'utf8'),
    /^# Made from \.\.\/\.\.\/\.\.\/\.\.\/probes\/extra\.yaml by/,
  );
  const listed = () =>
    (parse(readFileSync(join(s.base, 'kustomization.yaml'), 'utf8')) as Kustomization).configMapGenerator?.find(
      (g) => g.name === 'canary-probes',
    )?.files;
  assert.ok(listed()?.includes('probes/extra.yaml'));
  assert.equal((await generate(['--config', s.config, '--base', s.base, '--check'])).code, 0);
  const pod = await loadConfig(join(s.base, 'agent.yaml'), { env: { CANARY_REGION: 'eu-west-1' } });
  assert.ok(pod.checks.some((c) => c.name === 'extra'));

  // A changed check in config/ makes the base stale again.
  writeFileSync(join(s.dir, 'probes', 'extra.yaml'), EXTRA.replace('127.0.0.1:9', '127.0.0.1:10'));
  assert.equal((await generate(['--config', s.config, '--base', s.base, '--check'])).code, 1);

  rmSync(join(s.dir, 'probes', 'extra.yaml'));
  ran = await generate(['--config', s.config, '--base', s.base, '--json']);
  assert.deepEqual((JSON.parse(ran.out) as { written: string[] }).written, ['kustomization.yaml', 'probes/extra.yaml']);
  assert.ok(!existsSync(join(s.base, 'probes', 'extra.yaml')), 'the stale copy is removed');
  assert.ok(!listed()?.includes('probes/extra.yaml'));
});

test('files the ConfigMaps would not carry, and probe files sharing a ConfigMap key, are refused by name', async (t) => {
  const s = scratch(t);
  const text = readFileSync(s.config, 'utf8');
  writeFileSync(s.config, text.replace('probes:\n', 'probes:\n  openapi: [../api.yaml]\n'));
  writeFileSync(join(s.dir, 'api.yaml'), 'openapi: 3.0.0\ninfo: { title: t, version: "1" }\npaths: {}\n');
  let ran = await generate(['--config', s.config, '--base', s.base]);
  assert.equal(ran.code, 2);
  assert.match(
    ran.err,
    /agent\.yaml:\d+:\d+: probes\.openapi: OpenAPI specs are not carried into the Kubernetes ConfigMaps/,
  );

  // The pod reads probes/*.yaml, so a .yml file is renamed, and may then clash.
  writeFileSync(s.config, text.replace('    - ../probes/*.yaml\n', '    - ../probes/*.yaml\n    - ../more/*.yml\n'));
  mkdirSync(join(s.dir, 'more'));
  writeFileSync(join(s.dir, 'more', 'examples.yml'), EXTRA);
  ran = await generate(['--config', s.config, '--base', s.base]);
  assert.equal(ran.code, 2);
  assert.match(
    ran.err,
    /more\/examples\.yml: its ConfigMap key examples\.yaml is taken by .*probes\/examples\.yaml; rename one/,
  );
  // Nothing was written: the base still matches the config as it was.
  writeFileSync(s.config, text);
  assert.equal((await generate(['--config', s.config, '--base', s.base, '--check'])).code, 0);
});

function kustomize(dir: string): Promise<{ ok: boolean; missing: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['kustomize', dir], { timeout: 60_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      resolve({
        ok: !err,
        missing: (err as NodeJS.ErrnoException | null)?.code === 'ENOENT',
        out: err ? stderr : stdout,
      });
    });
  });
}

test('kubectl kustomize builds every overlay with its region on the pods and in the env', async (t) => {
  for (const overlay of overlays) {
    const built = await kustomize(join(root, 'overlays', overlay));
    if (built.missing) {
      t.skip('kubectl is not installed here');
      return;
    }
    assert.ok(built.ok, built.out);
    const docs = parseAllDocuments(built.out).map((d) => d.toJS() as Manifest);
    const dep = docs.find((d) => d.kind === 'Deployment')!;
    const spec = dep.spec.template as { metadata: { labels: Record<string, string> }; spec: PodSpec };
    assert.equal(spec.metadata.labels.region, overlay);
    assert.equal(container(spec.spec).env?.find((e) => e.name === 'CANARY_REGION')?.value, overlay);
    const maps = docs.filter((d) => d.kind === 'ConfigMap').map((d) => d.metadata.name);
    for (const v of spec.spec.volumes)
      if (v.configMap) assert.ok(maps.includes(v.configMap.name), `${overlay}: ${v.configMap.name}`);
  }
});
