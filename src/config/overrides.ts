import { resolve } from 'node:path';
import { CanaryError, ERROR_CODES } from '../errors.js';
import { agentConfigSchema } from './schema/agent.js';
import type { Config } from './types.js';

/** Command-line values that win over the file (`canary run --listen --region --web.config.file`). */
export interface Overrides {
  listen?: string;
  region?: string;
  /** A web config file, relative to the working directory as command-line paths are. */
  webConfig?: string;
}

/**
 * Applies flag overrides, validated by the same schema as the file so `--listen nope`
 * fails exactly like `server.listen: nope` would.
 */
export function applyOverrides(config: Config, overrides: Overrides): Config {
  const server = {
    ...config.server,
    listen:
      check('--listen', overrides.listen, agentConfigSchema.shape.server.unwrap().shape.listen) ?? config.server.listen,
    webConfig: overrides.webConfig ? resolve(overrides.webConfig) : config.server.webConfig,
  };
  const agent = {
    ...config.agent,
    region:
      check('--region', overrides.region, agentConfigSchema.shape.agent.unwrap().shape.region) ?? config.agent.region,
  };
  return Object.freeze({ ...config, server: Object.freeze(server), agent: Object.freeze(agent) });
}

function check(
  flag: string,
  value: string | undefined,
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
): string | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new CanaryError(ERROR_CODES.usage, `${flag} ${value}: ${parsed.error?.issues[0]?.message ?? 'invalid'}`);
  return value;
}
