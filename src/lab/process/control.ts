/**
 * The lab's control API (node:http, loopback only: it has no authentication and it
 * kills processes):
 *
 *   GET  /lab                              every process: name, role, url, pid, alive, pid file
 *   POST /lab/{name}/kill?signal=SIGKILL   signal a running process (default SIGKILL)
 *   POST /lab/{name}/start                 start a stopped process again, same port and pid file
 *
 * Errors answer JSON `{ error }`: 403 a foreign `Origin` or `Host` (a web page, see
 * net/origin-guard.ts), 404 unknown process, 400 unknown signal or a request target that
 * does not parse, 409 not running (kill) or already running (start), 500 a start that failed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CanaryError, ERROR_CODES, errorMessage } from '../../errors.js';
import { closeServer, formatHostPort, listenError, listenOn } from '../../net/listen.js';
import { foreignRequestReason } from '../../net/origin-guard.js';
import { BAD_REQUEST_TARGET, parseRequestTarget } from '../../net/request-target.js';
import { isSignalName, type ProcessLab } from './lab.js';
import { LOOPBACK_HOSTS } from './options.js';

/** A listening control API. */
export interface ControlServer {
  /** Base URL, e.g. `http://127.0.0.1:18179`. */
  url: string;
  close(): Promise<void>;
}

type Reply = { status: number; body: unknown };

/** Serves the control API of `lab` on a loopback `host:port` (port 0: a free one). */
export async function startControlServer(lab: ProcessLab, host: string, port: number): Promise<ControlServer> {
  if (!(LOOPBACK_HOSTS as readonly string[]).includes(host)) {
    throw new CanaryError(
      ERROR_CODES.usage,
      `the lab control API binds loopback only (${LOOPBACK_HOSTS.join(', ')}), not ${host}`,
    );
  }
  const server = createServer((req, res) => {
    const refused = foreignRequestReason(req, host);
    if (refused) send(res, { status: 403, body: { error: refused } });
    else void route(lab, req).then((reply) => send(res, reply));
  });
  let url: string;
  try {
    url = await listenOn(server, host, port);
  } catch (err) {
    throw listenError(formatHostPort(host, port), err);
  }
  return { url, close: () => closeServer(server) };
}

async function route(lab: ProcessLab, req: IncomingMessage): Promise<Reply> {
  const url = parseRequestTarget(req.url);
  if (!url) return { status: 400, body: { error: BAD_REQUEST_TARGET } };
  if (url.pathname === '/lab' || url.pathname === '/lab/') {
    return req.method === 'GET' ? { status: 200, body: { processes: lab.list() } } : notAllowed('GET');
  }
  const match = /^\/lab\/([^/]+)\/(kill|start)$/.exec(url.pathname);
  if (!match) return { status: 404, body: { error: `no route ${url.pathname}; try GET /lab` } };
  if (req.method !== 'POST') return notAllowed('POST');
  const [, name, action] = match as unknown as [string, string, 'kill' | 'start'];
  const current = lab.list().find((p) => p.name === name);
  if (!current) return { status: 404, body: { error: `no lab process named ${name}`, known: lab.names } };
  if (action === 'start') {
    if (current.alive) return { status: 409, body: { error: `${name} is already running`, pid: current.pid } };
    return attempt(() => lab.start(name));
  }
  const signal = url.searchParams.get('signal') ?? 'SIGKILL';
  if (!isSignalName(signal)) return { status: 400, body: { error: `unknown signal ${signal}` } };
  if (!current.alive) return { status: 409, body: { error: `${name} is not running` } };
  return attempt(() => lab.kill(name, signal));
}

async function attempt(operation: () => Promise<unknown>): Promise<Reply> {
  try {
    return { status: 200, body: await operation() };
  } catch (err) {
    // A race with another caller shows up as a state error: the same 409 as the check above.
    const status =
      err instanceof CanaryError && err.code === ERROR_CODES.state && /already|not running/.test(err.message)
        ? 409
        : 500;
    return { status, body: { error: errorMessage(err) } };
  }
}

function notAllowed(allowed: string): Reply {
  return { status: 405, body: { error: `method not allowed; use ${allowed}` } };
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json' }).end(`${JSON.stringify(reply.body, null, 2)}\n`);
}
