import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Command } from 'commander';
import { glob } from 'tinyglobby';
import { stringify } from 'yaml';
import { probeFiles, type ProbeFile } from '../../config/blackbox/probe-files.js';
import { readProbeJob, type ProbeJob } from '../../config/blackbox/prometheus.js';
import { Report } from '../../config/blackbox/reader.js';
import { translateBlackbox, type TranslatedModule } from '../../config/blackbox/translate.js';
import type { TargetGroup } from '../../config/sd-template.js';
import { checkTranslated } from '../../config/blackbox/validate.js';
import { configError, sortProblems } from '../../config/load.js';
import { parseYaml, yamlData, type YamlSource } from '../../config/yaml.js';
import { displayPath, formatProblem, type Problem } from '../../errors.js';
import { EXIT, usageError } from '../exit.js';
import type { Io } from '../io.js';

/** Written out in full: a shared object would otherwise come out as a YAML anchor and aliases. */
const YAML_OPTIONS = { aliasDuplicateObjects: false } as const;

interface ImportFlags {
  targets?: string;
  job?: string;
  out?: string;
  json?: boolean;
}

const HELP = `
Writes, into --out (or prints, one YAML document per file):
  modules.yaml            the modules in canary's words, for modules: of the agent config
  JOB.yaml                with --targets: the job's static_configs targets as checks (a probe file)
  JOB-discovery.yaml      with --targets: its file_sd_configs as probes.discovery sources

The job follows blackbox_exporter's convention: params.module (or a relabelling to
__param_module) names the module, __address__ (or what is relabelled to __param_target)
the target. A module canary cannot honour is left out, with a warning naming the field.

Examples:
  canary import blackbox /etc/blackbox_exporter/blackbox.yml
  canary import blackbox blackbox.yml --targets prometheus.yml --job blackbox-http --out probes/imported
  canary import blackbox blackbox.yml --json

Exit: 0 written or printed; 2 a file is invalid or missing, or the job is unknown.`;

/** `canary import …`: configuration of other tools as canary's. */
export function importCommand(io: Io): Command {
  return new Command('import').description("turn another tool's configuration into canary's: blackbox").addCommand(
    new Command('blackbox')
      .description("write canary probe files from blackbox_exporter's configuration (and a Prometheus job)")
      .argument('<file>', "blackbox_exporter's configuration file")
      .option('--targets <prometheus.yml>', 'Prometheus configuration with the job that probes through blackbox')
      .option('--job <name>', 'the scrape job of --targets (needed when it has several)')
      .option('-o, --out <dir>', 'write the files into this folder instead of printing them')
      .option('--json', 'print what was made as JSON')
      .addHelpText('after', HELP)
      .action(async (file: string, flags: ImportFlags) => {
        io.exitCode = await importBlackbox(file, flags, io);
      }),
  );
}

async function parsed(file: string): Promise<{ source: YamlSource; data: unknown }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw configError([{ file, line: 0, col: 0, path: '', message: `cannot read file: ${code}` }]);
  }
  const { source, problems } = parseYaml(file, text);
  const data = problems.length > 0 ? { value: undefined, problems } : yamlData(source, {});
  if (data.problems.length > 0) throw configError(data.problems);
  return { source, data: data.value };
}

/** The job of the Prometheus file: `--job`, or its only job when it has one. */
async function job(flags: ImportFlags): Promise<ProbeJob | undefined> {
  if (flags.targets === undefined) {
    if (flags.job !== undefined) throw usageError('--job needs --targets (the Prometheus configuration)');
    return undefined;
  }
  const { source, data } = await parsed(flags.targets);
  const jobs = (data as { scrape_configs?: { job_name?: string }[] }).scrape_configs ?? [];
  const name = flags.job ?? (jobs.length === 1 ? jobs[0]?.job_name : undefined);
  if (name === undefined) throw usageError(`--job: ${flags.targets} has ${jobs.length} jobs; name one`);
  const read = readProbeJob(source, data, name);
  if (read.problems.length > 0 || read.job === undefined) throw configError(read.problems);
  // file_sd paths are relative to the Prometheus file; canary's to the agent's: make them absolute.
  const base = dirname(resolve(flags.targets));
  for (const sd of read.job.fileSd) sd.files = sd.files.map((f) => (isAbsolute(f) ? f : resolve(base, f)));
  return read.job;
}

/**
 * canary's discovery fills templates with host:port addresses, while blackbox's http
 * targets are URLs: the file_sd files of an http module are read now and their targets
 * written as checks (import again when they change).
 */
async function snapshotHttpFileSd(job: ProbeJob, modules: readonly TranslatedModule[], io: Io): Promise<void> {
  const http = new Set(modules.filter((m) => m.module.prober === 'http').map((m) => m.name));
  const kept: ProbeJob['fileSd'] = [];
  for (const sd of job.fileSd) {
    if (!http.has(sd.module)) {
      kept.push(sd);
      continue;
    }
    for (const file of (await Promise.all(sd.files.map((f) => glob(f, { absolute: true })))).flat().sort()) {
      const { data } = await parsed(file);
      for (const group of Array.isArray(data) ? (data as TargetGroup[]) : []) {
        const labels = group.labels ?? {};
        for (const target of group.targets ?? []) job.static.push({ target, module: sd.module, labels });
      }
      io.err(`canary: ${displayPath(file)}: http targets written as checks (canary's discovery takes host:port)`);
    }
  }
  job.fileSd = kept;
}

async function emit(files: ProbeFile[], flags: ImportFlags, io: Io): Promise<void> {
  if (flags.out !== undefined) {
    await mkdir(flags.out, { recursive: true });
    for (const file of files) await writeFile(join(flags.out, file.name), stringify(file.content, YAML_OPTIONS));
  }
  if (flags.json) {
    const shown = files.map((f) => ({ file: flags.out === undefined ? f.name : join(flags.out, f.name), ...f }));
    io.out(JSON.stringify({ files: shown }, null, 2));
  } else if (flags.out !== undefined) {
    for (const file of files) io.out(`${join(flags.out, file.name)}: ${file.summary}`);
  } else {
    io.out(
      files
        .map((f) => `# ${f.name}: ${f.summary}\n${stringify(f.content, YAML_OPTIONS)}`)
        .join('---\n')
        .trimEnd(),
    );
  }
}

async function importBlackbox(file: string, flags: ImportFlags, io: Io): Promise<number> {
  const { source, data } = await parsed(file);
  const base = dirname(resolve(file));
  const translation = translateBlackbox(source, data, {
    readText: (path) => readFileSync(resolve(base, path), 'utf8'),
  });
  if (translation.problems.length > 0) throw configError(translation.problems);
  const report = new Report(source);
  for (const module of translation.modules) checkTranslated(module, report);
  const probeJob = await job(flags);
  if (probeJob !== undefined) await snapshotHttpFileSd(probeJob, translation.modules, io);
  const { files, skipped } = probeFiles(translation.modules, probeJob);
  const warnings: Problem[] = sortProblems([...translation.warnings, ...report.warnings]);
  for (const warning of warnings) io.err(`canary: warning: ${formatProblem(warning)}`);
  for (const line of skipped) io.err(`canary: skipped ${line}`);
  await emit(files, flags, io);
  return EXIT.ok;
}
