import { dirname, resolve } from 'node:path';
import { configError } from '../config/load.js';
import { mergeReloadable } from '../config/reload.js';
import type { Config, ResolvedCheck } from '../config/types.js';
import { fingerprint } from '../config/fingerprint.js';
import { ConfigWatcher, type WatchSet } from '../config/watch.js';
import { ServiceDiscovery, type DiscoveredChecks, type SdDocument } from '../discovery/sd/index.js';
import { errorMessage, formatProblem, isCanaryError, type Problem } from '../errors.js';
import type { SpecCoverage } from '../exporters/prometheus/coverage.js';
import type { Logger } from '../log.js';
import type { UpdateSummary } from '../scheduler/index.js';
import { loadSpecs, specCoverage, type LoadedSpecs } from './coverage.js';

/** What asked for a reload: a signal, the control API, the file watch. */
export type ReloadTrigger = 'SIGHUP' | 'http' | 'watch';

/** How a reload went; `POST /-/reload` answers with it. */
export interface ReloadOutcome {
  /** `unchanged`: the file watch fired but no watched file's content changed; nothing was done. */
  status: 'success' | 'error' | 'unchanged';
  trigger: ReloadTrigger;
  /** Check names added, removed, changed and left alone (on success). */
  checks?: UpdateSummary;
  /** Changed settings left as they run until a restart. */
  needsRestart?: string[];
  /** Why it failed; the old config keeps running. */
  error?: string;
  /** Every problem, `FILE:LINE:COL: key: message`. */
  problems?: string[];
}

/** What the reloader needs from the agent. */
export interface ReloaderDeps {
  logger: Logger;
  /** Loads the config file again (with the command line's overrides). */
  load: () => Promise<Config>;
  /** The config running now. */
  current: () => Config;
  /**
   * Swaps in a config and its full check list at once. Throws, changing nothing, when the
   * checks cannot be scheduled (a name used twice).
   */
  apply: (config: Config, checks: readonly ResolvedCheck[]) => UpdateSummary;
  /** Records the outcome on `canary_config_last_reload_successful`. */
  result: (ok: boolean) => void;
  /** Sets `canary_endpoint_coverage_ratio`. */
  coverage: (specs: SpecCoverage[]) => void;
  /** Watch the config files and reload on change. */
  watch: boolean;
}

/**
 * Reloads the configuration whole and swaps it in at once, or not at all; feeds http_sd
 * refreshes through the same swap. One reload or refresh at a time, in arrival order.
 */
export class Reloader {
  readonly #deps: ReloaderDeps;
  readonly #discovery: ServiceDiscovery;
  readonly #watcher: ConfigWatcher | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #fileDocs: DiscoveredChecks['fileDocs'] = new Map();
  #specs: LoadedSpecs = new Map();
  /** What the watched files were when last read (file watch on only): a watch event that finds them the same is ignored. */
  #watchSet: WatchSet | undefined;
  #read: string | undefined;
  #closed = false;

  constructor(deps: ReloaderDeps) {
    this.#deps = deps;
    this.#discovery = new ServiceDiscovery({
      offer: (source, doc) => this.#serial(() => this.#offer(source, doc)),
      failed: (source, message) =>
        deps.logger.warn({ source, err: message }, 'http_sd refresh failed: last good targets kept'),
    });
    const warn = (message: string, error: string) => deps.logger.warn({ err: error }, message);
    this.#watcher = deps.watch ? new ConfigWatcher(() => void this.reload('watch'), { warn }) : undefined;
  }

  /**
   * Builds the discovered checks of the starting config and applies them.
   * @throws CanaryError `CANARY_ERR_CONFIG` listing every file_sd problem.
   */
  async start(): Promise<void> {
    const config = this.#deps.current();
    const discovered = await this.#discovery.build(config);
    if (discovered.problems.length > 0) throw configError(discovered.problems);
    this.#specs = await loadSpecs(config, this.#deps.logger);
    this.#swap(config, discovered);
    if (this.#watchSet) this.#read = await fingerprint(this.#watchSet);
  }

  /** Loads, validates and swaps in the config files as they are now. Never rejects. */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    return this.#serial(() => this.#reload(trigger));
  }

  /** Stops refreshers and the file watch; later reloads report an error. */
  close(): void {
    this.#closed = true;
    this.#discovery.stop();
    this.#watcher?.close();
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    if (this.#closed) return { status: 'error', trigger, error: 'the agent is stopping' };
    // Taken before reading, so an edit made while this reload runs is seen by the next one.
    const read = this.#watchSet ? await fingerprint(this.#watchSet) : undefined;
    if (trigger === 'watch' && read !== undefined && read === this.#read) return { status: 'unchanged', trigger };
    this.#read = read;
    try {
      const { config, restart } = mergeReloadable(this.#deps.current(), await this.#deps.load());
      const discovered = await this.#discovery.build(config);
      if (discovered.problems.length > 0) throw configError(discovered.problems);
      this.#specs = await loadSpecs(config, this.#deps.logger);
      const checks = this.#swap(config, discovered);
      if (restart.length > 0)
        this.#deps.logger.warn({ needsRestart: restart }, 'config changes that need a restart were left as they were');
      this.#deps.result(true);
      const { added, removed, changed, unchanged } = checks;
      this.#deps.logger.info({ trigger, added, removed, changed, unchanged: unchanged.length }, 'config reloaded');
      return { status: 'success', trigger, checks, needsRestart: restart };
    } catch (err) {
      return this.#failed(trigger, err);
    }
  }

  #failed(trigger: ReloadTrigger, err: unknown): ReloadOutcome {
    const problems = isCanaryError(err) ? (err.problems ?? []).map(formatProblem) : [];
    const error = errorMessage(err).split('\n')[0] ?? '';
    this.#deps.result(false);
    this.#deps.logger.error(
      { trigger, problems, err: error },
      'config reload failed: the previous config keeps running',
    );
    return { status: 'error', trigger, error, problems };
  }

  /** New http_sd targets: taken when the checks they make are valid and schedulable. */
  async #offer(source: string, doc: SdDocument): Promise<boolean> {
    if (this.#closed) return false;
    const config = this.#deps.current();
    const discovered = await this.#discovery.build(config, { fileDocs: this.#fileDocs, override: { source, doc } });
    try {
      if (discovered.problems.length > 0) throw configError(discovered.problems);
      const checks = this.#swap(config, discovered);
      this.#deps.logger.info(
        { source, added: checks.added.length, removed: checks.removed.length, changed: checks.changed.length },
        'discovered checks updated',
      );
      return true;
    } catch (err) {
      const problems: Problem[] = isCanaryError(err) ? [...(err.problems ?? [])] : [];
      this.#deps.logger.warn(
        { source, problems: problems.map(formatProblem), err: errorMessage(err) },
        'discovered targets rejected: last good targets kept',
      );
      return false;
    }
  }

  #swap(config: Config, discovered: DiscoveredChecks): UpdateSummary {
    const checks = [...config.checks, ...discovered.checks];
    const summary = this.#deps.apply(config, checks);
    this.#fileDocs = discovered.fileDocs;
    this.#discovery.commit(config);
    this.#deps.coverage(specCoverage(config, this.#specs, checks));
    if (this.#watcher) {
      this.#watchSet = watchSet(config, discovered.files);
      this.#watcher.watch(this.#watchSet);
    }
    return summary;
  }
}

/** Every file a reload reads: the agent file by name; probe, file_sd and spec directories. */
function watchSet(config: Config, sdFiles: readonly string[]): WatchSet {
  const baseDir = dirname(config.file);
  const specs = config.probes.openapi.map((spec) => resolve(baseDir, spec));
  const globs = config.probes.discovery.flatMap((source) =>
    (source.fileSd ?? []).map((pattern) => ({ pattern, baseDir })),
  );
  // Probe files come from globs: a new file that matches one counts, a log beside them does not.
  if (config.probes.filePatterns) for (const pattern of config.probes.filePatterns) globs.push({ pattern, baseDir });
  else for (const file of config.probes.files) globs.push({ pattern: '*', baseDir: dirname(file) });
  return { files: [config.file, ...specs, ...sdFiles], globs };
}
