/**
 * What a `/probe` request asks for, read the way blackbox_exporter reads it: the module
 * (default `http_2xx`), the target, and the time the probe may take.
 */
import { splitHostPort } from '../../config/schema/base.js';
import { parseServer } from '../../config/schema/dns.js';
import { icmpTarget } from '../../config/schema/icmp.js';
import type { ResolvedCheck, ResolvedModule } from '../../config/types.js';
import { isNormalPath } from '../../net/socket-path.js';

/** The module blackbox uses when `module=` is absent. */
export const DEFAULT_MODULE = 'http_2xx';

/** Taken off Prometheus's scrape timeout so the answer arrives before Prometheus gives up (blackbox's `--timeout-offset`). */
export const TIMEOUT_OFFSET_SECONDS = 0.5;

/** The scrape timeout assumed when Prometheus does not send one (blackbox's). */
export const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 120;

/**
 * The probe's time budget in seconds: the scrape timeout (header, else 120s) less the
 * offset, or the module's `timeout` when that is shorter. A header above 120s counts as
 * 120s: whoever sends the request must not hold a probe open for as long as they like.
 * Throws on an unparsable header.
 */
export function probeTimeoutSeconds(header: string | undefined, moduleTimeoutMs: number | undefined): number {
  let scrape = DEFAULT_SCRAPE_TIMEOUT_SECONDS;
  if (header !== undefined && header.trim() !== '') {
    scrape = Number(header);
    if (!Number.isFinite(scrape) || scrape < 0)
      throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(header)}: invalid syntax`);
    if (scrape === 0 || scrape > DEFAULT_SCRAPE_TIMEOUT_SECONDS) scrape = DEFAULT_SCRAPE_TIMEOUT_SECONDS;
  }
  const module = moduleTimeoutMs === undefined ? undefined : moduleTimeoutMs / 1000;
  const max = scrape - TIMEOUT_OFFSET_SECONDS;
  if (module !== undefined && (module < max || max <= 0)) return module;
  // A scrape timeout under the offset leaves nothing to subtract from; use it whole.
  return max > 0 ? max : scrape;
}

/** Blackbox's leniency for HTTP: a target without a scheme means `http://`. */
function httpUrl(target: string): string {
  return target.startsWith('http://') || target.startsWith('https://') ? target : `http://${target}`;
}

/**
 * Where the request's target goes, per kind. Blackbox's dns target is the nameserver (the
 * module names the query), so for dns it fills `dns.server` and the query name stays the
 * check's target; tcp, tls and grpc take `host:port` as their checks do, unix a socket path.
 */
function withTarget(check: ResolvedCheck, target: string): ResolvedCheck {
  if (check.kind === 'http') return { ...check, target: httpUrl(target) };
  if (check.kind === 'dns') return { ...check, dns: { ...check.dns, server: target } };
  return { ...check, target };
}

/**
 * Why the probe of this kind cannot use `target`, in words for the probe log; `undefined`
 * when it can. Such a target is a failed probe (probe_success 0), as in blackbox.
 */
export function targetProblem(kind: string, target: string): string | undefined {
  if (kind === 'dns') {
    return parseServer(target) === undefined
      ? `the target ${JSON.stringify(target)} must be the DNS server's IP address with an optional port (IP[:PORT])`
      : undefined;
  }
  if (kind === 'websocket') {
    return /^wss?:\/\/[^/?#]/.test(target) && URL.canParse(target)
      ? undefined
      : `the target ${JSON.stringify(target)} must be a ws:// or wss:// URL`;
  }
  if (kind === 'icmp') {
    return icmpTarget.safeParse(target).success
      ? undefined
      : `the target ${JSON.stringify(target)} must be a host name or an IP address, without a port`;
  }
  if (kind === 'tcp' || kind === 'tls' || kind === 'grpc') {
    return splitHostPort(target) === undefined
      ? `the target ${JSON.stringify(target)} must be host:port (missing port in address)`
      : undefined;
  }
  if (kind === 'unix' && !isNormalPath(target))
    return `the target ${JSON.stringify(target)} must be an absolute unix socket path`;
  return undefined;
}

/**
 * The one-off check of a module and a target. A target the probe cannot use is not
 * refused here: the probe reports it as a failed probe, as blackbox does.
 */
export function oneOffCheck(module: ResolvedModule, target: string, timeoutSeconds: number): ResolvedCheck {
  return { ...withTarget(module.check, target), timeoutMs: Math.max(1, Math.round(timeoutSeconds * 1000)) };
}

/** The module named by the query; `undefined` when no such module is configured. */
export function findModule(
  modules: Readonly<Record<string, ResolvedModule>>,
  name: string,
): ResolvedModule | undefined {
  // Own keys only: `module=constructor` must not find Object.prototype's.
  return Object.hasOwn(modules, name) ? modules[name] : undefined;
}
