/**
 * Turns `modules:` of the agent file into checks waiting for a target, so `/probe` runs
 * them with the same probes, TLS file handling and assertions as scheduled checks.
 */
import type { Problem } from '../errors.js';
import { resolveCheck, type CheckDefaults } from './resolve.js';
import type { ParsedCheck } from './schema/check.js';
import { moduleSchema, type ParsedModule } from './schema/module.js';
import type { ResolvedModule } from './types.js';
import { formatPath, positionAt, type YamlSource } from './yaml.js';

/** The modules of the raw agent file that are valid on their own, so their TLS files are checked even when another key is invalid. */
function validModules(raw: unknown): [string, ParsedModule][] {
  const modules = (raw as { modules?: unknown } | undefined)?.modules;
  if (modules === null || typeof modules !== 'object' || Array.isArray(modules)) return [];
  return Object.entries(modules as Record<string, unknown>).flatMap(([name, value]): [string, ParsedModule][] => {
    const parsed = moduleSchema.safeParse(value);
    return parsed.success ? [[name, parsed.data]] : [];
  });
}

/**
 * The check a module stands for: its fields, with the kind from `prober`. A dns module's
 * `dns.queryName` becomes the check's target (what a dns check asks about); every other
 * kind's target comes from the request.
 */
function checkOf(name: string, module: ParsedModule): ParsedCheck {
  const { prober, timeout, ...fields } = module;
  const { queryName, ...dns } = 'dns' in fields ? fields.dns : { queryName: '' };
  const query = 'dns' in fields ? { dns } : {};
  const check = { ...fields, ...query, kind: prober, name, target: queryName, labels: {}, enabled: true, timeout };
  // A module's fields are its kind's check fields (its schema is derived from the check's),
  // so `kind` and fields pair up; with several kinds TypeScript cannot follow the spread.
  return check as unknown as ParsedCheck;
}

/**
 * Settings a module cannot honour. Kept-alive connections are pooled per check, and each
 * `/probe` request is a check of its own, so a pool would only hold an idle socket per
 * target scraped; blackbox_exporter also opens a new connection per probe.
 */
function moduleRules(source: YamlSource, name: string, module: ParsedModule): Problem[] {
  if (!('http' in module) || !module.http.keepAlive) return [];
  const at = ['modules', name, 'http', 'keepAlive'];
  const message = 'cannot be true in a module: /probe opens a new connection for every probe';
  return [{ file: source.file, ...positionAt(source, at), path: formatPath(at), message }];
}

/**
 * Resolves one module written at `path` of `source`: its check with TLS paths absolute
 * (relative to that file) and unreadable files as problems.
 */
export function resolveModule(
  source: YamlSource,
  path: (string | number)[],
  name: string,
  module: ParsedModule,
  defaults: CheckDefaults,
): { module: ResolvedModule; problems: Problem[] } {
  // One scrape is one attempt: Prometheus decides when to ask again, as with blackbox_exporter.
  const once = { ...defaults, retries: { ...defaults.retries, count: 0 } };
  const resolved = resolveCheck({ check: checkOf(name, module), source, path }, once);
  return {
    module: {
      name,
      prober: module.prober,
      check: resolved.check,
      ...(module.timeout === undefined ? {} : { timeoutMs: module.timeout }),
    },
    problems: resolved.problems,
  };
}

/**
 * Resolves every valid module of the agent file. Problems (unreadable TLS files) are
 * placed at `modules.NAME.tls.ca` and so on.
 */
export function resolveModules(
  source: YamlSource,
  raw: unknown,
  defaults: CheckDefaults,
): { modules: Record<string, ResolvedModule>; problems: Problem[] } {
  const modules: Record<string, ResolvedModule> = {};
  const problems: Problem[] = [];
  for (const [name, module] of validModules(raw)) {
    const resolved = resolveModule(source, ['modules', name], name, module, defaults);
    problems.push(...resolved.problems, ...moduleRules(source, name, module));
    modules[name] = resolved.module;
  }
  return { modules, problems };
}
