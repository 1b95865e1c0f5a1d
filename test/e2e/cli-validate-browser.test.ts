import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';

const CONFIG = `checks:
  - name: ping
    kind: http
    target: http://127.0.0.1:9/
  - name: shop-journey
    kind: browser
    target: http://127.0.0.1:9/
    browser:
      steps:
        - click: '#buy'
`;

let dir: string;
let config: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'canary-validate-browser-'));
  config = join(dir, 'agent.yaml');
  writeFileSync(config, CONFIG);
  mkdirSync(join(dir, 'bin'));
  // validate only looks for the binary; it never starts it.
  writeFileSync(join(dir, 'bin', 'chromium-browser'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'bin', 'chromium-browser'), 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('validate: a browser check without a Chromium on PATH is a problem at the check, exit 2', async () => {
  const run = await runCli(['validate', '--config', config], { env: { PATH: join(dir, 'empty') } });
  assert.equal(run.code, 2, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines[0], 'canary: invalid configuration (1 problem):');
  assert.match(lines[1] ?? '', /agent\.yaml:5:5: no Chromium found on PATH \(tried chromium, chromium-browser, /);
  assert.equal(lines.length, 2);
});

test('validate: a Chromium on PATH, or named by probes.browser.chromium, makes it valid', async () => {
  const found = await runCli(['validate', '--config', config], { env: { PATH: join(dir, 'bin') } });
  assert.equal(found.code, 0, found.stderr);
  const named = join(dir, 'named.yaml');
  writeFileSync(named, `probes:\n  browser:\n    chromium: ${join(dir, 'bin', 'chromium-browser')}\n${CONFIG}`);
  const run = await runCli(['validate', '--config', named], { env: { PATH: join(dir, 'empty') } });
  assert.equal(run.code, 0, run.stderr);
  const wrong = join(dir, 'wrong.yaml');
  writeFileSync(wrong, `probes:\n  browser:\n    chromium: ${join(dir, 'nope')}\n${CONFIG}`);
  const missing = await runCli(['validate', '--config', wrong], { env: { PATH: join(dir, 'bin') } });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /wrong\.yaml:8:5: probes\.browser\.chromium ".*nope" is not an executable file: /);
});
