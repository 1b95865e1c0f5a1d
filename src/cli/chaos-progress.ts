/**
 * `canary chaos run`'s progress: one time-stamped line per step, fault, wave, gate verdict,
 * hypothesis verdict and rollback, as it happens. On a terminal, a live line below them
 * shows what the hypothesis checks measure right now; it is erased before each normal line
 * so the lines stay whole, and never drawn when the output is a file or a pipe (a log
 * would fill with carriage returns).
 */
import type { HypothesisReport } from '../chaos/model/journal.js';
import type { ChaosProgress } from '../chaos/progress.js';
import { describeProgress, verdict } from '../chaos/progress-text.js';

export { describeProgress } from '../chaos/progress-text.js';

/** Where the lines go: a terminal (`isTTY`) gets the live line too. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** The live line's text, or undefined for none (nothing to measure). */
  live?: () => string | undefined;
  /** How often the live line is redrawn, on a terminal only. */
  everyMs?: number;
  now?: () => Date;
}

/** Erases the current terminal line: carriage return, then "erase in line". */
const ERASE = '\r\x1b[2K';

/** The live line's text: what each hypothesis check measures now. */
export function liveFigures(report: HypothesisReport): string | undefined {
  return report.entries.length === 0 ? undefined : `now: ${verdict(report)}`;
}

/** Writes the progress lines, and on a terminal keeps the live line below them. */
export class ProgressPrinter {
  readonly #stream: ProgressStream;
  readonly #options: ProgressOptions;
  #shown = false;
  /** Between start() and stop(): the only time a live line is drawn. */
  #active = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: ProgressStream, options: ProgressOptions = {}) {
    this.#stream = stream;
    this.#options = options;
  }

  /** Starts redrawing the live line (on a terminal with something to measure). */
  start(): void {
    if (!this.#stream.isTTY || !this.#options.live || this.#active) return;
    this.#active = true;
    this.#timer = setInterval(() => this.redraw(), this.#options.everyMs ?? 250);
    // The live line never keeps the process alive on its own.
    this.#timer.unref();
  }

  event(e: ChaosProgress): void {
    this.line(describeProgress(e));
  }

  /** One time-stamped line; the live line is erased first and drawn again after it. */
  line(text: string): void {
    this.#erase();
    const stamp = (this.#options.now?.() ?? new Date()).toISOString();
    this.#stream.write(`${stamp} ${text}\n`);
    this.redraw();
  }

  /** Draws the live line again with fresh figures (a terminal only). */
  redraw(): void {
    if (!this.#active || !this.#options.live) return;
    const text = this.#options.live();
    if (text === undefined) return this.#erase();
    this.#stream.write(`${ERASE}${text}`);
    this.#shown = true;
  }

  /** Stops the live line and erases it, so what follows starts on a clean line. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#active = false;
    this.#erase();
  }

  #erase(): void {
    if (!this.#shown) return;
    this.#stream.write(ERASE);
    this.#shown = false;
  }
}
