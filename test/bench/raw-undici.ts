/**
 * The ceiling: the cheapest honest Node prober. At a fixed rate it makes one request per
 * fresh `undici.Client` (so a new connection each time), reads the body and closes the
 * connection; no timing by phase, no assertions, no metrics. Its CPU per probe is the
 * floor under any Node agent built on undici.
 *
 * The connection is ended by destroying the socket (kept from undici's own connector),
 * the way the agent does it: `client.destroy()` or `client.close()` would each build an
 * error with a formatted stack trace per probe, about a fifth more CPU (measured while
 * writing this; see BENCHMARKS.md).
 *
 * Usage (by the benchmark, with an IPC channel):
 *   node dist/test/bench/raw-undici.js ORIGIN PATHS PERIOD_MS MAX_SECONDS
 * (each of PATHS paths once per PERIOD_MS, spread like the agent's checks)
 * Answers the IPC message `counts` with its {@link PacerCounts}.
 */
import type { Socket } from 'node:net';
import { buildConnector, Client } from 'undici';
import { Pacer } from './pacer.js';
import { PACER_SEED, probePath } from './phase.js';

const [origin = '', pathsArg = '1000', periodArg = '1000', maxSecondsArg = '600'] = process.argv.slice(2);
const paths = Number(pathsArg);
const TIMEOUT_MS = 5_000;
const connector = buildConnector({ timeout: TIMEOUT_MS });

async function probe(index: number): Promise<boolean> {
  let socket: Socket | undefined;
  const client = new Client(origin, {
    pipelining: 1,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    connect: (options, callback) =>
      connector(options, (...args) => {
        socket = args[1] ?? undefined;
        callback(...args);
      }),
  });
  try {
    const { statusCode, body } = await client.request({ path: probePath(index, paths), method: 'GET' });
    await body.text();
    return statusCode === 200;
  } finally {
    // A socket that never connected leaves nothing open; the Client then goes idle and away.
    socket?.destroy();
  }
}

const pacer = new Pacer({
  slots: paths,
  periodMs: Number(periodArg),
  seed: PACER_SEED,
  maxInFlight: 256,
  maxDurationMs: Number(maxSecondsArg) * 1000,
  fire: probe,
});
pacer.start();

process.on('message', (message) => {
  if (message === 'counts') process.send?.({ ...pacer.counts });
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), Number(maxSecondsArg) * 1000 + 5_000).unref();
