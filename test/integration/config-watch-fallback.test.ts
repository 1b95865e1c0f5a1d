/**
 * A file watch that fails (ENOSPC when the machine's inotify watches are used up, EMFILE)
 * falls back to polling with one warning, and an edit still calls back. The failure is
 * injected through ConfigWatcher's `watch` seam, which hands out real fs.watch watchers
 * the test can emit 'error' on: lowering the inotify limit of a shared machine is not an
 * option for a test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigWatcher } from '../../src/config/watch.js';
import { eventually } from '../helpers/wait.js';

test('a failing file watch falls back to polling with one warning; edits still call back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-watch-'));
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, 'checks: []\n');
  const created: FSWatcher[] = [];
  const seam = ((path: string, options: object, listener: () => void) => {
    const watcher = watch(path, options, listener);
    created.push(watcher);
    return watcher;
  }) as unknown as typeof watch;
  const warnings: { message: string; error: string }[] = [];
  let changes = 0;
  const watcher = new ConfigWatcher(() => changes++, {
    debounceMs: 50,
    pollMs: 100,
    warn: (message, error) => warnings.push({ message, error }),
    watch: seam,
  });
  try {
    watcher.watch({ files: [file] });
    assert.equal(created.length, 1, 'the directory is watched with fs.watch');
    const limit = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), {
      code: 'ENOSPC',
    });
    created[0]?.emit('error', limit);
    created[0]?.emit('error', limit);
    assert.equal(warnings.length, 1, 'one warning, however many errors');
    assert.match(warnings[0]?.message ?? '', /watch failed; polling the config files every 0\.1 s instead/);
    assert.match(warnings[0]?.error ?? '', /ENOSPC/);

    // The fallback calls back once (an edit may have been missed while the watch failed).
    await eventually(() => Promise.resolve(changes === 1 || undefined), 10_000, 'the call back of the fallback');
    writeFileSync(file, 'checks: [] # edited\n');
    await eventually(() => Promise.resolve(changes === 2 || undefined), 10_000, 'a call back after the edit');

    // A reload hands the watcher its files again: it keeps polling, no new fs.watch.
    watcher.watch({ files: [file] });
    const before = changes;
    writeFileSync(file, 'checks: [] # edited again\n');
    await eventually(() => Promise.resolve(changes > before || undefined), 10_000, 'a call back after a second edit');
    assert.equal(created.length, 1);
    assert.equal(warnings.length, 1);
  } finally {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
