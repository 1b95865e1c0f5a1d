import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { icmpUnavailable } from '../helpers/icmp.js';
import type { CheckResult } from '../../src/results/types.js';

test('probe --kind icmp: exit 0 with the reply facts; a port, a TLS or an HTTP flag exit 2', async (t) => {
  const why = icmpUnavailable();
  if (why !== undefined) return t.skip(why);
  const ok = await runCli(['probe', '127.0.0.1', '--kind', 'icmp', '--ip-family', 'ipv4', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const result = JSON.parse(ok.stdout) as CheckResult;
  assert.equal(result.kind, 'icmp');
  assert.equal(result.observation.icmp?.address, '127.0.0.1');
  assert.equal(result.observation.icmp?.hopLimit, 64);
  const withPort = await runCli(['probe', '127.0.0.1:80', '--kind', 'icmp']);
  assert.equal(withPort.code, 2);
  assert.match(withPort.stderr, /TARGET: must be a host name or an IP address without a port/);
  const tls = await runCli(['probe', '127.0.0.1', '--kind', 'icmp', '--insecure']);
  assert.equal(tls.code, 2);
  assert.match(tls.stderr, /--insecure: does not apply to --kind icmp/);
  const http = await runCli(['probe', '127.0.0.1', '--kind', 'icmp', '--method', 'POST']);
  assert.equal(http.code, 2);
  assert.match(http.stderr, /--method: does not apply to --kind icmp/);
});
