/**
 * The journal keeps a hash where a call's secret was; a process that recovers the run
 * loads the run's experiment file with its own environment and sends the real value.
 */
import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCall } from '../../src/chaos/actions/run-call.js';
import type { Call } from '../../src/chaos/model/calls.js';
import { JournalStore } from '../../src/chaos/state/journal.js';
import { registerSecretsOf } from '../../src/config/env.js';
import { secretHash } from '../../src/secrets/redact.js';
import { forgetSecrets } from '../../src/secrets/registry.js';
import { makeJournal } from '../helpers/journal.js';
import { startHttpServer } from '../helpers/servers.js';

const SECRET = 'Recovery-Secret-42';
const dir = mkdtempSync(join(tmpdir(), 'canary-secrets-recovery-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => forgetSecrets());

test('a journaled call gets its secret back from the experiment file, or fails naming the hash', async () => {
  const server = await startHttpServer((_req, res) => res.writeHead(200).end());
  try {
    const experiment = join(dir, 'exp.chaos.yaml');
    writeFileSync(
      experiment,
      'method:\n  - { action: http, url: "x", headers: { authorization: "${CHAOS_TOKEN}" } }\n',
    );
    const call: Call = {
      kind: 'http',
      method: 'DELETE',
      url: `${server.origin}/fault`,
      headers: { authorization: SECRET },
      expectStatus: [200],
      timeoutMs: 5000,
    };
    // The runner's process: the value is known (it loaded the file) and is hashed on disk.
    await registerSecretsOf(experiment, { CHAOS_TOKEN: SECRET });
    const store = new JournalStore(dir);
    const journal = makeJournal('20250301T120000Z-exp-abcdef', { file: experiment });
    journal.faults.push({ seq: 0, step: 'method[0]', apply: call, revert: call, status: 'applied' });
    await store.create(journal);
    assert.ok(!readFileSync(store.path(journal.runId), 'utf8').includes(SECRET));

    // Another process, that does not know the secret yet.
    forgetSecrets();
    const stored = (await store.load(journal.runId)).faults[0]?.revert as Call;
    const blind = await runCall(stored, AbortSignal.timeout(5000));
    assert.equal(blind.ok, false);
    assert.match(blind.error ?? '', new RegExp(secretHash(SECRET)));
    assert.equal(server.requests.length, 0);

    await registerSecretsOf(experiment, { CHAOS_TOKEN: SECRET });
    const recovered = await runCall(stored, AbortSignal.timeout(5000));
    assert.equal(recovered.ok, true, recovered.error);
    assert.equal(server.requests[0]?.headers.authorization, SECRET);
  } finally {
    await server.close();
  }
});
