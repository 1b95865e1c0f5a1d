/**
 * The lab's shared origin: the database behind every backend's cache. It serves one cache
 * fill at a time, each taking `fillMs`, so its capacity is fixed (1000 / fillMs fills per
 * second) whatever the number of backends. Warm backends rarely need it; cold ones need it
 * for every request. That is the herd a failback can start: bring many cold backends back
 * at once and their misses queue at the origin, and every backend (the survivors too)
 * waits behind them. Hosted by the lab's supervisor, so it outlives backend restarts.
 */
import { createServer } from 'node:http';
import { closeServer, listenOn } from '../../net/listen.js';

export interface Origin {
  url: string;
  /** Fills served so far, and the longest queue seen. */
  stats(): { fills: number; maxQueue: number };
  close(): Promise<void>;
}

/** Starts the origin on `host`, on a free port. */
export async function startOrigin(host: string, fillMs: number): Promise<Origin> {
  let tail: Promise<void> = Promise.resolve();
  let queued = 0;
  let fills = 0;
  let maxQueue = 0;
  const server = createServer((req, res) => {
    queued++;
    maxQueue = Math.max(maxQueue, queued);
    // A FIFO of one: each fill starts when the previous one ends.
    tail = tail.then(
      () =>
        new Promise<void>((done) =>
          setTimeout(() => {
            queued--;
            fills++;
            res.writeHead(200, { 'content-type': 'text/plain' }).end('filled\n');
            done();
          }, fillMs),
        ),
    );
  });
  const url = await listenOn(server, host, 0);
  return { url, stats: () => ({ fills, maxQueue }), close: () => closeServer(server) };
}
