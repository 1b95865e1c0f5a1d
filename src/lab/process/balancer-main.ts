/**
 * Entry point of the lab balancer process:
 *
 *   node balancer-main.js --port 18180 --pid-file var/lab/pids/balancer.pid
 *     --backends http://127.0.0.1:18181,http://127.0.0.1:18182 [--probe-interval-ms 500]
 *
 * Round-robin, and naive on purpose: a backend that refuses a connection is marked down
 * and the request retried on the next one; down backends are re-probed every 500 ms on
 * `GET /healthz` and put back, with a full share, as soon as it answers. So when a group
 * of backends comes back at once, every cold one is hit at once: the failback herd.
 *
 * `GET /_lab/backends` answers with the balancer's own view (which backends are up).
 */
import { Agent, createServer } from 'node:http';
import { listenOn } from '../../net/listen.js';
import { exitCannotStart, exitOnStopSignal, jsonLog } from './exit.js';
import { forward } from './forward.js';
import { balancerArgsSchema, parseProcessArgs } from './options.js';
import { writePidFile } from './pidfile.js';
import { BackendPool } from './pool.js';

const args = parseProcessArgs(process.argv.slice(2), balancerArgsSchema);
const log = jsonLog(args.name);
const pool = new BackendPool(args.backends, (event, backend, detail) => log(`backend ${event}`, { backend, detail }));
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const ctx = { pool, agent, timeoutMs: args.upstreamTimeoutMs };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/_lab/backends') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ backends: pool.members }));
    return;
  }
  void forward(req, res, ctx);
});

try {
  const url = await listenOn(server, args.host, args.port);
  pool.startProbing(args.probeIntervalMs);
  await writePidFile(args.pidFile, process.pid);
  exitOnStopSignal(server, args.pidFile, log, args.parentPid);
  log('listening', { url, pidFile: args.pidFile, backends: args.backends });
} catch (err) {
  exitCannotStart(err, log);
}
