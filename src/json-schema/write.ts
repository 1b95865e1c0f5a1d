/**
 * Writes config/schema.json, config/probe-file.schema.json and
 * config/chaos-experiment.schema.json (`npm run schema`). A test fails when the committed
 * files differ from what the schemas generate. It sits at the top of the layers, beside
 * the CLI, because it reads both the config and the chaos schemas.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, serialise } from './schemas.js';

const configDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../config');
for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(resolve(configDir, name), serialise(schema));
  console.log(`wrote config/${name}`);
}
