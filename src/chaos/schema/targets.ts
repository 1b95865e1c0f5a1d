import { z } from 'zod';
import { duration } from '../../config/schema/common.js';
import { argvSchema, envSchema } from './argv.js';
import { httpRequestFields } from './http-step.js';
import { isHttpUrl } from './url.js';

/** Names users refer to: targets, instances. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const NAME_MESSAGE = 'must start with a letter or digit and use only letters, digits, _ . -';

/** A target or instance name. */
export const nameSchema = z.string().regex(NAME_PATTERN, NAME_MESSAGE).max(128);

const instanceSchema = z
  .strictObject({
    name: nameSchema,
    pidFile: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'File holding the pid, relative to the experiment file.' }),
    url: z
      .string()
      .refine(isHttpUrl, 'must be an absolute http:// or https:// URL')
      .optional()
      .meta({ description: 'Usable as {url}.' }),
    vars: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names must match [A-Za-z_][A-Za-z0-9_]*'),
        z.string(),
      )
      .default({})
      .meta({ description: 'Free values, usable as {var.NAME}.' }),
  })
  .meta({ description: 'One instance: what actions act on.' });

const execDriverSchema = z
  .strictObject({
    kill: argvSchema.meta({
      description: 'Takes one instance down, e.g. [systemctl, kill, --signal, "{signal}", "api@{instance}"].',
    }),
    restore: argvSchema.meta({
      description: 'Brings it back, e.g. [systemctl, start, "api@{instance}"]; the kill\'s revert.',
    }),
    env: envSchema.default({}),
    timeout: duration({ min: 1 }).prefault('30s'),
  })
  .meta({ description: 'Kill and restore each instance by running a program (systemctl, kubectl, ssh).' });

const httpDriverSchema = z
  .strictObject({
    kill: z.strictObject(httpRequestFields).meta({ description: 'The request that takes one instance down.' }),
    restore: z
      .strictObject(httpRequestFields)
      .meta({ description: "The request that brings it back; the kill's revert." }),
  })
  .meta({ description: "Kill and restore each instance with an HTTP request (an orchestrator's API)." });

const labSchema = z
  .strictObject({
    control: z
      .string()
      .refine(isHttpUrl, 'must be an absolute http:// URL')
      .default('http://127.0.0.1:18179')
      .meta({ description: 'The control API of `canary lab`.' }),
    role: z
      .enum(['backend', 'balancer'])
      .default('backend')
      .meta({ description: "Which of the lab's processes are the instances." }),
  })
  .meta({
    description:
      'The processes of a running `canary lab`, listed from its control API when the experiment is loaded; kill and restore go through that API.',
  });

/** Where a target's instances come from, and how a kill reaches them: each combination that makes sense, and only those. */
function targetRules(
  t: { instances?: unknown; pidFiles?: unknown; lab?: unknown; exec?: unknown; http?: unknown; start?: unknown },
  ctx: z.RefinementCtx,
): void {
  const sources = (['instances', 'pidFiles', 'lab'] as const).filter((k) => t[k] !== undefined);
  if (sources.length !== 1)
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `needs exactly one of instances, pidFiles or lab${sources.length > 1 ? ` (got ${sources.join(' and ')})` : ''}`,
    });
  const drivers = (['exec', 'http', 'start'] as const).filter((k) => t[k] !== undefined);
  if (drivers.length > 1)
    ctx.addIssue({
      code: 'custom',
      path: [drivers[1] as string],
      message: `cannot be combined with ${drivers[0]}: a target is killed and restored one way`,
    });
  if (t.lab !== undefined && drivers.length > 0)
    ctx.addIssue({
      code: 'custom',
      path: [drivers[0] as string],
      message: "a lab target is killed and restored through the lab's control API",
    });
  for (const driver of ['exec', 'http'] as const) {
    if (t[driver] !== undefined && t.instances === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [driver],
        message: `needs instances: name the instances the ${driver} kill and restore act on`,
      });
  }
}

/**
 * A target: an explicit list of instances, or a glob of pid files (one instance per file,
 * named by the file's name without `.pid`), expanded when the experiment is loaded.
 */
export const targetSchema = z
  .strictObject({
    instances: z.array(instanceSchema).min(1).optional(),
    pidFiles: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Glob of pid files relative to the experiment file; each match is an instance.' }),
    start: z
      .strictObject({
        argv: argvSchema,
        env: envSchema.default({}),
        cwd: z.string().min(1).optional().meta({ description: 'Working directory, relative to the experiment file.' }),
        timeout: duration({ min: 1 })
          .prefault('10s')
          .meta({ description: 'How long the new process has to write a live pid into its pid file.' }),
      })
      .optional()
      .meta({
        description:
          "How to start an instance again after a kill (detached; {instance}, {pidFile}, {url}, {var.NAME} filled in). It is the kill's revert.",
      }),
    exec: execDriverSchema.optional(),
    http: httpDriverSchema.optional(),
    lab: labSchema.optional(),
  })
  .superRefine(targetRules)
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    for (const [i, instance] of (t.instances ?? []).entries()) {
      if (seen.has(instance.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['instances', i, 'name'],
          message: `duplicate instance name "${instance.name}"`,
        });
      }
      seen.add(instance.name);
    }
  });

/** `targets:`, name to target. @defaultValue `{}` */
export const targetsSchema = z
  .record(nameSchema, targetSchema)
  .default({})
  .meta({ description: 'Named sets of instances that steps act on.' });

/** A target as written: instances not yet resolved against the file system. */
export type ParsedTarget = z.output<typeof targetSchema>;
