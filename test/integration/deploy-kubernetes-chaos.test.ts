/**
 * Chaos on Kubernetes: `canary kubernetes generate` carries the experiments of `chaos.files`
 * into a canary-chaos ConfigMap and names components/chaos, which mounts them and keeps the
 * chaos state on a PersistentVolumeClaim; the optional RBAC example builds and its
 * experiments load. Where kubectl is installed, `kubectl kustomize` builds both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse, parseAllDocuments } from 'yaml';
import { kubernetesCommand } from '../../src/cli/commands/kubernetes.js';
import { validateCommand } from '../../src/cli/commands/validate.js';
import type { Io } from '../../src/cli/io.js';
import { loadExperiments } from '../../src/chaos/load.js';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../helpers/paths.js';

interface Volume {
  name: string;
  configMap?: { name: string };
  emptyDir?: unknown;
  persistentVolumeClaim?: { claimName: string };
}
interface Pod {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  containers: { name: string; volumeMounts: { name: string; mountPath: string }[]; env?: { name: string }[] }[];
  volumes: Volume[];
}
interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: { strategy?: { type: string }; template: { spec: Pod }; accessModes?: string[] };
  subjects?: { kind: string; name: string; namespace: string }[];
  rules?: { resources: string[]; verbs: string[] }[];
}
interface Kustomization {
  components?: string[];
  configMapGenerator?: { name: string; files?: string[] }[];
}

async function run(command: (io: Io) => Command, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), exitCode: 0 };
  await command(io).exitOverride().parseAsync(args, { from: 'user' });
  return { code: io.exitCode, out: out.join('\n'), err: err.join('\n') };
}

/** A drill every pod config can run: its hypothesis is a check of the repository's probe files. */
const DRILL = `name: drill
targets:
  t: { instances: [{ name: a }], exec: { kill: ["true"], restore: ["true"] } }
steadyState:
  - { check: example-home, successRatio: ">= 0.9", window: 1m }
blastRadius: { maxInstances: 1 }
method:
  - { action: kill, target: t, count: 1 }
  - { action: restore, target: t }
`;

/** A scratch repository with config/, probes/, chaos/ and deploy/kubernetes, chaos.files set. */
function scratch(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'canary-k8s-chaos-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ['config', 'probes', join('deploy', 'kubernetes')])
    cpSync(join(repoRoot, sub), join(dir, sub), { recursive: true });
  mkdirSync(join(dir, 'chaos'));
  writeFileSync(join(dir, 'chaos', 'drill.yml'), DRILL);
  const config = join(dir, 'config', 'agent.yaml');
  const original = readFileSync(config, 'utf8');
  assert.match(original, /^ {2}files: \[\]$/m, 'config/agent.yaml names no experiments');
  writeFileSync(config, original.replace(/^ {2}files: \[\]$/m, '  files: [../chaos/*.yml]'));
  const k8s = join(dir, 'deploy', 'kubernetes');
  return { dir, config, original, k8s, base: join(k8s, 'base') };
}

const kustomizationOf = (dir: string) => parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
const generate = (s: { config: string; base: string }, ...more: string[]) =>
  run(kubernetesCommand, ['generate', '--config', s.config, '--base', s.base, ...more]);

test('chaos experiments go into a canary-chaos ConfigMap, and the base names the chaos component', async (t) => {
  const s = scratch(t);
  assert.equal((await generate(s, '--check')).code, 1);
  const ran = await generate(s);
  assert.equal(ran.code, 0, ran.err);
  const k = kustomizationOf(s.base);
  assert.deepEqual(k.configMapGenerator?.find((g) => g.name === 'canary-chaos')?.files, ['chaos/drill.yaml']);
  assert.deepEqual(k.components, ['../components/chaos']);
  assert.match(readFileSync(join(s.base, 'chaos', 'drill.yaml'), 'utf8'), /^# Made from .*chaos\/drill\.yml by/);
  const pod = parse(readFileSync(join(s.base, 'agent.yaml'), 'utf8')) as { chaos: { files: string[] } };
  assert.deepEqual(pod.chaos.files, ['chaos/*.yaml'], 'the pod reads the mounted ConfigMap');
  assert.equal((await generate(s, '--check')).code, 0);

  // No experiments any more: the ConfigMap, the component and the copies go.
  writeFileSync(s.config, s.original);
  assert.equal((await generate(s)).code, 0);
  assert.equal(kustomizationOf(s.base).components, undefined);
  assert.ok(!kustomizationOf(s.base).configMapGenerator?.some((g) => g.name === 'canary-chaos'));
  assert.ok(!existsSync(join(s.base, 'chaos')), 'the copies and their directory are removed');
  const base = join(repoRoot, 'deploy', 'kubernetes', 'base');
  for (const f of ['agent.yaml', 'kustomization.yaml'])
    assert.equal(readFileSync(join(s.base, f), 'utf8'), readFileSync(join(base, f), 'utf8'), f);
});

test('in the pod, `canary validate` passes with the experiments at their mounted place', async (t) => {
  const s = scratch(t);
  assert.equal((await generate(s)).code, 0);
  const env = { CANARY_REGION: 'eu-west-1' };
  const config = await loadConfig(join(s.base, 'agent.yaml'), { env });
  const { experiments, problems } = await loadExperiments(config, { env });
  assert.deepEqual(problems, []);
  assert.deepEqual(
    experiments.map((e) => e.file),
    [join(s.base, 'chaos', 'drill.yaml')],
  );
  process.env.CANARY_REGION = 'eu-west-1';
  t.after(() => delete process.env.CANARY_REGION);
  const ran = await run(validateCommand, ['--config', join(s.base, 'agent.yaml')]);
  assert.equal(ran.code, 0, ran.err);
  assert.match(ran.out, /1 chaos experiment/);
});

test('a chaos pattern matching nothing, and two experiments sharing a key, are refused by name', async (t) => {
  const s = scratch(t);
  writeFileSync(s.config, s.original.replace(/^ {2}files: \[\]$/m, '  files: [../chaos/*.yml, ../gone/*.yaml]'));
  let ran = await generate(s);
  assert.equal(ran.code, 2);
  assert.match(ran.err, /agent\.yaml:\d+:\d+: chaos\.files\.1: pattern "\.\.\/gone\/\*\.yaml" matched no files/);
  writeFileSync(s.config, s.original.replace(/^ {2}files: \[\]$/m, '  files: [../chaos/*]'));
  writeFileSync(join(s.dir, 'chaos', 'drill.yaml'), DRILL);
  ran = await generate(s);
  assert.equal(ran.code, 2);
  assert.match(
    ran.err,
    /chaos\/drill\.yml: its ConfigMap key drill\.yaml is taken by .*chaos\/drill\.yaml; rename one/,
  );
});

const component = join(repoRoot, 'deploy', 'kubernetes', 'components', 'chaos');

test('the chaos component puts chaos.stateDir on a ReadWriteOnce claim, one pod at a time', () => {
  const docs = readdirSync(component)
    .filter((f) => f !== 'kustomization.yaml')
    .flatMap((f) => parseAllDocuments(readFileSync(join(component, f), 'utf8')).map((d) => d.toJS() as Manifest));
  const claim = docs.find((d) => d.kind === 'PersistentVolumeClaim');
  assert.deepEqual(claim?.spec.accessModes, ['ReadWriteOnce']);
  const k = parse(readFileSync(join(component, 'kustomization.yaml'), 'utf8')) as { patches: { patch: string }[] };
  const dep = parse(k.patches[0]!.patch) as Manifest;
  assert.equal(dep.spec.strategy?.type, 'Recreate', 'the old pod lets go of the claim and the lock first');
  const volumes = dep.spec.template.spec.volumes;
  const state = volumes.find((v) => v.name === 'state');
  assert.equal(state?.persistentVolumeClaim?.claimName, claim?.metadata.name);
  assert.equal(state?.emptyDir, null, 'the emptyDir of the base is removed, not kept beside the claim');
  assertMountsMatchPodConfig(
    parse(readFileSync(join(repoRoot, 'deploy', 'kubernetes', 'base', 'deployment.yaml'), 'utf8')) as Manifest,
    dep,
  );
});

/** The pod config's chaos.stateDir is on the claimed volume, its chaos/*.yaml on canary-chaos. */
function assertMountsMatchPodConfig(base: Manifest, patch: Manifest): void {
  const mounts = [base, patch].flatMap((m) => m.spec.template.spec.containers[0]!.volumeMounts);
  const volumeAt = (path: string) => mounts.find((m) => path.startsWith(`${m.mountPath}/`))?.name;
  const volumes = patch.spec.template.spec.volumes;
  const stateDir = '/var/lib/canary/chaos';
  assert.equal(volumes.find((v) => v.name === volumeAt(stateDir))?.persistentVolumeClaim?.claimName, 'canary-state');
  assert.equal(volumes.find((v) => v.name === volumeAt('/etc/canary/chaos/x.yaml'))?.configMap?.name, 'canary-chaos');
}

function kustomize(dir: string): Promise<{ ok: boolean; missing: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['kustomize', dir], { timeout: 60_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const missing = (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
      resolve({ ok: !err, missing, out: err ? stderr : stdout });
    });
  });
}

test('kubectl kustomize builds a region with chaos: experiments mounted, state on the claim', async (t) => {
  const s = scratch(t);
  assert.equal((await generate(s)).code, 0);
  const built = await kustomize(join(s.k8s, 'overlays', 'eu-west-1'));
  if (built.missing) return t.skip('kubectl is not installed here');
  assert.ok(built.ok, built.out);
  const docs = parseAllDocuments(built.out).map((d) => d.toJS() as Manifest);
  const claim = docs.find((d) => d.kind === 'PersistentVolumeClaim');
  assert.equal(claim?.metadata.namespace, 'canary-eu-west-1');
  const dep = docs.find((d) => d.kind === 'Deployment')!;
  const volumes = dep.spec.template.spec.volumes;
  const state = volumes.find((v) => v.name === 'state');
  assert.deepEqual(state, { name: 'state', persistentVolumeClaim: { claimName: claim?.metadata.name } });
  const chaosMap = volumes.find((v) => v.name === 'chaos')?.configMap?.name ?? '';
  const map = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === chaosMap) as unknown as {
    data: Record<string, string>;
  };
  assert.deepEqual(Object.keys(map.data), ['drill.yaml']);
});

const example = join(repoRoot, 'deploy', 'kubernetes', 'examples', 'chaos-rbac');

test('kubectl kustomize builds the RBAC example: a token only there, bound in the target namespace', async (t) => {
  const built = await kustomize(example);
  if (built.missing) return t.skip('kubectl is not installed here');
  assert.ok(built.ok, built.out);
  const docs = parseAllDocuments(built.out).map((d) => d.toJS() as Manifest);
  const dep = docs.find((d) => d.kind === 'Deployment')!;
  const pod = dep.spec.template.spec;
  assert.equal(pod.automountServiceAccountToken, true);
  const account = docs.find((d) => d.kind === 'ServiceAccount' && d.metadata.name === pod.serviceAccountName);
  assert.equal(account?.metadata.namespace, dep.metadata.namespace);
  const binding = docs.find((d) => d.kind === 'RoleBinding');
  assert.deepEqual(binding?.subjects, [
    { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: dep.metadata.namespace },
  ]);
  const role = docs.find((d) => d.kind === 'Role');
  assert.equal(role?.metadata.namespace, binding?.metadata.namespace);
  assert.ok(role?.rules?.some((r) => r.resources.includes('pods') && r.verbs.includes('delete')));
  const base = await kustomize(join(repoRoot, 'deploy', 'kubernetes', 'overlays', 'eu-west-1'));
  assert.doesNotMatch(base.out, /kind: (Role|RoleBinding|ServiceAccount)\n/, 'the base asks for no API access');
  assert.match(base.out, /automountServiceAccountToken: false/);
});

test('the example experiments load: exec with kubectl, http to the API server with the token file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-k8s-chaos-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'chaos'));
  writeFileSync(join(dir, 'token'), 'service-account-token\n');
  for (const f of readdirSync(join(example, 'experiments'))) {
    const text = readFileSync(join(example, 'experiments', f), 'utf8');
    assert.ok(text.includes('${file:/var/run/secrets/kubernetes.io/serviceaccount/token}') || f.startsWith('delete'));
    writeFileSync(
      join(dir, 'chaos', f),
      text.replaceAll('/var/run/secrets/kubernetes.io/serviceaccount/token', '../token'),
    );
  }
  const check = '  - { name: shop-frontend, kind: http, target: "http://127.0.0.1:9/" }';
  writeFileSync(join(dir, 'agent.yaml'), `agent: { region: r }\nchecks:\n${check}\nchaos: { files: [chaos/*.yaml] }\n`);
  const { experiments, problems } = await loadExperiments(await loadConfig(join(dir, 'agent.yaml')));
  assert.deepEqual(problems, []);
  assert.deepEqual(experiments.map((e) => e.name).sort(), ['delete-backend-pods', 'scale-down-web']);
  assert.match(JSON.stringify(experiments), /Bearer service-account-token"/, 'the token is read from its file');
  assert.match(JSON.stringify(experiments), /"kubectl","delete","pod"/);
});
