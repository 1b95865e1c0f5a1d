import { z } from 'zod';
import { duration } from '../../config/schema/common.js';

/** Names users refer to: targets, instances. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const NAME_MESSAGE = 'must start with a letter or digit and use only letters, digits, _ . -';

/** A target or instance name. */
export const nameSchema = z.string().regex(NAME_PATTERN, NAME_MESSAGE).max(128);

/** An absolute http:// or https:// URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const instanceSchema = z
  .strictObject({
    name: nameSchema,
    pidFile: z.string().min(1).optional().meta({ description: 'File holding the pid, relative to the experiment file.' }),
    url: z.string().refine(isHttpUrl, 'must be an absolute http:// or https:// URL').optional().meta({ description: 'Usable as {url}.' }),
    vars: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names must match [A-Za-z_][A-Za-z0-9_]*'), z.string())
      .default({})
      .meta({ description: 'Free values, usable as {var.NAME}.' }),
  })
  .meta({ description: 'One instance: what actions act on.' });

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
        argv: z.array(z.string()).min(1).refine((argv) => argv[0] !== '', 'the program (first item) must not be empty'),
        env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names must match [A-Za-z_][A-Za-z0-9_]*'), z.string()).default({}),
        cwd: z.string().min(1).optional().meta({ description: 'Working directory, relative to the experiment file.' }),
        timeout: duration({ min: 1 }).prefault('10s').meta({ description: 'How long the new process has to write a live pid into its pid file.' }),
      })
      .optional()
      .meta({ description: 'How to start an instance again after a kill (detached; {instance}, {pidFile}, {url}, {var.NAME} filled in). It is the kill\'s revert.' }),
  })
  .refine((t) => (t.instances === undefined) !== (t.pidFiles === undefined), {
    message: 'needs exactly one of instances or pidFiles',
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    for (const [i, instance] of (t.instances ?? []).entries()) {
      if (seen.has(instance.name)) {
        ctx.addIssue({ code: 'custom', path: ['instances', i, 'name'], message: `duplicate instance name "${instance.name}"` });
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
