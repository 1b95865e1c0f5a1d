import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { isDynamicPattern } from 'tinyglobby';
import { errorMessage } from '../errors.js';
import { fingerprint } from './fingerprint.js';

/** Editors save in bursts (write, rename, chmod); one reload per burst. */
export const WATCH_DEBOUNCE_MS = 500;

/** How often the fallback polls the watched files when the file watch cannot be used. */
export const POLL_INTERVAL_MS = 2_000;

/** Errors of a missing directory: nothing to watch there yet, not a reason to poll. */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

export interface ConfigWatcherOptions {
  debounceMs?: number;
  pollMs?: number;
  /** Told once, when the file watch fails and polling takes over. */
  warn?: (message: string, error: string) => void;
  /** `fs.watch`; a test seam, so a test can make a watcher fail as an exhausted inotify limit would. */
  watch?: typeof fsWatch;
}

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
 *
 * When the file watch fails (ENOSPC: the inotify watch limit is reached; EMFILE: too many
 * open files), it falls back to polling: every 2 s a digest of the watched files is
 * compared with the last, and a change calls back. One warning says so; it keeps polling
 * until closed, since the limit that failed the watch is the machine's and stays.
 */
export class ConfigWatcher {
  readonly #onChange: () => void;
  readonly #options: ConfigWatcherOptions;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #set: WatchSet = { files: [] };
  #poll: NodeJS.Timeout | undefined;
  #digest: Promise<string> | undefined;

  constructor(onChange: () => void, options: ConfigWatcherOptions = {}) {
    this.#onChange = onChange;
    this.#options = options;
  }

  /**
   * Replaces what is watched. Only an event on a named file, or on a file a glob matches,
   * counts: a log written beside the config is not a change of it. A directory that
   * cannot be watched (missing) is skipped.
   */
  watch(set: WatchSet): void {
    this.#closeWatchers();
    this.#set = set;
    // Polling keeps its last digest: a set that now names other files differs from it, and the
    // callback's own comparison (the reload's) finds out whether anything changed.
    if (this.#poll) return;
    const watch = this.#options.watch ?? fsWatch;
    for (const [dir, wanted] of relevantByDirectory(set)) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || wanted(join(dir, name.toString()))) this.#bump();
        });
        watcher.on('error', (error) => this.#fallBack(error));
        this.#watchers.push(watcher);
      } catch (error) {
        // A missing directory has nothing to watch yet; the next reload tries again.
        if (!MISSING.has((error as NodeJS.ErrnoException).code ?? '')) return this.#fallBack(error);
      }
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearInterval(this.#poll);
    this.#poll = undefined;
    this.#closeWatchers();
  }

  #bump(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#onChange();
    }, this.#options.debounceMs ?? WATCH_DEBOUNCE_MS);
  }

  /** The file watch failed: every watcher goes, and polling the digest takes over. */
  #fallBack(error: unknown): void {
    this.#closeWatchers();
    if (this.#poll) return;
    const pollMs = this.#options.pollMs ?? POLL_INTERVAL_MS;
    this.#options.warn?.(
      `the config file watch failed; polling the config files every ${pollMs / 1000} s instead`,
      errorMessage(error),
    );
    // Once the first digest is taken, a callback: an edit made while the watch was failing
    // was missed, and one made before that digest is in it, so no poll would report it.
    this.#digest = fingerprint(this.#set);
    void this.#digest.then(() => this.#bump());
    this.#poll = setInterval(() => void this.#check(), pollMs);
    this.#poll.unref();
  }

  /** One poll: a digest other than the last one is a change. */
  async #check(): Promise<void> {
    const [before, now] = await Promise.all([this.#digest, fingerprint(this.#set)]);
    if (before === now || !this.#poll) return;
    this.#digest = Promise.resolve(now);
    this.#bump();
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
