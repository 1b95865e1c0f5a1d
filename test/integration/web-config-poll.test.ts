/**
 * A web config mounted the way Kubernetes mounts secrets: the file is a symlink into a
 * directory that a renewal swaps by renaming another symlink. No event names the file, so
 * the periodic comparison is what picks the new one up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { createLogger } from '../../src/log.js';
import { WebGuard } from '../../src/server/web/guard.js';
import { eventually } from '../helpers/wait.js';

test('a web config behind a swapped symlinked directory is reloaded by the periodic check', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-web-poll-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [before, after] = [bcrypt.hashSync('one', 4), bcrypt.hashSync('two', 4)];
  for (const [name, hash] of [
    ['v1', before],
    ['v2', after],
  ] as const) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'web.yml'), `basic_auth_users:\n  alice: "${hash}"\n`);
  }
  symlinkSync('v1', join(dir, '..data'));
  symlinkSync(join('..data', 'web.yml'), join(dir, 'web.yml'));

  const guard = await WebGuard.load(join(dir, 'web.yml'), createLogger({ level: 'silent' }));
  t.after(() => guard.close());
  guard.watch(() => undefined, 200);
  assert.equal(guard.current.settings.users.get('alice'), before);

  symlinkSync('v2', join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  await eventually(
    () => (guard.current.settings.users.get('alice') === after ? true : undefined),
    10_000,
    'the swapped web config',
  );
});
