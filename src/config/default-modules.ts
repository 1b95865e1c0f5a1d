/**
 * blackbox_exporter's default modules: the ones its shipped `blackbox.yml` (0.23, as Debian
 * installs it in /etc/prometheus) writes, so that `/probe?module=http_2xx` or `ssh_banner`
 * works on an agent whose config writes no modules, as it does on a fresh blackbox_exporter.
 * They are kept in blackbox's own words and go through the same translation as a user's
 * blackbox file, so they probe exactly as a `--blackbox-config` of that file would. A module
 * of the same name in the agent config or a blackbox file (even one that cannot be probed)
 * takes its place. That file has no dns module: one needs the name to query.
 */
import { blackboxModulesFromText } from './blackbox/load.js';
import type { CheckDefaults } from './resolve.js';
import type { ResolvedModule } from './types.js';

const SHIPPED_BLACKBOX_YML = [
  'modules:',
  '  http_2xx: { prober: http }',
  '  http_post_2xx: { prober: http, http: { method: POST } }',
  '  tcp_connect: { prober: tcp }',
  '  pop3s_banner:',
  '    prober: tcp',
  '    tcp: { query_response: [ { expect: "^+OK" } ], tls: true, tls_config: { insecure_skip_verify: false } }',
  '  grpc: { prober: grpc, grpc: { tls: true, preferred_ip_protocol: ip4 } }',
  '  grpc_plain: { prober: grpc, grpc: { tls: false, service: service1 } }',
  '  ssh_banner:',
  '    prober: tcp',
  '    tcp: { query_response: [ { expect: "^SSH-2.0-" }, { send: "SSH-2.0-blackbox-ssh-check" } ] }',
  '  irc_banner:',
  '    prober: tcp',
  '    tcp:',
  '      query_response:',
  '        - send: "NICK prober"',
  '        - send: "USER prober prober prober :prober"',
  '        - { expect: "PING :([^ ]+)", send: "PONG ${1}" }',
  '        - expect: "^:[^ ]+ 001"',
  '  icmp: { prober: icmp }',
  '  icmp_ttl5: { prober: icmp, timeout: 5s, icmp: { ttl: 5 } }',
  '',
].join('\n');

/** Where the default modules' problems, if any, would point. */
const SOURCE_NAME = '(blackbox_exporter default modules)';

/** The default modules, translated with these check defaults (problems and refusals are bugs: a test pins them empty). */
export function defaultModules(defaults: CheckDefaults): ReturnType<typeof blackboxModulesFromText> {
  return blackboxModulesFromText(SOURCE_NAME, SHIPPED_BLACKBOX_YML, defaults);
}

/** The names of the default modules, for docs and messages. */
export const DEFAULT_MODULE_NAMES = [...SHIPPED_BLACKBOX_YML.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1] ?? '');

export function withDefaultModules(
  modules: Readonly<Record<string, ResolvedModule>>,
  taken: Readonly<Record<string, unknown>>,
  defaults: CheckDefaults,
): Record<string, ResolvedModule> {
  const out = { ...modules };
  for (const [name, module] of Object.entries(defaultModules(defaults).modules)) {
    if (Object.hasOwn(out, name) || Object.hasOwn(taken, name)) continue;
    out[name] = module;
  }
  return out;
}
