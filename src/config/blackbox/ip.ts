import type { Fields } from './reader.js';

/**
 * `preferred_ip_protocol` as canary's `ipFamily`. Unwritten, canary keeps the resolver's
 * order (which puts IPv6 first where the host has it, as blackbox's default ip6 does);
 * blackbox reads any value but ip6 as ip4.
 */
export function ipFamily(fields: Fields): 'ipv4' | 'ipv6' | undefined {
  const value = fields.str('preferred_ip_protocol');
  if (value === undefined || value === '') return undefined;
  return value === 'ip6' ? 'ipv6' : 'ipv4';
}
