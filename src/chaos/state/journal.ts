/**
 * The write-ahead journal of chaos runs: `<stateDir>/journal/<runId>.json`, one file per
 * run, rewritten atomically and fsynced at every change. A runner saves the journal before
 * it applies each fault, so whoever finds a run whose runner died knows what to revert.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CanaryError, ERROR_CODES, errorMessage, type Problem } from '../../errors.js';
import { hashSecretsDeep } from '../../secrets/redact.js';
import type { Journal } from '../model/journal.js';
import { createFileDurable, writeFileDurable } from './durable.js';
import { journalProblem, RUN_ID_PATTERN } from './journal-shape.js';
import { errnoCode, runnerGone } from './process.js';

/** Where problems with single journal files go (a pino logger fits). */
export interface JournalLogger {
  warn(obj: object, msg: string): void;
}

/** Every parseable journal, and a problem for each file that is not one. */
export interface JournalScan {
  /** Newest first. */
  journals: Journal[];
  problems: Problem[];
}

/**
 * A new run id: `<UTC yyyymmddThhmmssZ>-<experiment>-<6 random hex>`. Sorts by start
 * time, names the experiment, and two runs started in the same second still differ.
 *
 * @example newRunId('kill-one', new Date('2025-03-01T12:00:05Z')) // '20250301T120005Z-kill-one-3fa9c1'
 */
export function newRunId(experiment: string, now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  // The id is a file name: anything but [A-Za-z0-9_-] in the experiment name becomes `-`.
  const name = experiment.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 100) || 'experiment';
  return `${stamp}-${name}-${randomBytes(3).toString('hex')}`;
}

function newestFirst(a: Journal, b: Journal): number {
  return Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
}

/** Reads and saves the journals of one state directory. */
export class JournalStore {
  /** `<stateDir>/journal`. */
  readonly dir: string;
  readonly #logger: JournalLogger | undefined;

  /** @param stateDir `chaos.stateDir` of the loaded config (absolute). */
  constructor(stateDir: string, options: { logger?: JournalLogger } = {}) {
    this.dir = join(stateDir, 'journal');
    this.#logger = options.logger;
  }

  /** Path of a run's journal; the run id is checked so it cannot name another file. */
  path(runId: string): string {
    if (!RUN_ID_PATTERN.test(runId))
      throw new CanaryError(ERROR_CODES.usage, `invalid run id ${JSON.stringify(runId)}`);
    return join(this.dir, `${runId}.json`);
  }

  /** A new run id for `experiment`; see {@link newRunId}. */
  newRunId(experiment: string): string {
    return newRunId(experiment);
  }

  /** Writes the first version of a run's journal; refuses to overwrite an existing run. */
  async create(journal: Journal): Promise<void> {
    if (!(await createFileDurable(this.path(journal.runId), serialise(journal)))) {
      throw new CanaryError(ERROR_CODES.state, `a journal for run ${journal.runId} already exists`);
    }
  }

  /** Rewrites a run's journal durably. Call it before applying each fault: that is the write-ahead. */
  async save(journal: Journal): Promise<void> {
    await writeFileDurable(this.path(journal.runId), serialise(journal));
  }

  /**
   * Reads one run's journal.
   *
   * @throws CanaryError `CANARY_ERR_STATE` when there is none or it is not a valid journal.
   */
  async load(runId: string): Promise<Journal> {
    const path = this.path(runId);
    const text = await readFile(path, 'utf8').catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT')
        throw new CanaryError(ERROR_CODES.state, `no journal for run ${runId} in ${this.dir}`);
      throw err;
    });
    const result = parse(text, runId);
    if (typeof result === 'string') throw new CanaryError(ERROR_CODES.state, `${path}: ${result}`);
    return result;
  }

  /** Every journal, newest first, and a problem per file that is not a valid journal. */
  async scan(): Promise<JournalScan> {
    const names = await readdir(this.dir).catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    });
    // Temp files of an interrupted rewrite start with a dot; they are not journals.
    const files = names.filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    const results = await Promise.all(files.map(async (name) => ({ name, result: await this.#read(name) })));
    const journals: Journal[] = [];
    const problems: Problem[] = [];
    for (const { name, result } of results) {
      if (typeof result === 'string')
        problems.push({ file: join(this.dir, name), line: 0, col: 0, path: '', message: result });
      else if (result !== undefined) journals.push(result);
    }
    return { journals: journals.sort(newestFirst), problems };
  }

  /** Every valid journal, newest first. A file that is not one is skipped and logged, never thrown. */
  async list(): Promise<Journal[]> {
    const { journals, problems } = await this.scan();
    for (const p of problems)
      this.#logger?.warn({ file: p.file, problem: p.message }, 'skipping a chaos journal that cannot be read');
    return journals;
  }

  /**
   * Runs still `running` whose runner is gone from this host (pid, start time and boot id,
   * see process.ts): their faults may still be applied.
   */
  async unfinished(): Promise<Journal[]> {
    return (await this.list()).filter((j) => j.status === 'running' && runnerGone(j));
  }

  /** When the last run of `experiment` ended, for the schedule's minimum gap. */
  async lastEnded(experiment: string): Promise<Date | undefined> {
    let last: number | undefined;
    for (const j of await this.list()) {
      if (j.experiment !== experiment || j.endedAt === undefined) continue;
      const t = Date.parse(j.endedAt);
      if (last === undefined || t > last) last = t;
    }
    return last === undefined ? undefined : new Date(last);
  }

  /** A journal, a problem message, or undefined when the file vanished while listing. */
  async #read(name: string): Promise<Journal | string | undefined> {
    try {
      return parse(await readFile(join(this.dir, name), 'utf8'), name.slice(0, -'.json'.length));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      return `cannot read: ${errorMessage(err)}`;
    }
  }
}

/** Indented: journals are read by people during incidents. */
function serialise(journal: Journal): string {
  const problem = journalProblem(journal);
  if (problem !== undefined)
    throw new CanaryError(
      ERROR_CODES.internal,
      `refusing to write an invalid journal for run ${journal.runId}: ${problem}`,
    );
  // Secret values (headers, bodies, env) are kept as a hash; recovery puts them back (secrets/reveal.ts).
  return `${JSON.stringify(hashSecretsDeep(journal), null, 2)}\n`;
}

function parse(text: string, runId: string): Journal | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `not valid JSON (${errorMessage(err)})`;
  }
  const problem = journalProblem(value);
  if (problem !== undefined) return `not a chaos journal: ${problem}`;
  const journal = value as Journal;
  if (journal.runId !== runId) return `holds run ${journal.runId}, but the file is named for run ${runId}`;
  return journal;
}
