import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MODULE_NAMES } from '../../src/config/default-modules.js';
import { loadConfig } from '../../src/config/load.js';
import { formatProblem, isCanaryError } from '../../src/errors.js';
import { redactText } from '../../src/secrets/redact.js';
import { fixture, repoRoot } from '../helpers/paths.js';

process.chdir(repoRoot);

const AGENT = fixture('blackbox', 'agent.yaml');

test('--blackbox-config: its modules join the agent modules, each checked by canary schema', async () => {
  const config = await loadConfig(AGENT, { env: {}, blackboxConfig: 'test/fixtures/blackbox/blackbox.yml' });
  // The file's and the agent's, and blackbox's default modules that neither names.
  assert.deepEqual(Object.keys(config.modules).sort(), [
    'dns_test',
    'grpc',
    'grpc_plain',
    'http_2xx',
    'http_json',
    'http_post_2xx',
    'icmp',
    'icmp_ttl5',
    'irc_banner',
    'pop3s_banner',
    'ssh_banner',
    'tcp_connect',
  ]);
  const post = config.modules.http_post_2xx;
  assert.equal(post?.timeoutMs, 5000);
  assert.equal(post?.check.kind === 'http' && post.check.http.method, 'POST');
  assert.equal(post?.check.kind === 'http' && post.check.http.maxBodySize, 1024 * 1024);
  const dns = config.modules.dns_test?.check;
  assert.equal(dns?.kind === 'dns' && dns.target, 'example.com');
  assert.deepEqual(Object.keys(config.moduleRefusals ?? {}), ['http3', 'grpc_health']);
  assert.match(config.moduleRefusals?.http3 ?? '', /^canary cannot honour modules\.http3\.http\.enable_http3: HTTP\/3/);
  assert.deepEqual((config.warnings ?? []).map(formatProblem), [
    'test/fixtures/blackbox/blackbox.yml:23:21: modules.http3.http.enable_http3: canary cannot honour this: HTTP/3 is not available in canary; /probe answers an error for module http3',
    'test/fixtures/blackbox/blackbox.yml:48:9: modules.grpc_health.grpc.metadata: canary cannot honour this: gRPC request metadata is not available in canary; /probe answers an error for module grpc_health',
  ]);
});

test('blackboxConfig in the agent file is relative to it; an invalid blackbox file is refused with every problem', async () => {
  const err = await loadConfig(fixture('blackbox', 'agent-invalid.yaml'), { env: {} }).then(
    () => assert.fail('loaded'),
    (e: unknown) => e,
  );
  assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'), String(err));
  assert.deepEqual(err.problems.map(formatProblem), [
    'test/fixtures/blackbox/invalid.yml:6:26: modules.http_post_2xx.http.bearer_token_file: at most one of bearer_token, bearer_token_file may be set',
    'test/fixtures/blackbox/invalid.yml:11:7: modules.dns_test.dns.invalid_extra_field: unknown field (blackbox_exporter refuses it too)',
    'test/fixtures/blackbox/invalid.yml:13:13: modules.typo.prober: prober "htp" is not valid: one of http, tcp, icmp, dns, grpc, unix, websocket',
  ]);
});

test('a blackbox module named like an agent module is a problem', async () => {
  const err = await loadConfig(fixture('blackbox', 'agent-clash.yaml'), { env: {} }).then(
    () => assert.fail('loaded'),
    (e: unknown) => e,
  );
  assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'), String(err));
  assert.deepEqual(err.problems.map(formatProblem), [
    'test/fixtures/blackbox/blackbox.yml:3:3: modules.http_2xx: module http_2xx is also defined under modules: of the agent config; rename one',
  ]);
});

test("a value canary's schema refuses is a warning at the blackbox field, and the module is not probed", async () => {
  const config = await loadConfig(AGENT, { env: {}, blackboxConfig: 'test/fixtures/blackbox/out-of-range.yml' });
  // Beside it, blackbox's default modules that nothing else names.
  assert.deepEqual(Object.keys(config.modules).sort(), ['fine', ...DEFAULT_MODULE_NAMES].sort());
  assert.deepEqual((config.warnings ?? []).map(formatProblem), [
    "test/fixtures/blackbox/out-of-range.yml:5:27: modules.odd.http.valid_status_codes: canary cannot honour this: canary's expect.status must be at least 100; /probe answers an error for module odd",
  ]);
  assert.match(
    config.moduleRefusals?.odd ?? '',
    /^canary cannot honour modules\.odd\.http\.valid_status_codes: canary's expect\.status must be at least 100$/,
  );
});

test("the blackbox file's credentials are secrets: no log, span or output shows them", async () => {
  await loadConfig(AGENT, { env: {}, blackboxConfig: 'test/fixtures/blackbox/secrets.yml' });
  assert.equal(redactText('password blackbox-pw-7f3 token blackbox-tok-9c1'), 'password <redacted> token <redacted>');
});
