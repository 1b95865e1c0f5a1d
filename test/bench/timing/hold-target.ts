/**
 * The holding target of the timing benchmark, run as its own process so that its timers
 * and CPU are never the prober's. A request under `/hold/` is held for HOLD_MS
 * (`setTimeout`) and answered `200` with `Server-Timing: hold;dur=<ms>`, where the hold is
 * measured from the start of the request handler to just before the response head is
 * written. A prober's `processing` minus that hold is then what the prober (and the
 * loopback path) added, whatever the target's own timer jitter was: a `setTimeout` of
 * 50 ms fires anywhere from 50 to a few ms later.
 *
 * When the request carries `?id=...`, the hold is also logged under that id, because
 * blackbox_exporter reports its phases but not the response headers. The log is bounded
 * (LOG_CAP entries; holds past it are counted, not kept) and is drained over IPC.
 * Any other path is answered at once.
 *
 * Usage (by the benchmark, with an IPC channel):
 *   node dist/test/bench/timing/hold-target.js [HOLD_MS] [LOG_CAP]
 * IPC: sends `{ port }` once listening; answers `count` with `{ answered }` and `holds`
 * with `{ holds: [id, ms][], dropped }`, emptying the log.
 */
import { createServer, type ServerResponse } from 'node:http';
import { HOLD_PREFIX } from './paths.js';

/** Exit on its own after this long even if the benchmark never says so. */
const MAX_LIFETIME_MS = 60 * 60_000;

const holdMs = Number(process.argv[2] ?? 50);
const logCap = Number(process.argv[3] ?? 100_000);
const body = Buffer.from('ok\n');

let answered = 0;
let dropped = 0;
let holds = new Map<string, number>();

/** The `id` query parameter of a request URL, if any. */
function idOf(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get('id') ?? undefined;
}

function reply(res: ServerResponse, hold?: number): void {
  const headers: Record<string, string | number> = { 'content-type': 'text/plain', 'content-length': body.length };
  // µs precision: the figures of interest are tenths of a millisecond.
  if (hold !== undefined) headers['server-timing'] = `hold;dur=${hold.toFixed(3)}`;
  res.writeHead(200, headers);
  res.end(body);
}

const server = createServer((req, res) => {
  const start = performance.now();
  answered++;
  req.resume();
  const url = req.url ?? '/';
  if (!url.startsWith(HOLD_PREFIX)) return reply(res);
  setTimeout(() => {
    const hold = performance.now() - start;
    reply(res, hold);
    // Logged after the response is on its way, so the bookkeeping is not in anyone's figure.
    const id = idOf(url);
    if (id === undefined) return;
    if (holds.size < logCap) holds.set(id, hold);
    else dropped++;
  }, holdMs);
});
// As the bench's fast target: Node's default keep-alive, generous timeouts.
server.keepAliveTimeout = 5_000;
server.headersTimeout = 10_000;
server.requestTimeout = 10_000;
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.send?.({ port: address.port });
});

process.on('message', (message) => {
  if (message === 'count') process.send?.({ answered });
  if (message === 'holds') {
    const out = { holds: [...holds], dropped };
    holds = new Map();
    dropped = 0;
    process.send?.(out);
  }
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), MAX_LIFETIME_MS).unref();
