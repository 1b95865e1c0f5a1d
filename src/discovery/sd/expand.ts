import { isAbsolute, resolve } from 'node:path';
import type { Problem } from '../../errors.js';
import { resolveCheck } from '../../config/resolve.js';
import { checkRules, type CheckEntry } from '../../config/rules.js';
import { checkSchema } from '../../config/schema/check.js';
import type { DiscoverySource } from '../../config/schema/discovery.js';
import type { ResolvedCheck } from '../../config/types.js';
import { formatPath, positionAt } from '../../config/yaml.js';
import type { SdDocument } from './groups.js';
import { instantiate } from '../../config/sd-template.js';

/** `probes.defaults`, as discovered checks get them like configured ones. */
export type CheckDefaults = Parameters<typeof resolveCheck>[1];

/**
 * File paths in a template (tls ca/cert/key) are relative to the agent config that holds
 * it, not to the file_sd file the check is positioned in; so they are made absolute first.
 */
function absoluteTemplate(template: Readonly<Record<string, unknown>>, baseDir: string): Record<string, unknown> {
  const tls = template.tls;
  if (tls === null || typeof tls !== 'object' || Array.isArray(tls)) return { ...template };
  const fixed: Record<string, unknown> = { ...(tls as Record<string, unknown>) };
  for (const key of ['ca', 'cert', 'key']) {
    const value = fixed[key];
    if (typeof value === 'string' && !isAbsolute(value) && !value.includes('{{')) fixed[key] = resolve(baseDir, value);
  }
  return { ...template, tls: fixed };
}

/**
 * The checks one source's target groups become, validated like configured checks.
 * Problems point at the target in the file_sd file or http_sd answer; a target listed
 * twice in one source is one check (the first group's labels win).
 */
export function expandSource(
  source: DiscoverySource,
  docs: readonly SdDocument[],
  baseDir: string,
  defaults: CheckDefaults,
): { checks: ResolvedCheck[]; problems: Problem[] } {
  const template = absoluteTemplate(source.template, baseDir);
  const entries: CheckEntry[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    for (const [g, group] of doc.groups.entries()) {
      for (const [t, address] of group.targets.entries()) {
        const raw = instantiate(source.name, template, { address, labels: group.labels });
        const name = raw.name as string;
        if (seen.has(name)) continue;
        seen.add(name);
        const path = [g, 'targets', t];
        const parsed = checkSchema.safeParse(raw);
        if (parsed.success) {
          entries.push({ check: parsed.data, source: doc.source, path });
          continue;
        }
        const at = { file: doc.source.file, ...positionAt(doc.source, path), path: formatPath(path) };
        for (const issue of parsed.error.issues) {
          const key = formatPath(issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k)));
          problems.push({
            ...at,
            message: `discovery source ${source.name}: check ${name}: ${key ? `${key}: ` : ''}${issue.message}`,
          });
        }
      }
    }
  }
  problems.push(...checkRules(entries, defaults));
  const checks = entries.map((entry) => {
    const resolved = resolveCheck(entry, defaults);
    problems.push(...resolved.problems);
    return resolved.check;
  });
  return { checks, problems };
}
