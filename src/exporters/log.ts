import { redactUrl } from '../net/redact-url.js';
import type { Level } from 'pino';
import type { Logger } from '../log.js';
import type { EventBus } from '../results/bus.js';
import type { CheckResult } from '../results/types.js';

/** Options of {@link LogSink}. */
export interface LogSinkOptions {
  /** The result bus to subscribe to. */
  bus: EventBus;
  /** Where lines go; its level decides whether steady-state results are written (debug). */
  logger: Logger;
}

/**
 * Logs check state changes, not every result: at thousands of results per second a line
 * per result would drown the one line that matters, "api went down".
 *
 * - the first result of a check: up at info; down at warn (a check down from its first
 *   run is news as much as one that goes down later);
 * - up -> down: warn, with reason, message, target and duration;
 * - down -> up: info, with how long it was down (`downSeconds`, from its first failing run);
 * - anything else (steady state): debug.
 *
 * Every result yields exactly one line, so at debug level the log is a full run history.
 * A subscriber failure reported on the bus (`bus.error`) is logged at error.
 */
export class LogSink {
  readonly #logger: Logger;
  /**
   * Per check: 0 while up, else when its first failing run started (epoch ms); absent
   * until the check's first result. One number per check, not an object.
   */
  readonly #downSince = new Map<string, number>();
  readonly #unsubscribe: (() => void)[];

  constructor(options: LogSinkOptions) {
    this.#logger = options.logger;
    this.#unsubscribe = [
      options.bus.on('result', (result) => this.#onResult(result)),
      options.bus.on('bus.error', ({ event, error }) =>
        this.#logger.error({ event, err: error }, 'an event subscriber failed'),
      ),
    ];
  }

  /** Forgets a check's state (removed on reload), so that if it comes back its first result is logged again. */
  forget(check: string): void {
    this.#downSince.delete(check);
  }

  /** Unsubscribes from the bus. */
  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe.length = 0;
  }

  #onResult(result: CheckResult): void {
    const since = this.#downSince.get(result.check);
    const wasUp = since === undefined ? undefined : since === 0;
    this.#downSince.set(result.check, result.ok ? 0 : wasUp === false ? (since as number) : result.startedAt);
    if (wasUp === undefined) {
      if (result.ok) this.#write('info', result, 'check is up');
      else this.#write('warn', result, 'check is down');
    } else if (wasUp && !result.ok) this.#write('warn', result, 'check went down');
    else if (!wasUp && result.ok)
      this.#write('info', result, 'check recovered', { downSeconds: (result.startedAt - (since as number)) / 1000 });
    // Guarded so the steady state costs no object allocation when debug is off.
    else if (this.#logger.isLevelEnabled('debug'))
      this.#write('debug', result, result.ok ? 'check ok' : 'check still down');
  }

  #write(level: Level, result: CheckResult, msg: string, extra: object = {}): void {
    this.#logger[level](
      {
        check: result.check,
        kind: result.kind,
        region: result.region,
        target: redactUrl(result.target),
        ok: result.ok,
        reason: result.reason,
        message: result.message,
        durationSeconds: result.durationSeconds,
        attempt: result.attempt,
        traceId: result.traceId,
        ...extra,
      },
      msg,
    );
  }
}
