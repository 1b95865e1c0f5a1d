/**
 * The targets of a Prometheus scrape job that drives blackbox_exporter: `params.module`
 * or a relabelling to `__param_module` names the module, and `__address__` (or what is
 * relabelled to `__param_target`) is the target, the convention of blackbox's README.
 */
import type { Problem } from '../../errors.js';
import { formatPath, positionAt, type YamlSource } from '../yaml.js';

/** One target of the job: what to probe, with which module, and its labels. */
export interface JobTarget {
  target: string;
  module: string;
  labels: Record<string, string>;
}

/** The job's targets: written (static_configs) and discovered (file_sd_configs files). */
export interface ProbeJob {
  name: string;
  /** scrape_interval of the job (or the global one), as written; Prometheus' default 1m. */
  interval: string;
  static: JobTarget[];
  /** file_sd files (as written) with the module each target of them is probed with. */
  fileSd: { files: string[]; module: string; targetLabel: string }[];
}

type Map = Record<string, unknown>;

const isMap = (v: unknown): v is Map => v !== null && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Where a relabelling puts a parameter: a fixed module, or one read from a label. */
interface ParamRule {
  fixed?: string;
  fromLabel?: string;
}

/** The rule writing `__param_NAME` (the last one wins, as in Prometheus). */
function paramRule(relabels: unknown[], name: string): ParamRule | undefined {
  let rule: ParamRule | undefined;
  for (const item of relabels) {
    if (!isMap(item) || item.target_label !== `__param_${name}`) continue;
    const sources = strings(item.source_labels);
    const replacement = typeof item.replacement === 'string' ? item.replacement : '$1';
    rule = sources.length === 1 && replacement === '$1' ? { fromLabel: sources[0] } : { fixed: replacement };
  }
  return rule;
}

function pick(rule: ParamRule | undefined, labels: Record<string, string>, fallback: string): string {
  if (rule?.fixed !== undefined) return rule.fixed;
  if (rule?.fromLabel !== undefined) return labels[rule.fromLabel] ?? '';
  return fallback;
}

function problem(source: YamlSource, path: (string | number)[], message: string): Problem {
  return { file: source.file, ...positionAt(source, path), path: formatPath(path), message };
}

/**
 * Reads job `name` from a parsed Prometheus configuration. Problems: no such job, a job
 * whose targets have no module.
 */
export function readProbeJob(source: YamlSource, data: unknown, name: string): { job?: ProbeJob; problems: Problem[] } {
  const jobs = isMap(data) && Array.isArray(data.scrape_configs) ? data.scrape_configs : [];
  const index = jobs.findIndex((j) => isMap(j) && j.job_name === name);
  if (index === -1) {
    const names = jobs.filter(isMap).map((j) => String(j.job_name as string));
    return {
      problems: [problem(source, ['scrape_configs'], `no job ${JSON.stringify(name)}: jobs are ${names.join(', ')}`)],
    };
  }
  const job = jobs[index] as Map;
  const at = ['scrape_configs', index];
  const global = isMap(data) && isMap(data.global) ? data.global : {};
  const written = job.scrape_interval ?? global.scrape_interval;
  const interval = typeof written === 'string' ? written : '1m';
  const relabels = Array.isArray(job.relabel_configs) ? job.relabel_configs : [];
  const params = isMap(job.params) ? job.params : {};
  const moduleRule = paramRule(relabels, 'module') ?? { fixed: strings(params.module)[0] };
  const targetRule = paramRule(relabels, 'target');
  const problems: Problem[] = [];
  if (moduleRule.fixed === undefined && moduleRule.fromLabel === undefined) {
    problems.push(problem(source, at, 'names no module: set params.module or relabel to __param_module'));
  }
  const statics = (Array.isArray(job.static_configs) ? job.static_configs : []).filter(isMap).flatMap((group) => {
    const labels = isMap(group.labels) ? (group.labels as Record<string, string>) : {};
    return strings(group.targets).map((address) => {
      const all = { ...labels, __address__: address };
      return { target: pick(targetRule, all, address), module: pick(moduleRule, all, ''), labels };
    });
  });
  const fileSd = (Array.isArray(job.file_sd_configs) ? job.file_sd_configs : []).filter(isMap).map((sd) => ({
    files: strings(sd.files),
    module: moduleRule.fixed ?? `{{labels.${moduleRule.fromLabel ?? 'module'}}}`,
    targetLabel: targetRule?.fromLabel ?? '__address__',
  }));
  return { job: { name, interval, static: statics, fileSd }, problems };
}
