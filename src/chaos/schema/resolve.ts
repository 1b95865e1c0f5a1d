import { basename, dirname, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { displayPath, type Problem } from '../../errors.js';
import { formatPath, positionAt, type YamlSource } from '../../config/yaml.js';
import type { HttpRequestSpec, Instance, Target, TargetDriver } from '../model/target.js';
import { resolveLabTarget } from './lab-target.js';
import type { ParsedTarget } from './targets.js';
import { dropUndefined } from './tolerance.js';

/** Resolved targets, and the names of those whose instances came from a pid file glob. */
export interface ResolvedTargets {
  targets: Record<string, Target>;
  fromPidFiles: Set<string>;
  problems: Problem[];
}

/**
 * Makes instance paths absolute (relative to the experiment file) and expands `pidFiles`
 * globs into instances. A glob matching nothing gives a target without instances, not a
 * problem: the fleet may not be running yet, and the runner refuses an empty target.
 */
export async function resolveTargets(
  parsed: Record<string, ParsedTarget>,
  source: YamlSource,
): Promise<ResolvedTargets> {
  const base = dirname(source.file);
  const resolved: ResolvedTargets = { targets: {}, fromPidFiles: new Set(), problems: [] };
  for (const [name, target] of Object.entries(parsed)) {
    if (target.lab !== undefined) {
      // Its instances are known now (with url and pidFile), so placeholders are judged on them.
      resolved.targets[name] = await resolveLabTarget(name, target.lab);
      continue;
    }
    const driver = driverOf(target);
    const start =
      target.start &&
      dropUndefined({
        argv: target.start.argv,
        env: target.start.env,
        cwd: target.start.cwd === undefined ? undefined : resolve(base, target.start.cwd),
        timeoutMs: target.start.timeout,
      });
    if (target.pidFiles === undefined) {
      const instances = (target.instances ?? []).map((i): Instance =>
        dropUndefined({
          name: i.name,
          pidFile: i.pidFile === undefined ? undefined : resolve(base, i.pidFile),
          url: i.url,
          vars: i.vars,
        }),
      );
      resolved.targets[name] = dropUndefined({ name, instances, start, driver });
      continue;
    }
    resolved.fromPidFiles.add(name);
    const expanded = await expandPidFiles(target.pidFiles, base);
    resolved.targets[name] = dropUndefined({ name, instances: expanded.instances, start });
    for (const message of expanded.problems) {
      const at = ['targets', name, 'pidFiles'];
      resolved.problems.push({ file: source.file, ...positionAt(source, at), path: formatPath(at), message });
    }
  }
  return resolved;
}

type HttpFields = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  expectStatus: number[];
  timeout: number;
};

function requestSpec({ timeout, ...rest }: HttpFields): HttpRequestSpec {
  return dropUndefined({ ...rest, timeoutMs: timeout });
}

/** The exec or http driver as the runner uses it (durations in ms). */
function driverOf(target: ParsedTarget): TargetDriver | undefined {
  if (target.exec !== undefined) {
    const { kill, restore, env, timeout } = target.exec;
    return {
      kind: 'exec',
      kill: { argv: kill, env, timeoutMs: timeout },
      restore: { argv: restore, env, timeoutMs: timeout },
    };
  }
  if (target.http !== undefined)
    return { kind: 'http', kill: requestSpec(target.http.kill), restore: requestSpec(target.http.restore) };
  return undefined;
}

/** One instance per matching file, named by the file's name without `.pid`, in path order. */
async function expandPidFiles(pattern: string, base: string): Promise<{ instances: Instance[]; problems: string[] }> {
  const files = (await glob(pattern, { cwd: base, absolute: true, onlyFiles: true })).sort();
  const byName = new Map<string, string>();
  const problems: string[] = [];
  for (const file of files) {
    const name = basename(file).replace(/\.pid$/, '');
    const first = byName.get(name);
    if (first !== undefined) {
      problems.push(
        `matches ${displayPath(first)} and ${displayPath(file)}: both would be instance "${name}"; instance names must be unique`,
      );
      continue;
    }
    byName.set(name, file);
  }
  return { instances: [...byName].map(([name, pidFile]) => ({ name, pidFile, vars: {} })), problems };
}
