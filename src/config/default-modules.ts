/**
 * blackbox_exporter's default modules: the names its shipped `blackbox.yml` gives, so that
 * `/probe?module=http_2xx` works on an agent whose config writes no modules, as it does on
 * a fresh blackbox_exporter. A module of the same name in the agent config or a blackbox
 * file (even one that cannot be probed) takes its place.
 */
import type { CheckDefaults } from './resolve.js';
import { moduleSchema } from './schema/module.js';
import { resolveModule } from './modules.js';
import type { ResolvedModule } from './types.js';
import { parseYaml } from './yaml.js';

const DEFAULT_MODULES: Readonly<Record<string, unknown>> = {
  http_2xx: { prober: 'http' },
  http_post_2xx: { prober: 'http', http: { method: 'POST' } },
  tcp_connect: { prober: 'tcp' },
  icmp: { prober: 'icmp' },
};

/** The names of the default modules, for docs and messages. */
export const DEFAULT_MODULE_NAMES = Object.keys(DEFAULT_MODULES);

export function withDefaultModules(
  modules: Readonly<Record<string, ResolvedModule>>,
  taken: Readonly<Record<string, unknown>>,
  defaults: CheckDefaults,
): Record<string, ResolvedModule> {
  const out = { ...modules };
  const { source } = parseYaml('(default modules)', '');
  for (const [name, raw] of Object.entries(DEFAULT_MODULES)) {
    if (Object.hasOwn(out, name) || Object.hasOwn(taken, name)) continue;
    out[name] = resolveModule(source, ['modules', name], name, moduleSchema.parse(raw), defaults).module;
  }
  return out;
}
