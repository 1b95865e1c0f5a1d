/**
 * `probe_ip_protocol` for a probe whose Observation does not say which address family it
 * connected over: an IP literal answers itself; a name is resolved again and picked with
 * the probe's own rule (`auto` keeps the resolver's order, else the preferred family,
 * else the other one when fallback is on), which the system resolver answers from the
 * same data the probe just used.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** How the probe chose among a name's addresses. */
export interface FamilyPreference {
  family: 'auto' | 'ipv4' | 'ipv6';
  fallback: boolean;
}

function hostnameOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname;
    return host.startsWith('[') ? host.slice(1, -1) : host;
  } catch {
    return undefined;
  }
}

function pick(addresses: readonly { family: number }[], preference: FamilyPreference): number {
  const first = addresses[0];
  if (first === undefined) return 0;
  if (preference.family === 'auto') return first.family;
  const want = preference.family === 'ipv4' ? 4 : 6;
  if (addresses.some((a) => a.family === want)) return want;
  return preference.fallback ? first.family : 0;
}

/**
 * 4 or 6 for the family the probe of `url` used; 0 when unknown (no such name, or the
 * deadline passed first).
 */
export function ipProtocolOf(url: string, preference: FamilyPreference, signal: AbortSignal): Promise<number> {
  return ipProtocolOfHost(hostnameOf(url), preference, signal);
}

/** {@link ipProtocolOf} for a host name or IP address (tcp, tls, grpc, dns targets). */
export async function ipProtocolOfHost(
  host: string | undefined,
  preference: FamilyPreference,
  signal: AbortSignal,
): Promise<number> {
  if (host === undefined || host === '') return 0;
  const literal = isIP(host);
  if (literal !== 0) return literal;
  if (signal.aborted) return 0;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<number>((resolve) => {
    onAbort = () => resolve(0);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const resolved = lookup(host, { all: true }).then(
      (addresses) => pick(addresses, preference),
      () => 0,
    );
    return await Promise.race([resolved, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
