import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { buildKubernetesBase, type KubernetesBase } from '../../deploy/kubernetes.js';
import { displayPath, isCanaryError } from '../../errors.js';
import { EXIT } from '../exit.js';
import { CONFIG_FLAG, configPath, readOrUndefined, type Io } from '../io.js';

const DEFAULT_BASE = 'deploy/kubernetes/base';

interface GenerateOptions {
  config?: string;
  base: string;
  check?: boolean;
  json?: boolean;
}

/** `canary kubernetes …`: the kustomize base made from the config. */
export function kubernetesCommand(io: Io): Command {
  return new Command('kubernetes')
    .description('the Kubernetes (kustomize) base made from the config: generate')
    .addCommand(kubernetesGenerateCommand(io));
}

/** `canary kubernetes generate`: the base's agent config, probe files and experiments from the config. */
export function kubernetesGenerateCommand(io: Io): Command {
  return new Command('generate')
    .description(
      "write the kustomize base's agent config, probe files and chaos experiments (its ConfigMaps) from the agent config",
    )
    .option(...CONFIG_FLAG)
    .option('-b, --base <dir>', 'the kustomize base directory', DEFAULT_BASE)
    .option('--check', 'compare with the base instead of writing it; exit 1 when it differs (for CI)')
    .option('--json', 'print a summary as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  canary kubernetes generate\n' +
        `  canary kubernetes generate --config config/agent.yaml --base ${DEFAULT_BASE} --check\n\n` +
        'In the pod, the region comes from the overlay (${CANARY_REGION}), the agent listens on 0.0.0.0 at\n' +
        'the same port, probe files are read from the canary-probes ConfigMap and chaos state goes to the\n' +
        "`state` volume; the rest of the config is copied as written. The kustomization's canary-probes\n" +
        'list is rewritten; probe files in the base that no longer come from the config are removed.\n' +
        'Chaos experiments (chaos.files) go to a canary-chaos ConfigMap, and the kustomization names\n' +
        '../components/chaos, which mounts them and keeps chaos state on a PersistentVolumeClaim.\n\n' +
        'Exit: 0 written or up to date; 1 --check found a difference; 2 invalid config or flags.',
    )
    .action(async (options: GenerateOptions) => {
      io.exitCode = await generate(options, io);
    });
}

async function generate(options: GenerateOptions, io: Io): Promise<number> {
  const base = await buildKubernetesBase(configPath(io, options.config), options.base).catch((err: unknown) => {
    if (!isCanaryError(err, 'CANARY_ERR_CONFIG')) throw err;
    io.err(`canary: ${err.message}`);
    return undefined;
  });
  if (!base) return EXIT.usage;
  const differ = await differences(base, options.base);
  const summary = { base: options.base, config: displayPath(base.config), files: base.files.map((f) => f.path) };
  if (options.check) {
    if (options.json) io.out(JSON.stringify({ ...summary, upToDate: differ.length === 0, differ }, null, 2));
    else if (differ.length === 0) io.out(`${options.base}: up to date with ${summary.config}`);
    else
      io.err(
        `canary: ${options.base} differs from what ${summary.config} makes (${differ.join(', ')}); run: canary kubernetes generate --config ${summary.config} --base ${options.base}`,
      );
    return differ.length === 0 ? EXIT.ok : EXIT.failed;
  }
  for (const file of base.files) {
    await mkdir(dirname(join(options.base, file.path)), { recursive: true });
    await writeFile(join(options.base, file.path), file.text);
  }
  for (const path of base.stale) await rm(join(options.base, path), { force: true });
  // The chaos/ of a base whose config no longer names experiments goes with its last copy.
  await rmdir(join(options.base, 'chaos')).catch(() => undefined);
  if (options.json) io.out(JSON.stringify({ ...summary, written: differ }, null, 2));
  else
    io.out(
      `${options.base}: ${differ.length === 0 ? 'already up to date' : `wrote ${differ.join(', ')}`} from ${summary.config}`,
    );
  return EXIT.ok;
}

/** The base's files that a write would change, add or remove. */
async function differences(base: KubernetesBase, dir: string): Promise<string[]> {
  const changed: string[] = [];
  for (const file of base.files) {
    if ((await readOrUndefined(join(dir, file.path))) !== file.text) changed.push(file.path);
  }
  return [...changed, ...base.stale];
}
