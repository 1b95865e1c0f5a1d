import { watch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { isDynamicPattern } from 'tinyglobby';

/** Editors save in bursts (write, rename, chmod); one reload per burst. */
export const WATCH_DEBOUNCE_MS = 500;

/** What to watch: files by name, and globs whose matches may appear, change or go. */
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

  /**
   * Replaces what is watched. Only an event on a named file, or on a file a glob matches,
   * counts: a log written beside the config is not a change of it. A directory that
   * cannot be watched (missing) is skipped.
   */
  watch(set: WatchSet): void {
    this.#closeWatchers();
    for (const [dir, wanted] of relevantByDirectory(set)) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || wanted(join(dir, name.toString()))) this.#bump();
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

/** Per directory to watch, whether an event on a path there is about the configuration. */
function relevantByDirectory(set: WatchSet): Map<string, (path: string) => boolean> {
  const tests = new Map<string, ((path: string) => boolean)[]>();
  const add = (dir: string, test: (path: string) => boolean): void => {
    tests.set(dir, [...(tests.get(dir) ?? []), test]);
  };
  for (const file of set.files) {
    const wanted = resolve(file);
    add(dirname(wanted), (path) => path === wanted);
  }
  for (const { pattern, baseDir } of set.globs ?? []) {
    // Matched as absolute paths, so `../probes/*.yaml` means what it means to the loader.
    const matches = picomatch(resolve(baseDir, pattern));
    add(globBase(pattern, baseDir), (path) => matches(path));
  }
  return new Map([...tests].map(([dir, list]) => [dir, (path: string) => list.some((test) => test(path))]));
}
