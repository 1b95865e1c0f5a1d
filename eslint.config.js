// Lint runs type-aware so promise mistakes (a probe left floating, a missed await on
// shutdown) fail the build instead of surfacing as a stuck agent in production.
import { readdirSync, readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/**
 * The layers of src/, lowest first, read from docs/architecture.md so the rule and the
 * diagram there are one list: each line is `name  peer | peer ...`, a peer being one or
 * more paths under src/.
 */
function readLayers() {
  const doc = readFileSync(new URL('./docs/architecture.md', import.meta.url), 'utf8');
  const block = /<!-- layers:begin -->\s*```\n([\s\S]*?)```\s*<!-- layers:end -->/.exec(doc);
  if (!block)
    throw new Error(
      'docs/architecture.md: the layer list between <!-- layers:begin --> and <!-- layers:end --> is missing',
    );
  return block[1]
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name, ...rest] = line.trim().split(/\s+/);
      const peers = rest
        .join(' ')
        .split('|')
        .map((peer) =>
          peer
            .trim()
            .split(/\s+/)
            .map((path) => `./src/${path}`),
        );
      return { name, peers };
    });
}

/** Every file and folder directly under src/ must sit in a layer, or the rule would not see it. */
function checkPlaced(layers) {
  const placed = new Set(layers.flatMap((layer) => layer.peers.flat()));
  const unplaced = readdirSync(new URL('./src/', import.meta.url)).filter((name) => !placed.has(`./src/${name}`));
  if (unplaced.length > 0)
    throw new Error(
      `docs/architecture.md: put ${unplaced.map((name) => `src/${name}`).join(', ')} in a layer of the list`,
    );
  return layers;
}

/**
 * One zone per peer: it may not import a peer of its own layer or anything above it.
 * Imports are resolved to files first, so `../run/execute.js` is judged as src/run/execute.ts.
 */
function layerZones(layers) {
  return layers.flatMap((layer, index) =>
    layer.peers.map((target) => {
      const peers = layer.peers.filter((peer) => peer !== target).flat();
      const above = layers.slice(index + 1).flatMap((higher) => higher.peers.flat());
      return {
        target,
        from: [...peers, ...above],
        message: `layer "${layer.name}": a file imports only the layers below its own, and no other peer of its layer (docs/architecture.md)`,
      };
    }),
  );
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'var/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test registers tests synchronously; the returned promises are the runner's.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Structure: no import cycles anywhere (type-only imports are erased at build and do
    // not count), and each layer of src/ imports only the layers below it.
    files: ['src/**/*.ts', 'test/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // The sources import `./x.js` and the file is `x.ts`, as NodeNext wants.
      'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })],
      // no-cycle follows imports by parsing each file it reaches: TypeScript files too.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones(checkPlaced(readLayers())) }],
      // Size limits for the code a reader must hold at once. Blank lines and comments do
      // not count: the conventions ask for comments that say why and a doc comment per
      // field, and a limit that counted them would push people to delete them. Tests are
      // exempt: a test file is a list of independent cases, and one test's setup, action
      // and assertions read best in one place even when long.
      'max-lines': ['error', { max: 250, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The status page's modules run in the browser, not in Node.
    files: ['ui/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
