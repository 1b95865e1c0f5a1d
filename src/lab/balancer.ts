import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOn } from './net.js';

/** A lab balancer: round-robin over backends, with no health checks of its own. */
export interface LabBalancer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Deliberately naive, like many real balancers: it never takes a backend out of rotation,
 * so a dead backend shows up as 502s at the frontend, which is what canaries must see.
 */
export async function startBalancer(host: string, port: number, backends: readonly string[]): Promise<LabBalancer> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const server = createServer((req, res) => {
    const backend = backends[next++ % backends.length] as string;
    forward(req, res, new URL(req.url ?? '/', backend), agent);
  });
  const url = await listenOn(server, host, port);
  return {
    url,
    close: async () => {
      await closeServer(server);
      agent.destroy();
    },
  };
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL, agent: Agent): void {
  const upstream = request(target, { method: req.method, headers: req.headers, agent, timeout: 5_000 }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  const fail = (reason: string) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'bad_gateway', backend: target.host, reason }));
  };
  upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
  upstream.on('error', (err) => fail(err.message));
  req.pipe(upstream);
}
