/**
 * The probed target, run as its own process so its CPU is never charged to a prober:
 * a minimal HTTP server on 127.0.0.1 answering every request with `200 ok`. It reports
 * its port over IPC, answers `count` with the number of requests it has answered, and
 * exits when the benchmark goes away.
 *
 * Usage (by the benchmark): node dist/test/bench/target.js [KEEP_ALIVE_MS [LIFETIME_MS]]   (with an IPC channel)
 */
import { createServer } from 'node:http';

/** Exit on its own after this long even if the benchmark never says so (an hour unless told; the soak runs longer). */
const MAX_LIFETIME_MS = Number(process.argv[3] ?? 60 * 60_000);

const body = Buffer.from('ok\n');
/** Requests answered so far: the probe count every prober is measured by. */
let answered = 0;
const server = createServer((req, res) => {
  answered++;
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
// Node's default (5 s), advertised as `Keep-Alive: timeout=5`. It matters to undici: a
// server that advertises 2 s or less makes undici end the connection itself after the
// response, through a costlier path (see BENCHMARKS.md), so the target stays at the default
// unless the benchmark is asked to show that case.
server.keepAliveTimeout = Number(process.argv[2] ?? 5_000);
server.headersTimeout = 5_000;
server.requestTimeout = 5_000;
// A deep backlog: a thousand new connections a second arrive in bursts at timer ticks.
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.send?.({ port: address.port });
});

process.on('message', (message) => {
  if (message === 'count') process.send?.({ answered });
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), MAX_LIFETIME_MS).unref();
