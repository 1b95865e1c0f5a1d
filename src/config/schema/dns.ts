import { isIP } from 'node:net';
import { z } from 'zod';
import { checkBase, splitHostPort } from './base.js';
import { duration, regex } from './common.js';

/** Record types a DNS check can ask for. */
export const DNS_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'NS', 'SOA', 'PTR', 'CAA', 'ANY'] as const;

/** Response codes by name (RFC 1035, 2136). */
export const DNS_RCODES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
] as const;

/** A nameserver: an IP address with an optional port (53 when absent). */
export function parseServer(value: string): { host: string; port: number } | undefined {
  if (isIP(value) !== 0) return { host: value, port: 53 };
  const split = splitHostPort(value);
  return split !== undefined && isIP(split.host) !== 0 ? split : undefined;
}

const server = z
  .string()
  .refine(
    (v) => parseServer(v) !== undefined,
    'must be an IP address with an optional port, e.g. 127.0.0.1:5353 or [::1]:53',
  )
  .optional()
  .meta({ description: 'Nameserver to ask, IP[:PORT]; default the first nameserver of the system resolver.' });

/** The name to ask about: a domain name (a trailing dot is allowed), or `.` for the root. */
const dnsTarget = z
  .string()
  .refine(
    (v) =>
      v === '.' ||
      (v.length <= 254 &&
        /^(?:[A-Za-z0-9_*](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/.test(
          v,
        )),
    'must be a domain name such as example.com',
  );

/** How the query is asked. */
export const dnsOptionsSchema = z.strictObject({
  server,
  transport: z.enum(['udp', 'tcp']).default('udp'),
  type: z.enum(DNS_TYPES).default('A'),
  recursion: z.boolean().default(true).meta({ description: 'Set the RD (recursion desired) flag.' }),
});

/** An expectation on one section's records, each record as text: `name.<TAB>ttl<TAB>IN<TAB>TYPE<TAB>data`. */
const recordExpectation = z
  .strictObject({
    matches: regex().optional(),
    notMatches: regex().optional(),
    allMatch: regex().optional(),
    allowEmpty: z.boolean().optional().meta({ description: 'With allMatch: a section without records passes.' }),
  })
  .refine((r) => [r.matches, r.notMatches, r.allMatch].filter((v) => v !== undefined).length === 1, {
    message: 'needs exactly one of matches, notMatches or allMatch',
  })
  .meta({
    description:
      'matches: at least one record matches; notMatches: no record matches; allMatch: there are records and every one matches.',
  });

/** What a DNS check expects of the response. */
export const dnsExpectSchema = z.strictObject({
  rcode: z.array(z.enum(DNS_RCODES)).min(1).default(['NOERROR']),
  minAnswers: z.int().min(0).optional().meta({ description: 'At least this many records in the answer section.' }),
  answers: z.array(recordExpectation).default([]),
  authority: z.array(recordExpectation).default([]),
  additional: z.array(recordExpectation).default([]),
  maxDuration: duration().optional(),
});

export const dnsCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('dns'),
    target: dnsTarget,
    dns: dnsOptionsSchema.prefault({}),
    expect: dnsExpectSchema.prefault({}),
  })
  .meta({ description: 'A DNS check: one query for the target name to a chosen nameserver, over UDP or TCP.' });

export type DnsExpect = z.output<typeof dnsExpectSchema>;
