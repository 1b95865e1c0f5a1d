/**
 * What `canary import blackbox` writes: the modules in canary's words, and, for a
 * Prometheus job probing through blackbox_exporter, its targets as scheduled checks
 * (static_configs) or as a discovery source with a check template (file_sd_configs).
 */
import { checkName } from '../sd-template.js';
import type { JobTarget, ProbeJob } from './prometheus.js';
import type { TranslatedModule } from './translate.js';

/** One file to write: its name in the output folder, its YAML content, and what it holds. */
export interface ProbeFile {
  name: string;
  content: Record<string, unknown>;
  summary: string;
}

type Fields = Record<string, unknown>;

/**
 * A module's fields as a check's (or a template's) for `target`. A dns module's target is
 * the server to ask, and its query name the check's target, as canary's dns checks have it.
 */
export function checkFields(module: Fields, target: string): Fields {
  const { prober, timeout: _timeout, ...fields } = module;
  if (prober !== 'dns') return { kind: prober, target, ...fields };
  const { queryName, ...dns } = (fields.dns ?? {}) as Fields;
  return { kind: prober, target: queryName, ...fields, dns: { ...dns, server: target } };
}

function staticChecks(job: ProbeJob, modules: ReadonlyMap<string, TranslatedModule>, skipped: string[]): Fields[] {
  return job.static.flatMap((t: JobTarget) => {
    const module = modules.get(t.module);
    if (module === undefined) {
      skipped.push(`${t.target}: module ${JSON.stringify(t.module)} is not in the blackbox file or cannot be probed`);
      return [];
    }
    const timeout = module.module.timeout;
    return [
      {
        // The scheme adds nothing to a name, and its `://` would become `___`.
        name: checkName(job.name, t.target.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')),
        ...checkFields(module.module, t.target),
        interval: job.interval,
        ...(timeout === undefined ? {} : { timeout }),
        ...(Object.keys(t.labels).length > 0 ? { labels: t.labels } : {}),
      },
    ];
  });
}

function discovery(job: ProbeJob, modules: ReadonlyMap<string, TranslatedModule>, skipped: string[]): Fields[] {
  return job.fileSd.flatMap((sd, i) => {
    const module = modules.get(sd.module);
    if (module === undefined) {
      skipped.push(
        `file_sd ${sd.files.join(', ')}: module ${JSON.stringify(sd.module)} is not one fixed probeable module`,
      );
      return [];
    }
    const name = job.fileSd.length === 1 ? job.name : `${job.name}-${i + 1}`;
    const address = sd.targetLabel === '__address__' ? '{{address}}' : `{{labels.${sd.targetLabel}}}`;
    return [{ name, fileSd: sd.files, template: { ...checkFields(module.module, address), interval: job.interval } }];
  });
}

/** The files for the probeable `modules` and, when given, a job's targets. */
export function probeFiles(
  modules: readonly TranslatedModule[],
  job: ProbeJob | undefined,
): { files: ProbeFile[]; skipped: string[] } {
  const probeable = new Map(modules.filter((m) => m.unsupported.length === 0).map((m) => [m.name, m]));
  const files: ProbeFile[] = [
    {
      name: 'modules.yaml',
      content: { modules: Object.fromEntries([...probeable].map(([name, m]) => [name, m.module])) },
      summary: `${probeable.size} module(s), for modules: of the agent config`,
    },
  ];
  const skipped: string[] = [];
  if (job === undefined) return { files, skipped };
  const checks = staticChecks(job, probeable, skipped);
  if (checks.length > 0) {
    files.push({ name: `${job.name}.yaml`, content: { checks }, summary: `${checks.length} check(s), a probe file` });
  }
  const sources = discovery(job, probeable, skipped);
  if (sources.length > 0) {
    files.push({
      name: `${job.name}-discovery.yaml`,
      content: { probes: { discovery: sources } },
      summary: `${sources.length} discovery source(s), for probes.discovery of the agent config`,
    });
  }
  return { files, skipped };
}
