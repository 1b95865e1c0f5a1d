/** Where the chunks of a render go: kept as they are, or through gzip as they come. */
import { createGzip } from 'node:zlib';

/**
 * gzip level of `/metrics`. An exposition is very repetitive: level 1 compresses one of
 * 10,000 checks (28 MiB) 20:1 in about 35 ms of a core; level 6 gains 12 % for three times
 * the CPU.
 */
const GZIP_LEVEL = 1;

/**
 * gzip is fed in writes of this much. Every write is a job on the thread pool whose
 * completion must wait for a turn of the event loop (busy probing) before the next can
 * start: fed a slice at a time, gzip finished up to 180 ms after the render at 10,000
 * checks; in 4 MiB writes, within a few ms.
 */
const GZIP_BATCH_BYTES = 4 * 1024 * 1024;

/** Output buffers of gzip: an exposition of 10,000 checks compresses to about 1.4 MiB. */
const GZIP_OUT_BYTES = 1024 * 1024;

/**
 * Buffers kept from one render to the next, at most `max`. Memory touched for the first
 * time costs a page fault per 4 KiB (about 10 µs on the benchmark's virtual machine): fresh
 * buffers on every scrape of 10,000 checks took some 3,000 faults, 30 ms of CPU. Kept,
 * they stay resident; they are resident during every scrape anyway.
 */
export class BufferShelf {
  readonly #kept: Buffer[] = [];
  constructor(readonly max: number) {}

  take(): Buffer | undefined {
    return this.#kept.pop();
  }

  /** Keeps `buffer` unless the shelf is full; only for a buffer nothing else refers to. */
  put(buffer: Buffer): void {
    if (this.#kept.length < this.max) this.#kept.push(buffer);
  }
}

/** Collects chunks as they come. */
export interface ChunkSink {
  /**
   * True when `write` copies what it is given before returning, so the writer may write
   * over its buffers again (see `ExpositionWriter.recycle`).
   */
  readonly copies: boolean;
  write(chunks: readonly Uint8Array[]): void;
  end(): Promise<{ chunks: Uint8Array[]; bytes: number }>;
}

/** Keeps the chunks as they are. */
export function plainSink(): ChunkSink {
  const kept: Uint8Array[] = [];
  return {
    copies: false,
    write: (chunks) => void kept.push(...chunks),
    end: () => Promise.resolve({ chunks: kept, bytes: kept.reduce((n, c) => n + c.length, 0) }),
  };
}

/**
 * gzip runs on libuv's thread pool, compressing each batch while the next one is rendered.
 * Batches are copied into staging buffers taken from `stages` and put back once gzip has
 * read them, and the writer reuses its own buffer: a render of 10,000 checks then
 * allocates a few MiB outside the heap instead of twice the exposition (60 MiB), which was
 * enough for V8 to start a full garbage collection during nearly every scrape.
 */
export function gzipSink(stages: BufferShelf): ChunkSink {
  const gzip = createGzip({ level: GZIP_LEVEL, chunkSize: GZIP_OUT_BYTES });
  const out: Buffer[] = [];
  let bytes = 0;
  gzip.on('data', (chunk: Buffer) => {
    out.push(chunk);
    bytes += chunk.length;
  });
  const finished = new Promise<void>((resolve, reject) => gzip.once('end', resolve).once('error', reject));
  let stage: Buffer | undefined;
  let filled = 0;
  const send = (): void => {
    if (stage === undefined || filled === 0) return;
    const full = stage;
    // Back on the shelf once gzip has read it, for this render's next batch or the next render's.
    gzip.write(full.subarray(0, filled), () => stages.put(full));
    stage = undefined;
    filled = 0;
  };
  const copy = (chunk: Uint8Array): void => {
    for (let from = 0; from < chunk.length;) {
      stage ??= stages.take() ?? Buffer.allocUnsafeSlow(GZIP_BATCH_BYTES);
      const n = Math.min(chunk.length - from, stage.length - filled);
      stage.set(chunk.subarray(from, from + n), filled);
      filled += n;
      from += n;
      if (filled === stage.length) send();
    }
  };
  return {
    copies: true,
    write: (chunks) => {
      for (const chunk of chunks) copy(chunk);
    },
    end: async () => {
      send();
      gzip.end();
      await finished;
      return { chunks: out, bytes };
    },
  };
}
