/**
 * Runs test files in this one process, each as a suite named after its file, so its
 * top-level hooks stay its own. The unit tier runs this way: its tests touch nothing outside
 * the process (test/unit/test-tiers.test.ts holds them to it), so sharing one process and
 * one import of src/ costs them nothing and saves a node start and a fresh module graph per
 * file, most of the tier's time.
 *
 * Usage: node --test-reporter=spec dist/test/in-process.js FILE.test.js ...
 */
import { describe } from 'node:test';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

for (const file of process.argv.slice(2)) {
  describe(relative(here, file), async () => {
    await import(pathToFileURL(file).href);
  });
}
