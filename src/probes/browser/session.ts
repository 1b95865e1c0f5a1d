/**
 * The one Chromium process the browser checks share. Launching a browser takes a second
 * or more and tens of megabytes, so it is started on the first run and kept; each run
 * gets a context of its own (cookies, storage and cache apart). A browser that crashed or
 * was killed is launched again on the next run.
 */
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { findChromium, noChromiumMessage } from './chromium.js';

export class SharedBrowser {
  readonly #configured: string | undefined;
  #launching: Promise<Browser> | undefined;
  #closed = false;

  /** `chromium`: `probes.browser.chromium` as written; absent, it is looked for on PATH. */
  constructor(chromiumPath: string | undefined) {
    this.#configured = chromiumPath;
  }

  /** The running browser, launched now when there is none (or the last one died). */
  get(): Promise<Browser> {
    if (this.#closed) return Promise.reject(new Error('the browser was closed: the agent is stopping'));
    this.#launching ??= this.#launch();
    return this.#launching;
  }

  /**
   * A new context in the running browser. A browser that died since the last run may not
   * have said so yet: when the context cannot be made in a browser that turns out to be
   * gone, a new browser is launched once.
   */
  async newContext(options: BrowserContextOptions): Promise<BrowserContext> {
    const browser = await this.get();
    try {
      return await browser.newContext(options);
    } catch (err) {
      if (browser.isConnected()) throw err;
      if (this.#launching !== undefined && (await this.#launching.catch(() => undefined)) === browser)
        this.#launching = undefined;
      return (await this.get()).newContext(options);
    }
  }

  async #launch(): Promise<Browser> {
    const executablePath = findChromium(this.#configured);
    if (executablePath === undefined) {
      this.#launching = undefined;
      throw new Error(noChromiumMessage(this.#configured));
    }
    try {
      // Loaded on the first launch: playwright-core takes most of a second to import, which
      // every command (and every agent without a browser check) would otherwise pay.
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath,
        headless: true,
        // A container's /dev/shm is often 64 MB, too small for Chromium's shared memory.
        args: ['--disable-dev-shm-usage'],
      });
      // A crash or a kill: the next run launches a new one (a new launch waits for this one to go).
      browser.on('disconnected', () => (this.#launching = undefined));
      return browser;
    } catch (err) {
      this.#launching = undefined;
      throw err;
    }
  }

  /** Closes the browser, if one runs; later `get()`s fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const launching = this.#launching;
    this.#launching = undefined;
    if (launching === undefined) return;
    const browser = await launching.catch(() => undefined);
    await browser?.close();
  }
}
