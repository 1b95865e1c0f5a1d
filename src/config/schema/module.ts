/**
 * Probe modules for Prometheus-driven probing (`GET /probe?target=&module=`), as in
 * blackbox_exporter's `modules:`. A module is a check without a name, a target or a
 * schedule: Prometheus supplies the target and decides when to probe. Each module's
 * fields are the fields of the check kind its `prober` names, taken from that check's
 * schema, so a module and a check of the same kind can never drift apart.
 */
import { z } from 'zod';
import { duration } from './common.js';
import { httpCheckSchema } from './check.js';
import { dnsCheckSchema, dnsOptionsSchema } from './dns.js';
import { grpcCheckSchema } from './grpc.js';
import { icmpCheckSchema } from './icmp.js';
import { tcpCheckSchema } from './tcp.js';
import { tlsCheckSchema } from './tls.js';
import { unixCheckSchema } from './unix.js';
import { websocketCheckSchema } from './websocket.js';

/** Keys a check has that a module does not: Prometheus owns the target and the schedule. */
const CHECK_ONLY = {
  name: true,
  target: true,
  interval: true,
  schedule: true,
  timeout: true,
  retries: true,
  labels: true,
  enabled: true,
  slo: true,
  kind: true,
} as const;

/** Module names: what `module=` carries, and a label value of `canary_probe_requests_total`. */
export const MODULE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

const moduleTimeout = duration({ min: 1 }).optional().meta({
  description:
    'Upper bound of one probe. The scrape timeout Prometheus sends (X-Prometheus-Scrape-Timeout-Seconds, less 0.5s) bounds it too; without either, 119.5s.',
});

type CheckShape = z.core.$ZodLooseShape & { kind: z.ZodLiteral<string> };
type ModuleShape<S extends CheckShape, O extends z.core.$ZodLooseShape> = Omit<S, keyof typeof CHECK_ONLY | keyof O> &
  O & { prober: S['kind']; timeout: typeof moduleTimeout };

/**
 * The module schema of one check kind: the check's own fields minus the check-only ones,
 * `kind` renamed `prober` (blackbox's word), and a `timeout` that may be left out.
 * `overrides` replaces fields whose meaning differs in a module (dns); the check's own
 * refinements (tcp: certMinLifetime needs tcp.tls) carry over.
 */
function moduleOf<S extends CheckShape, O extends z.core.$ZodLooseShape = Record<never, never>>(
  check: z.ZodObject<S, z.core.$strict>,
  overrides?: O,
): z.ZodObject<ModuleShape<S, O>, z.core.$strict> {
  const rest = Object.fromEntries(Object.entries(check.shape).filter(([key]) => !(key in CHECK_ONLY)));
  const schema = z.strictObject({ ...rest, ...overrides, prober: check.shape.kind, timeout: moduleTimeout });
  // The check's refinements read only fields a module shares with it.
  const refinements = (check._zod.def.checks ?? []) as unknown as z.core.$ZodCheck<z.output<typeof schema>>[];
  // zod cannot compute an omit over a generic shape; the cast restates what this builds.
  return (refinements.length > 0 ? schema.check(...refinements) : schema) as unknown as z.ZodObject<
    ModuleShape<S, O>,
    z.core.$strict
  >;
}

/** The message when a dns module has no query name: the /probe target is the server. */
export const DNS_QUERY_NAME_MISSING =
  'a dns module needs dns.queryName: the /probe target is the DNS server to ask (IP[:PORT]), as in blackbox_exporter';

/**
 * `dns:` of a dns module. Blackbox's dns target is the nameserver and its module names
 * the query, so `/probe?target=` fills `dns.server` (not writable here) and `queryName`,
 * which a dns check takes from its `target`, is required.
 */
const dnsModuleOptions = dnsOptionsSchema.omit({ server: true }).extend({
  queryName: z
    .string({ error: (issue) => (issue.input === undefined ? DNS_QUERY_NAME_MISSING : undefined) })
    .check(...(dnsCheckSchema.shape.target._zod.def.checks ?? []))
    .meta({
      description: "The name to ask about (blackbox's query_name); the /probe target is the nameserver, IP[:PORT].",
    }),
});

/** Every module kind, told apart by `prober`. A new probe kind adds its check schema here. */
export const moduleSchema = z
  .discriminatedUnion('prober', [
    moduleOf(httpCheckSchema),
    moduleOf(tcpCheckSchema),
    moduleOf(tlsCheckSchema),
    moduleOf(dnsCheckSchema, { dns: dnsModuleOptions.prefault({} as z.input<typeof dnsModuleOptions>) }),
    moduleOf(grpcCheckSchema),
    moduleOf(unixCheckSchema),
    moduleOf(websocketCheckSchema),
    moduleOf(icmpCheckSchema),
  ])
  .meta({
    description: 'A probe module: a check without name or target, run once per GET /probe?module=NAME&target=TARGET.',
  });

/** `modules:` in the agent config, by name. */
export const modulesSchema = z
  .record(
    z
      .string()
      .regex(
        MODULE_NAME_PATTERN,
        'module names must start with a letter or digit and use only letters, digits, _ . : -',
      )
      .max(128),
    moduleSchema,
  )
  .default({})
  .meta({
    description: 'Probe modules for GET /probe?target=&module=, blackbox_exporter style (Prometheus-driven probing).',
  });

export type ModuleInput = z.input<typeof moduleSchema>;
export type ParsedModule = z.output<typeof moduleSchema>;
