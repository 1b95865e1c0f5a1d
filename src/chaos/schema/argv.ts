import { z } from 'zod';

/** Environment for a program: names as a shell would accept them. */
export const envSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names must match [A-Za-z_][A-Za-z0-9_]*'),
  z.string(),
);

/** A program and its arguments, never run through a shell. */
export const argvSchema = z
  .array(z.string())
  .min(1)
  .refine((argv) => argv[0] !== '', 'the program (first item) must not be empty')
  .meta({
    description:
      'Program and arguments, run without a shell; {instance}, {pid}, {url}, {var.NAME} (and {signal} in a kill) are replaced per instance.',
  });
