/**
 * Entry point of ONE lab backend process (started by the supervisor, or by a chaos
 * `kill` revert with the same argv):
 *
 *   node backend-main.js --name backend-1 --port 18181 --pid-file var/lab/pids/backend-1.pid
 *     [--host 127.0.0.1] [--warmup-requests 20] [--warmup-delay-ms 200]
 *     [--origin http://127.0.0.1:PORT --miss-ratio 0.05]
 *
 * `GET /healthz` (and `/health`, like the in-process demo backend) answers `ok` at once;
 * every other request answers 200 with JSON naming the backend, after the cold-start
 * delay of {@link warmupDelay}, and after a fill from the shared origin when the request
 * misses the (modelled) cache: always while cold, `missRatio` of the time once warm. The
 * pid file is written once listening.
 */
import { createServer } from 'node:http';
import { listenOn } from '../../net/listen.js';
import { exitCannotStart, exitOnStopSignal, jsonLog } from './exit.js';
import { backendArgsSchema, parseProcessArgs } from './options.js';
import { writePidFile } from './pidfile.js';
import { warmupDelay, type Warmup } from './warmup.js';

const args = parseProcessArgs(process.argv.slice(2), backendArgsSchema);
const log = jsonLog(args.name);
const warmup: Warmup = { requests: args.warmupRequests, delayMs: args.warmupDelayMs };
let served = 0;

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz' || path === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  const index = served++;
  const coldMs = warmupDelay(index, warmup);
  const miss = args.origin !== undefined && (index < warmup.requests || Math.random() < args.missRatio);
  const answer = () => {
    const body = JSON.stringify({
      status: 'ok',
      backend: args.name,
      pid: process.pid,
      path: req.url,
      request: index,
      coldMs,
      miss,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'x-lab-backend': args.name }).end(body);
  };
  const afterDelay = (): void => {
    if (!miss) return answer();
    fill().then(answer, () => res.writeHead(502).end('origin unreachable\n'));
  };
  if (coldMs > 0) setTimeout(afterDelay, coldMs);
  else afterDelay();
});

/** One cache fill from the shared origin. */
async function fill(): Promise<void> {
  const response = await fetch(`${args.origin}/fill`);
  await response.arrayBuffer();
}

try {
  const url = await listenOn(server, args.host, args.port);
  await writePidFile(args.pidFile, process.pid);
  exitOnStopSignal(server, args.pidFile, log, args.parentPid);
  log('listening', { url, pidFile: args.pidFile, warmup });
} catch (err) {
  exitCannotStart(err, log);
}
