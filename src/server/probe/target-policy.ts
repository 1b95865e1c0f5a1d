/**
 * Applies `server.probe.allow` and the always-refused addresses (src/net/address-policy.ts)
 * to a `/probe` request: where its one-off check would connect, and what that name
 * resolves to now.
 */
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { splitHostPort } from '../../config/schema/base.js';
import { parseServer } from '../../config/schema/dns.js';
import { icmpTarget } from '../../config/schema/icmp.js';
import type { ResolvedCheck } from '../../config/types.js';
import {
  probeRefusal,
  refusedUnresolved,
  type AddressPolicy,
  type ProbeEndpoint,
  type SelfEndpoint,
} from '../../net/address-policy.js';
import { parseIp } from '../../net/ip.js';
import { pathRefusal } from '../../net/socket-path.js';
import type { AddressVet } from '../../probes/types.js';
import type { ServerAddress } from '../server.js';

/** Resolves a name to every address, as the probes do. */
export type Lookup = (host: string) => Promise<readonly string[]>;

const systemLookup: Lookup = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * The host and port the check would connect to first; `undefined` for a target its probe
 * cannot use, which fails without connecting anywhere.
 */
export function probeEndpoint(check: ResolvedCheck): ProbeEndpoint | undefined {
  if (check.kind === 'dns') return check.dns.server === undefined ? undefined : parseServer(check.dns.server);
  // ICMP has no port: 0 matches no allow entry that names one.
  if (check.kind === 'icmp')
    return icmpTarget.safeParse(check.target).success ? { host: check.target, port: 0 } : undefined;
  if (check.kind !== 'http') return splitHostPort(check.target);
  let url: URL;
  try {
    url = new URL(check.target);
  } catch {
    return undefined;
  }
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/** The agent's own server as the policy sees it; every local address when it listens on all of them. */
export function selfEndpoint(address: ServerAddress | undefined): SelfEndpoint | undefined {
  if (address === undefined) return undefined;
  const wildcard = address.host === '0.0.0.0' || address.host === '::';
  const local = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return { port: address.port, addresses: wildcard ? local : [address.host], wildcard };
}

async function addressesOf(host: string, resolve: Lookup): Promise<readonly string[]> {
  if (parseIp(host) !== undefined) return [host];
  try {
    return await resolve(host);
  } catch {
    // Unresolvable: the probe fails on its own lookup; an allow list still requires a listed name.
    return [];
  }
}

/**
 * Asks the policy about each connection a probe is about to make, so a redirect, or a name
 * that resolves differently for the probe than for {@link targetRefusal} (DNS rebinding),
 * cannot lead to a refused address.
 */
export function addressVet(policy: AddressPolicy): AddressVet {
  return (host, address, port) => probeRefusal(policy, { host, port }, [address]);
}

/**
 * Why the policy refuses the check's target, or `undefined`, before the probe starts: a
 * refused target answers 403 rather than a failed probe. A name is judged by every address
 * it resolves to now; {@link addressVet} judges the one the probe dials.
 */
export async function targetRefusal(
  policy: AddressPolicy,
  check: ResolvedCheck,
  resolve: Lookup = systemLookup,
): Promise<string | undefined> {
  // A socket path has no name to resolve and no redirect to follow: judged here once.
  if (check.kind === 'unix') return pathRefusal(policy.allow, check.target);
  const endpoint = probeEndpoint(check);
  if (endpoint === undefined) return undefined;
  return (
    refusedUnresolved(policy, endpoint) ?? probeRefusal(policy, endpoint, await addressesOf(endpoint.host, resolve))
  );
}
