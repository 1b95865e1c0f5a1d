/**
 * Writes config/schema.json and config/probe-file.schema.json (`npm run schema`). A test
 * fails when the committed files differ from what the schemas generate.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, serialise } from './json-schema.js';

const configDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../config');
for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(resolve(configDir, name), serialise(schema));
  console.log(`wrote config/${name}`);
}
