import { createServer, type Server } from 'node:http';
import { listenOn, closeServer } from './net.js';

/** A lab backend: answers `/` with a small JSON document naming itself, `/health` with `ok`. */
export interface LabBackend {
  readonly name: string;
  readonly url: string;
  /** Requests served since start. */
  readonly served: number;
  close(): Promise<void>;
}

export async function startBackend(name: string, host: string, port: number): Promise<LabBackend> {
  let served = 0;
  const server: Server = createServer((req, res) => {
    served++;
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    const body = JSON.stringify({ status: 'ok', backend: name, path: req.url });
    res.writeHead(200, { 'content-type': 'application/json', 'x-lab-backend': name }).end(body);
  });
  const url = await listenOn(server, host, port);
  return {
    name,
    url,
    get served() {
      return served;
    },
    close: () => closeServer(server),
  };
}
