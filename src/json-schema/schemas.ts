import { z } from 'zod';
import { experimentJsonSchema } from '../chaos/schema.js';
import { agentConfigSchema } from '../config/schema/agent.js';
import { probeFileSchema } from '../config/schema/check.js';

/**
 * JSON Schemas of the files users write (agent config, probe files, chaos experiments),
 * generated from the zod schemas so editors (yaml-language-server) validate and complete
 * exactly what the agent accepts. The input side is used: durations are strings there, as
 * people write them.
 */
export function jsonSchemas(): Record<string, unknown> {
  return {
    'schema.json': z.toJSONSchema(agentConfigSchema, { io: 'input', unrepresentable: 'any' }),
    'probe-file.schema.json': z.toJSONSchema(probeFileSchema, { io: 'input', unrepresentable: 'any' }),
    'chaos-experiment.schema.json': experimentJsonSchema(),
  };
}

/** Serialises a schema the way it is stored in config/, so a test can compare byte for byte. */
export function serialise(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
