import { z } from 'zod';
import { parseIp } from '../../net/ip.js';
import { checkBase, ipFallback, ipFamily } from './base.js';
import { duration } from './common.js';

/** The largest ICMP echo payload an IPv4 packet can carry (65535 less the IP and ICMP headers). */
export const ICMP_MAX_PAYLOAD = 65_507;

/** An IP address as written, without brackets or a zone. */
function isIpLiteral(value: string): boolean {
  return /^[0-9A-Fa-f:.]+$/.test(value) && parseIp(value) !== undefined;
}

const HOST_NAME =
  /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/;

/** A host to ping: a name or an IP address (IPv6 without brackets), no port, no scheme. */
export const icmpTarget = z
  .string()
  .refine(
    (v) => isIpLiteral(v) || (v.length <= 254 && HOST_NAME.test(v)),
    'must be a host name or an IP address without a port, e.g. db.example.com, 192.0.2.1 or 2001:db8::1',
  );

/** How the echo request is sent. */
export const icmpOptionsSchema = z.strictObject({
  ipFamily,
  ipFallback,
  payloadSize: z
    .int()
    .min(0)
    .max(ICMP_MAX_PAYLOAD)
    .optional()
    .meta({ description: 'Bytes of payload after the 8-byte ICMP header; default a short text naming canary.' }),
  dontFragment: z
    .boolean()
    .default(false)
    .meta({ description: 'Set the IPv4 DF bit (IPv6: do not fragment locally); a too-large request then fails.' }),
  ttl: z
    .int()
    .min(1)
    .max(255)
    .optional()
    .meta({ description: 'IPv4 TTL or IPv6 hop limit of the request; default the system one (usually 64).' }),
  sourceIp: z
    .string()
    .refine(isIpLiteral, 'must be an IP address')
    .optional()
    .meta({ description: 'Send from this local address; its family must be the one the target resolves to.' }),
});

export const icmpExpectSchema = z.strictObject({
  maxDuration: duration().optional(),
});

export const icmpCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('icmp'),
    target: icmpTarget,
    icmp: icmpOptionsSchema.prefault({}),
    expect: icmpExpectSchema.prefault({}),
  })
  .meta({ description: "An ICMP check: one echo request (ping) and its reply, as blackbox_exporter's icmp prober." });
