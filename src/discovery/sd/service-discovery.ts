/**
 * Service discovery for the agent: the checks its `probes.discovery` sources (file_sd,
 * http_sd) give, and the http_sd refreshers that keep them current.
 */
import { dirname } from 'node:path';
import type { Problem } from '../../errors.js';
import type { DiscoverySource } from '../../config/schema/discovery.js';
import type { Config, ResolvedCheck } from '../../config/types.js';
import { expandSource } from './expand.js';
import { readFileSd } from './file-sd.js';
import type { SdDocument } from './groups.js';
import { HttpSdRefresher, httpSdKey } from './http-sd.js';

/** What the sources of one config discover: checks to run, or the problems that stop them. */
export interface DiscoveredChecks {
  checks: ResolvedCheck[];
  problems: Problem[];
  /** file_sd files matched (and literal ones not written yet), for the file watch. */
  files: string[];
  /** The file_sd documents read, kept for refreshes that do not re-read files. */
  fileDocs: ReadonlyMap<string, SdDocument[]>;
}

/** How the owner of a {@link ServiceDiscovery} learns about http_sd targets between reloads. */
export interface DiscoveryHooks {
  /** An http_sd source has new targets; resolves true when the checks built from them were applied. */
  offer: (source: string, doc: SdDocument) => Promise<boolean>;
  /** An http_sd refresh failed; the last good targets stay. */
  failed: (source: string, message: string) => void;
}

/** Where each source's targets come from this time round. */
interface Inputs {
  fileDocs?: ReadonlyMap<string, SdDocument[]>;
  override?: { source: string; doc: SdDocument };
}

/**
 * Service discovery for the agent: reads file_sd files, keeps one refresher per http_sd
 * source, and turns every target into a check through its source's template. It builds
 * check lists; applying them (the swap) is the agent's.
 */
export class ServiceDiscovery {
  readonly #hooks: DiscoveryHooks;
  readonly #refreshers = new Map<string, HttpSdRefresher>();

  constructor(hooks: DiscoveryHooks) {
    this.#hooks = hooks;
  }

  /**
   * The discovered checks of `config`'s sources: file_sd files read now (or the given
   * documents), http_sd the last accepted targets of a refresher with the same settings.
   */
  async build(config: Config, inputs: Inputs = {}): Promise<DiscoveredChecks> {
    const baseDir = dirname(config.file);
    const result: DiscoveredChecks = { checks: [], problems: [], files: [], fileDocs: new Map() };
    const fileDocs = new Map<string, SdDocument[]>();
    for (const source of config.probes.discovery) {
      let docs: SdDocument[] = [];
      if (source.fileSd) {
        const given = inputs.fileDocs?.get(source.name);
        if (given) docs = given;
        else {
          const read = await readFileSd(source.fileSd, baseDir);
          result.files.push(...read.files);
          result.problems.push(...read.problems);
          docs = read.docs;
        }
        fileDocs.set(source.name, docs);
      } else if (inputs.override?.source === source.name) {
        docs = [inputs.override.doc];
      } else {
        const last = this.#refresherFor(source)?.last;
        docs = last ? [last] : [];
      }
      const expanded = expandSource(source, docs, baseDir, config.probes.defaults);
      result.checks.push(...expanded.checks);
      result.problems.push(...expanded.problems);
    }
    return { ...result, fileDocs };
  }

  /** Starts refreshers for the http_sd sources of `config`, keeping unchanged ones, stopping the rest. */
  commit(config: Config): void {
    const wanted = new Set<string>();
    for (const source of config.probes.discovery) {
      if (!source.httpSd) continue;
      wanted.add(source.name);
      if (this.#refresherFor(source)) continue;
      this.#refreshers.get(source.name)?.stop();
      const name = source.name;
      const refresher = new HttpSdRefresher(source.httpSd, {
        offer: (doc) => this.#hooks.offer(name, doc),
        failed: (message) => this.#hooks.failed(name, message),
      });
      this.#refreshers.set(name, refresher);
      refresher.start();
    }
    for (const [name, refresher] of this.#refreshers) {
      if (wanted.has(name)) continue;
      refresher.stop();
      this.#refreshers.delete(name);
    }
  }

  /** Stops every refresher. */
  stop(): void {
    for (const refresher of this.#refreshers.values()) refresher.stop();
    this.#refreshers.clear();
  }

  #refresherFor(source: DiscoverySource): HttpSdRefresher | undefined {
    const refresher = this.#refreshers.get(source.name);
    return refresher && source.httpSd && refresher.key === httpSdKey(source.httpSd) ? refresher : undefined;
  }
}
