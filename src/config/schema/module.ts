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

/** Keys a check has that a module does not: Prometheus owns the target and the schedule. */
const CHECK_ONLY = { name: true, target: true, interval: true, schedule: true, timeout: true, retries: true, labels: true, enabled: true, kind: true } as const;

/** Module names: what `module=` carries, and a label value of `canary_probe_requests_total`. */
export const MODULE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

const moduleTimeout = duration({ min: 1 })
  .optional()
  .meta({
    description:
      'Upper bound of one probe. The scrape timeout Prometheus sends (X-Prometheus-Scrape-Timeout-Seconds, less 0.5s) bounds it too; without either, 119.5s.',
  });

type CheckShape = z.core.$ZodLooseShape & { kind: z.ZodLiteral<string> };
type ModuleShape<S extends CheckShape> = Omit<S, keyof typeof CHECK_ONLY> & { prober: S['kind']; timeout: typeof moduleTimeout };

/**
 * The module schema of one check kind: the check's own fields minus the check-only ones,
 * `kind` renamed `prober` (blackbox's word), and a `timeout` that may be left out.
 */
function moduleOf<S extends CheckShape>(check: z.ZodObject<S, z.core.$strict>): z.ZodObject<ModuleShape<S>, z.core.$strict> {
  const rest = Object.fromEntries(Object.entries(check.shape).filter(([key]) => !(key in CHECK_ONLY)));
  // zod cannot compute an omit over a generic shape; the cast restates what this builds.
  return z.strictObject({ ...rest, prober: check.shape.kind, timeout: moduleTimeout }) as unknown as z.ZodObject<ModuleShape<S>, z.core.$strict>;
}

/** Every module kind, told apart by `prober`. A new probe kind adds its check schema here. */
export const moduleSchema = z
  .discriminatedUnion('prober', [moduleOf(httpCheckSchema)])
  .meta({ description: 'A probe module: a check without name or target, run once per GET /probe?module=NAME&target=TARGET.' });

/** `modules:` in the agent config, by name. */
export const modulesSchema = z
  .record(
    z.string().regex(MODULE_NAME_PATTERN, 'module names must start with a letter or digit and use only letters, digits, _ . : -').max(128),
    moduleSchema,
  )
  .default({})
  .meta({ description: 'Probe modules for GET /probe?target=&module=, blackbox_exporter style (Prometheus-driven probing).' });

export type ModuleInput = z.input<typeof moduleSchema>;
export type ParsedModule = z.output<typeof moduleSchema>;
