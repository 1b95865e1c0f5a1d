/**
 * The address to ping: an IP literal as it is, a name resolved by the system resolver and
 * picked by the preferred family, with the other family as fallback when allowed (the
 * rule the http probe uses).
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { ResolvedIcmpCheck } from '../../config/types.js';
import { pickAddress } from '../http/connection.js';

/** A resolved target. */
export interface IcmpAddress {
  address: string;
  version: 4 | 6;
}

/** Resolves `check.target`; rejects with the resolver's error (`ENOTFOUND`, classified `dns`). */
export async function resolveTarget(check: ResolvedIcmpCheck): Promise<IcmpAddress> {
  const literal = isIP(check.target);
  if (literal !== 0) return { address: check.target, version: literal as 4 | 6 };
  const all = await dns.lookup(check.target, { all: true });
  const chosen = pickAddress(all, {
    hostname: check.target,
    family: check.icmp.ipFamily,
    fallback: check.icmp.ipFallback,
  });
  return { address: chosen.address, version: chosen.family === 6 ? 6 : 4 };
}
