/**
 * Options of the process lab and of its two kinds of child process, validated by zod.
 * The defaults live here once: `startLab`, the child entry points and `canary lab --help`
 * all read them from these schemas.
 */
import { LOOPBACK_NAMES } from '../../net/origin-guard.js';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { errorMessage } from '../../errors.js';

/** Hosts the lab may bind: it has no authentication, so it never leaves the machine. */
export const LOOPBACK_HOSTS = LOOPBACK_NAMES;

const loopbackHost = z.enum(LOOPBACK_HOSTS, { error: `must be a loopback address (${LOOPBACK_HOSTS.join(', ')})` });
const port = z.coerce.number().int().min(0).max(65535);
const count = z.coerce.number().int().min(0);
const processName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes');

/**
 * Cold start of a backend process: its first `requests` application requests are slow,
 * the first by `delayMs`, each later one a step less, down to no delay.
 */
export const warmupSchema = z.strictObject({
  /** Requests served slowly after start. @defaultValue 20 */
  requests: count.default(20),
  /** Extra delay of the first request, in milliseconds. @defaultValue 200 */
  delayMs: count.default(200),
});

/** Options of {@link startLab}. */
export const labOptionsSchema = z
  .strictObject({
    /** Directory for logs (`<name>.log`) and pid files (`pids/<name>.pid`). */
    dir: z.string().min(1),
    /** Address every process binds. @defaultValue `127.0.0.1` */
    host: loopbackHost.default('127.0.0.1'),
    /** Number of backend processes. @defaultValue 3 */
    backends: z.coerce.number().int().min(1).max(64).default(3),
    /** Balancer port; backend i listens on basePort + i. 0 picks free ports. @defaultValue 18180 */
    basePort: port.default(18180),
    warmup: warmupSchema.prefault({}),
    /**
     * The shared origin behind the backends' caches: one fill at a time, `fillMs` each.
     * `missRatio`: share of a warm backend's requests that miss its cache; every request of
     * a cold one (during warm-up) misses. `fillMs: 0` turns the origin off.
     */
    origin: z
      .strictObject({
        /** @defaultValue 20 */
        fillMs: count.default(20),
        /** @defaultValue 0.05 */
        missRatio: z.coerce.number().min(0).max(1).default(0.05),
      })
      .prefault({}),
    /** How often the balancer re-probes backends it marked down. @defaultValue 500 */
    probeIntervalMs: z.coerce.number().int().min(50).default(500),
    /** How long to wait for a started process to write its pid file. @defaultValue 10000 */
    startTimeoutMs: z.coerce.number().int().min(100).default(10_000),
  })
  .refine((o) => o.basePort === 0 || o.basePort + o.backends <= 65535, {
    message: 'basePort + backends must stay below 65536',
    path: ['basePort'],
  });

/** What callers pass to {@link startLab}; omitted fields take the defaults above. */
export type LabOptions = z.input<typeof labOptionsSchema>;
/** Options with every default applied. */
export type ResolvedLabOptions = z.output<typeof labOptionsSchema>;

/** The supervisor's pid: the child stops when it is gone. Absent: the child lives on its own. */
const parentPid = z.coerce.number().int().min(1).optional();

/** Flags of `backend-main.js`, one backend process. */
export const backendArgsSchema = z.strictObject({
  name: processName,
  host: loopbackHost.default('127.0.0.1'),
  port,
  pidFile: z.string().min(1),
  warmupRequests: warmupSchema.shape.requests,
  warmupDelayMs: warmupSchema.shape.delayMs,
  /** The shared origin's URL; absent: no cache misses are modelled. */
  origin: z.url({ protocol: /^http$/ }).optional(),
  missRatio: z.coerce.number().min(0).max(1).default(0.05),
  parentPid,
});

/** Flags of `balancer-main.js`, the balancer process. */
export const balancerArgsSchema = z.strictObject({
  name: processName.default('balancer'),
  host: loopbackHost.default('127.0.0.1'),
  port,
  pidFile: z.string().min(1),
  /** Comma-separated backend base URLs, in round-robin order. */
  backends: z
    .string()
    .transform((text) => text.split(',').filter((s) => s !== ''))
    .pipe(z.array(z.url({ protocol: /^http$/ })).min(1)),
  probeIntervalMs: labOptionsSchema.shape.probeIntervalMs,
  /** Past this, a request to a backend answers 504. @defaultValue 5000 */
  upstreamTimeoutMs: z.coerce.number().int().min(1).default(5_000),
  parentPid,
});

/**
 * Parses `--kebab-case value` flags of a child process into the camelCase fields of
 * `schema`. Problems end the process with exit code 2 and every problem on stderr, since
 * a child has no caller to throw to.
 */
export function parseProcessArgs<S extends z.ZodObject>(argv: readonly string[], schema: S): z.output<S> {
  const options = Object.fromEntries(Object.keys(schema.shape).map((key) => [kebab(key), { type: 'string' as const }]));
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    const camel = Object.fromEntries(
      Object.entries(values).map(([key, value]) => [
        key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
        value,
      ]),
    );
    const parsed = schema.safeParse(camel);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      process.stderr.write(`--${kebab(issue.path.join('.'))}: ${issue.message}\n`);
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
  }
  process.exit(2);
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
