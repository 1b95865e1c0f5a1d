import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root (above dist/), where config/, probes/ and chaos/ ship. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The package version, read once from package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
