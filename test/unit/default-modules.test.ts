/**
 * blackbox_exporter's default modules, served by `/probe` when no config names them: our copy
 * of its shipped blackbox.yml translates cleanly, and the same as the file Debian installs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { blackboxModulesFromText } from '../../src/config/blackbox/load.js';
import { DEFAULT_MODULE_NAMES, defaultModules } from '../../src/config/default-modules.js';
import { agentConfigSchema } from '../../src/config/schema/agent.js';

/** The check defaults of an agent file that writes none. */
const DEFAULTS = agentConfigSchema.parse({}).probes.defaults;
const SHIPPED = [
  '/etc/prometheus/blackbox.yml',
  '/usr/share/doc/prometheus-blackbox-exporter/examples/blackbox.yml',
].find((path) => existsSync(path));

/** A module without where it was written: the copy and the file differ only in positions. */
function withoutSource(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSource);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => key !== 'source')
      .map(([key, inner]) => [key, withoutSource(inner)]),
  );
}

test('the default modules translate with no problem, refusal or warning, and are the ten blackbox ships', () => {
  const translated = defaultModules(DEFAULTS);
  assert.deepEqual(translated.problems, []);
  assert.deepEqual(translated.refusals, {});
  assert.deepEqual(translated.warnings, []);
  assert.deepEqual(Object.keys(translated.modules), DEFAULT_MODULE_NAMES);
  assert.deepEqual(DEFAULT_MODULE_NAMES, [
    'http_2xx',
    'http_post_2xx',
    'tcp_connect',
    'pop3s_banner',
    'grpc',
    'grpc_plain',
    'ssh_banner',
    'irc_banner',
    'icmp',
    'icmp_ttl5',
  ]);
});

test(
  "they are what Debian's blackbox.yml gives, module for module",
  { skip: SHIPPED ? false : 'no blackbox.yml: install the Debian package prometheus-blackbox-exporter' },
  () => {
    const file = blackboxModulesFromText(SHIPPED ?? '', readFileSync(SHIPPED ?? '', 'utf8'), DEFAULTS);
    assert.deepEqual(file.problems, []);
    assert.deepEqual(withoutSource(defaultModules(DEFAULTS).modules), withoutSource(file.modules));
  },
);
