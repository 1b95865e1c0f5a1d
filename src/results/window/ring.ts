/** The samples of one window that fall in a time range. */
export interface Collected {
  count: number;
  successes: number;
  /** Durations in seconds, in arrival order; the caller's to sort. */
  durations: number[];
}

/** One sample as stored: when it finished (epoch ms), how long it took, and its reason code (0 when ok). */
export interface RingSample {
  at: number;
  durationSeconds: number;
  ok: boolean;
  /** The caller's code for why it failed; 0 when none was given. */
  code: number;
}

/** Capacity a ring starts with; it doubles on demand up to its maximum. */
const INITIAL_CAPACITY = 16;

/**
 * A ring buffer of (time, duration, ok, reason code) samples in parallel typed arrays: 18
 * bytes a sample and no object per result. It starts small and doubles up to `maxSamples`, so a
 * check run every 30s holds a few dozen slots while one run every 100ms is still capped.
 * Once full, the oldest sample is overwritten.
 */
export class SampleRing {
  readonly #max: number;
  #times: Float64Array;
  #durations: Float64Array;
  #passed: Uint8Array;
  /** The caller's failure-reason code per sample (0: none). */
  #codes: Uint8Array;
  /** Index of the oldest sample. */
  #start = 0;
  #size = 0;

  constructor(maxSamples: number) {
    this.#max = maxSamples;
    const capacity = Math.min(INITIAL_CAPACITY, maxSamples);
    this.#times = new Float64Array(capacity);
    this.#durations = new Float64Array(capacity);
    this.#passed = new Uint8Array(capacity);
    this.#codes = new Uint8Array(capacity);
  }

  /** Samples held now. */
  get size(): number {
    return this.#size;
  }

  /** Slots allocated now (grows up to the maximum). */
  get capacity(): number {
    return this.#times.length;
  }

  /** Time of the newest sample, epoch ms; undefined when empty. */
  newest(): number | undefined {
    return this.#size === 0 ? undefined : this.#times[this.#index(this.#size - 1)];
  }

  push(at: number, durationSeconds: number, ok: boolean, code = 0): void {
    if (this.#size === this.capacity && this.capacity < this.#max) this.#grow();
    let slot: number;
    if (this.#size === this.capacity) {
      slot = this.#start;
      this.#start = this.#index(1);
    } else {
      slot = this.#index(this.#size);
      this.#size++;
    }
    this.#times[slot] = at;
    this.#durations[slot] = durationSeconds;
    this.#passed[slot] = ok ? 1 : 0;
    this.#codes[slot] = code;
  }

  /** Up to `limit` of the newest samples, newest first. */
  newestSamples(limit: number): RingSample[] {
    const out: RingSample[] = [];
    for (let i = this.#size - 1; i >= 0 && out.length < limit; i--) {
      const slot = this.#index(i);
      out.push({
        at: this.#times[slot] as number,
        durationSeconds: this.#durations[slot] as number,
        ok: this.#passed[slot] === 1,
        code: this.#codes[slot] as number,
      });
    }
    return out;
  }

  /**
   * The ok flags of up to `limit` newest samples as bits (bit 0 the newest) and how many
   * there were: what a state needs, without an object per sample.
   */
  newestFlags(limit: number): { count: number; bits: number } {
    const count = Math.min(limit, this.#size, 30);
    let bits = 0;
    for (let i = 0; i < count; i++) bits |= (this.#passed[this.#index(this.#size - 1 - i)] as number) << i;
    return { count, bits };
  }

  /**
   * Drops samples older than `cutoff` from the old end. Results of one check arrive in
   * time order (one run at a time), so stopping at the first recent sample loses nothing.
   */
  evictBefore(cutoff: number): void {
    while (this.#size > 0 && (this.#times[this.#start] as number) < cutoff) {
      this.#start = this.#index(1);
      this.#size--;
    }
  }

  /** Samples with `from < time <= to`. */
  collect(from: number, to: number): Collected {
    const out: Collected = { count: 0, successes: 0, durations: [] };
    for (let i = 0; i < this.#size; i++) {
      const slot = this.#index(i);
      const at = this.#times[slot] as number;
      if (at <= from || at > to) continue;
      out.count++;
      out.successes += this.#passed[slot] as number;
      out.durations.push(this.#durations[slot] as number);
    }
    return out;
  }

  /** Slot of the i-th oldest sample. */
  #index(i: number): number {
    return (this.#start + i) % this.capacity;
  }

  #grow(): void {
    const capacity = Math.min(this.capacity * 2, this.#max);
    const at = new Float64Array(capacity);
    const durations = new Float64Array(capacity);
    const ok = new Uint8Array(capacity);
    const codes = new Uint8Array(capacity);
    for (let i = 0; i < this.#size; i++) {
      const slot = this.#index(i);
      at[i] = this.#times[slot] as number;
      durations[i] = this.#durations[slot] as number;
      ok[i] = this.#passed[slot] as number;
      codes[i] = this.#codes[slot] as number;
    }
    this.#times = at;
    this.#durations = durations;
    this.#passed = ok;
    this.#codes = codes;
    this.#start = 0;
  }
}
