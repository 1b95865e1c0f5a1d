import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';

/** Editors save in bursts (write, rename, chmod); one reload per burst. */
export const WATCH_DEBOUNCE_MS = 500;

/** What to watch: files by name, and globs whose directories any new file may appear in. */
export interface WatchSet {
  files: readonly string[];
  globs?: readonly { pattern: string; baseDir: string }[];
}

/** The directory a glob cannot match outside of: its leading non-glob segments. */
export function globBase(pattern: string, baseDir: string): string {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts.slice(0, -1)) {
    if (isDynamicPattern(part)) break;
    fixed.push(part);
  }
  return resolve(baseDir, fixed.join('/') || '.');
}

/**
 * Watches config files for changes and calls back once per burst. It watches their
 * directories, not the files: editors and config management replace a file (write a
 * temporary, rename it over), which ends a watch on the old inode.
 */
export class ConfigWatcher {
  readonly #onChange: () => void;
  readonly #debounceMs: number;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(onChange: () => void, debounceMs = WATCH_DEBOUNCE_MS) {
    this.#onChange = onChange;
    this.#debounceMs = debounceMs;
  }

  /** Replaces what is watched. A directory that cannot be watched (missing) is skipped. */
  watch(set: WatchSet): void {
    this.#closeWatchers();
    const names = new Map<string, Set<string> | 'any'>();
    for (const file of set.files) {
      const dir = dirname(file);
      const seen = names.get(dir);
      if (seen === 'any') continue;
      names.set(dir, (seen ?? new Set()).add(basename(file)));
    }
    for (const { pattern, baseDir } of set.globs ?? []) names.set(globBase(pattern, baseDir), 'any');
    for (const [dir, wanted] of names) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (wanted === 'any' || name === null || wanted.has(name.toString())) this.#bump();
        });
        watcher.on('error', () => watcher.close());
        this.#watchers.push(watcher);
      } catch {
        // A missing directory has nothing to watch yet; the next reload tries again.
      }
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#closeWatchers();
  }

  #bump(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#onChange();
    }, this.#debounceMs);
  }

  #closeWatchers(): void {
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
  }
}
