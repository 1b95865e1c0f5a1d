import { errorMessage, formatProblem } from '../../errors.js';
import { parseGroups, type SdDocument } from './groups.js';

/** The largest http_sd answer read; a target list is small, a runaway endpoint is not. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** One http_sd endpoint as configured. */
export interface HttpSdSettings {
  url: string;
  refreshInterval: number;
  timeout: number;
}

/** What a refresher reports to its owner. */
export interface HttpSdHooks {
  /**
   * New targets arrived; resolves true when they were taken (their checks are valid and
   * running), false to keep the last good ones.
   */
  offer: (doc: SdDocument) => Promise<boolean>;
  /** A refresh failed; the last good targets stay. */
  failed: (message: string) => void;
}

/** Identifies settings, so a reload that leaves them alone keeps the refresher and its targets. */
export function httpSdKey(settings: HttpSdSettings): string {
  return JSON.stringify([settings.url, settings.refreshInterval, settings.timeout]);
}

async function fetchGroups(settings: HttpSdSettings): Promise<SdDocument> {
  const response = await fetch(settings.url, {
    headers: {
      accept: 'application/json',
      'x-prometheus-refresh-interval-seconds': String(settings.refreshInterval / 1000),
    },
    signal: AbortSignal.timeout(settings.timeout),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`GET ${settings.url}: HTTP ${response.status}`);
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new Error(`GET ${settings.url}: answer larger than ${MAX_BODY_BYTES} bytes`);
  }
  const text = await response.text();
  if (text.length > MAX_BODY_BYTES) throw new Error(`GET ${settings.url}: answer larger than ${MAX_BODY_BYTES} bytes`);
  const parsed = parseGroups(settings.url, text);
  if (!parsed.doc) throw new Error(parsed.problems.map(formatProblem).join('; '));
  return parsed.doc;
}

/**
 * Fetches one Prometheus HTTP SD endpoint now and every `refreshInterval`. Only a fetch
 * whose targets the owner accepts replaces the last good document; a failed fetch, a
 * malformed answer or rejected targets keep it, as Prometheus does.
 */
export class HttpSdRefresher {
  readonly key: string;
  readonly #settings: HttpSdSettings;
  readonly #hooks: HttpSdHooks;
  #last: SdDocument | undefined;
  #lastText = '';
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(settings: HttpSdSettings, hooks: HttpSdHooks) {
    this.key = httpSdKey(settings);
    this.#settings = settings;
    this.#hooks = hooks;
  }

  /** The last accepted targets; none before the first successful refresh. */
  get last(): SdDocument | undefined {
    return this.#last;
  }

  /** Refreshes now and then on the interval. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    void this.#tick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #tick(): Promise<void> {
    await this.refresh();
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.#settings.refreshInterval);
  }

  /** One refresh; never rejects (failures go to `failed`). */
  async refresh(): Promise<void> {
    let doc: SdDocument;
    try {
      doc = await fetchGroups(this.#settings);
    } catch (err) {
      if (!this.#stopped) this.#hooks.failed(errorMessage(err));
      return;
    }
    const text = JSON.stringify(doc.groups);
    if (this.#stopped || (this.#last && text === this.#lastText)) return;
    if (await this.#hooks.offer(doc)) {
      this.#last = doc;
      this.#lastText = text;
    }
  }
}
