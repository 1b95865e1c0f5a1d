/**
 * The web config of a running server: answers whether a request may pass (basic auth),
 * which headers every response carries, and reloads itself when the web config file or a
 * certificate file it names changes. A new file is taken whole or not at all: a broken
 * one is logged and the running one kept, so a typo never opens or closes the server.
 */
import type { IncomingMessage } from 'node:http';
import type { SecureContextOptions } from 'node:tls';
import { isDeepStrictEqual } from 'node:util';
import { fingerprint } from '../../config/fingerprint.js';
import { ConfigWatcher } from '../../config/watch.js';
import { errorMessage, formatProblem, isCanaryError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Reply } from '../router.js';
import { BasicAuth } from './basic-auth.js';
import { loadWebConfig, type WebConfig } from './load.js';

/**
 * How often the files are compared with what was loaded, beside the file watch: a mount
 * that swaps a symlinked directory (Kubernetes secrets, cert-manager renewals) changes the
 * files without an event under their own names.
 */
export const WEB_CONFIG_POLL_MS = 30_000;

/** What a 401 carries; the realm is the agent, the charset says how to encode non-ASCII passwords. */
const CHALLENGE = 'Basic realm="canary", charset="UTF-8"';

export class WebGuard {
  #current: WebConfig;
  readonly #logger: Logger;
  readonly #auth = new BasicAuth();
  readonly #watcher: ConfigWatcher;
  #onSecureContext: ((options: SecureContextOptions) => void) | undefined;
  #poll: NodeJS.Timeout | undefined;
  #closed = false;
  #read: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(current: WebConfig, logger: Logger) {
    this.#current = current;
    this.#logger = logger;
    this.#watcher = new ConfigWatcher(() => void this.reload());
  }

  /**
   * Loads the web config file.
   * @throws CanaryError `CANARY_ERR_CONFIG` listing every problem.
   */
  static async load(path: string, logger: Logger): Promise<WebGuard> {
    const guard = new WebGuard(await loadWebConfig(path), logger);
    guard.#read = await fingerprint({ files: guard.#current.files });
    return guard;
  }

  /** The web config in force. */
  get current(): WebConfig {
    return this.#current;
  }

  /** Headers every response carries. */
  get headers(): Readonly<Record<string, string>> {
    return this.#current.settings.headers;
  }

  /**
   * Starts watching the files, and comparing them every `pollMs`; `onSecureContext` gets
   * the TLS options of each reloaded file.
   */
  watch(onSecureContext: (options: SecureContextOptions) => void, pollMs = WEB_CONFIG_POLL_MS): void {
    this.#onSecureContext = onSecureContext;
    this.#watcher.watch({ files: this.#current.files });
    clearInterval(this.#poll);
    this.#poll = setInterval(() => void this.reload(), pollMs);
    this.#poll.unref();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#poll);
    this.#watcher.close();
  }

  /** A 401 when basic auth is on and the request lacks valid credentials; undefined lets it pass. */
  async refusal(req: IncomingMessage): Promise<Reply | undefined> {
    const { users } = this.#current.settings;
    if (users.size === 0 || (await this.#auth.verify(users, req.headers.authorization))) return undefined;
    return {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': CHALLENGE },
      body: 'unauthorized: this server needs basic auth credentials of a user of its web config\n',
    };
  }

  /** Loads the files again and swaps them in when valid; true when the new one is in force. */
  reload(): Promise<boolean> {
    const run = this.#queue.then(() => this.#reload());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #reload(): Promise<boolean> {
    if (this.#closed) return false;
    const file = this.#current.settings.file;
    // Taken before reading, so an edit made while this reload runs is seen by the next one.
    const read = await fingerprint({ files: this.#current.files });
    if (read === this.#read) return true;
    this.#read = read;
    try {
      const next = await loadWebConfig(file);
      const restart = restartReason(this.#current, next);
      if (restart) throw new Error(`${restart} needs a restart`);
      if (next.secureContext) this.#onSecureContext?.(next.secureContext);
      this.#current = next;
      this.#read = await fingerprint({ files: next.files });
      this.#watcher.watch({ files: next.files });
      this.#logger.info({ file }, 'web config reloaded');
      return true;
    } catch (err) {
      const problems = isCanaryError(err) ? err.problems.map(formatProblem) : [];
      const error = errorMessage(err).split('\n')[0] ?? '';
      this.#logger.error({ file, problems, err: error }, 'web config reload failed: the previous one keeps running');
      return false;
    }
  }
}

/** Why `next` cannot be taken while the server runs: what the listening socket was made with. */
function restartReason(current: WebConfig, next: WebConfig): string | undefined {
  const was = current.settings.tls;
  const now = next.settings.tls;
  if ((was === undefined) !== (now === undefined)) return now ? 'turning TLS on' : 'turning TLS off';
  if (!isDeepStrictEqual(was?.clientAuth, now?.clientAuth)) return 'changing client_auth_type';
  return undefined;
}
