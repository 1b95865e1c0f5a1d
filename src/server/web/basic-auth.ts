/**
 * HTTP basic auth against bcrypt hashes. bcrypt is slow on purpose (tens of milliseconds
 * at cost 10), so outcomes are cached by a digest of (user, hash, password): a scraper
 * that sends the same credentials every few seconds costs one bcrypt, not one per scrape.
 */
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

/**
 * Compared against when the user does not exist, so an unknown user takes as long as a
 * known one with a wrong password and timing does not tell which user names exist.
 * The hash of a random string nobody knows, at cost 10 like htpasswd's usual output.
 */
const UNKNOWN_USER_HASH = '$2b$10$DLG9g4YFZOEnbusogMbrVudgNyc/DdQ/uPR63/ClS8DtDXZ7Mly4K';

/** Outcomes kept of each kind; the oldest goes first. Enough for a few users and their scrapers. */
const CACHE_SIZE = 256;

/** User and password of an `Authorization: Basic` header; undefined when it is not one. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Checks basic auth headers against a user → bcrypt hash map. */
export class BasicAuth {
  readonly #compare: (password: string, hash: string) => Promise<boolean>;
  /**
   * Digests of credentials that passed, and of those that failed, kept apart so a flood of
   * wrong passwords cannot push a scraper's good ones out (and make it wait for a bcrypt).
   */
  readonly #passed = new Set<string>();
  readonly #failed = new Set<string>();
  /** One bcrypt at a time, as it is CPU-bound: a burst of bad passwords queues instead of starving the probes. */
  #queue: Promise<unknown> = Promise.resolve();

  /** `compare` is bcrypt's; a test passes its own to count the calls. */
  constructor(compare: (password: string, hash: string) => Promise<boolean> = (p, h) => bcrypt.compare(p, h)) {
    this.#compare = compare;
  }

  /** Whether `header` names a user of `users` with the right password. */
  async verify(users: ReadonlyMap<string, string>, header: string | undefined): Promise<boolean> {
    const credentials = basicCredentials(header);
    if (!credentials) return false;
    const { user, password } = credentials;
    const known = users.get(user);
    const hash = known ?? UNKNOWN_USER_HASH;
    // A digest, not the password, is what stays in memory; JSON keeps the parts apart.
    const key = createHash('sha256')
      .update(JSON.stringify([user, hash, password]))
      .digest('hex');
    if (this.#passed.has(key)) return true;
    if (this.#failed.has(key)) return false;
    // bcryptjs compares the computed hash with the stored one in constant time. A compare
    // that fails to run is a refusal, never an error answer.
    const matches = await this.#serial(() => this.#compare(password, hash)).catch(() => false);
    const ok = known !== undefined && matches;
    remember(ok ? this.#passed : this.#failed, key);
    return ok;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function remember(set: Set<string>, key: string): void {
  if (set.size >= CACHE_SIZE) {
    const oldest = set.values().next();
    if (!oldest.done) set.delete(oldest.value);
  }
  set.add(key);
}
