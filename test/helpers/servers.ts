/**
 * Real servers on 127.0.0.1 for integration tests: HTTP, HTTPS and raw TCP. Each counts
 * the connections it accepted and closed, and `close()` destroys whatever is still
 * open, so a test that ends early never keeps the process alive.
 */
import {
  createServer as createHttp,
  type IncomingMessage,
  type RequestListener,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createTcp, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** A listening test server. */
export interface TestServer {
  port: number;
  /** `http://127.0.0.1:PORT` (or https, or tcp for raw servers). */
  origin: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections that have closed so far. */
  readonly closed: number;
  /** Resolves once `closed` reaches `count`; rejects after `timeoutMs`. */
  waitClosed(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** An HTTP(S) test server, which also remembers what it was sent. */
export interface HttpTestServer extends TestServer {
  /** Every request seen, in order. */
  readonly requests: SeenRequest[];
}

/** What the server saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  remoteAddress: string | undefined;
  /** SNI name the client sent (HTTPS only). */
  servername: string | undefined;
  /** Subject CN of the client certificate (mutual TLS only). */
  clientCn: string | undefined;
}

function track(server: Server, scheme: string, beforeClose?: () => void): TestServer {
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const state = {
    port: 0,
    origin: '',
    accepted: 0,
    closed: 0,
    waitClosed(count: number, timeoutMs = 5_000): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (state.closed < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`server saw ${state.closed} closed connections, wanted ${count} within ${timeoutMs}ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close(): Promise<void> {
      beforeClose?.();
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', (socket: Socket) => {
    state.accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      state.closed++;
      for (const waiter of [...waiters]) waiter();
    });
  });
  const listening = server.address();
  if (listening !== null && typeof listening === 'object') {
    state.port = listening.port;
    state.origin = `${scheme}://127.0.0.1:${listening.port}`;
  }
  return state;
}

function listen(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function clientCn(socket: TLSSocket): string | undefined {
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

function recording(handler: RequestListener, requests: SeenRequest[]): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remoteAddress: req.socket.remoteAddress,
        servername: (req.socket as TLSSocket).servername || undefined,
        clientCn: clientCn(req.socket as TLSSocket),
      });
      handler(req, res);
    });
  };
}

async function startRecording(server: HttpServer, scheme: string, requests: SeenRequest[]): Promise<HttpTestServer> {
  await listen(server);
  return Object.assign(
    track(server, scheme, () => server.closeAllConnections()),
    { requests },
  );
}

/** Starts an HTTP server on 127.0.0.1 with `handler` (called once the request body is read). */
export function startHttpServer(handler: RequestListener): Promise<HttpTestServer> {
  const requests: SeenRequest[] = [];
  return startRecording(createHttp(recording(handler, requests)), 'http', requests);
}

/** TLS settings of a test HTTPS server; `clientCa` makes it require a client certificate signed by it. */
export interface HttpsServerTls {
  cert: string;
  key: string;
  clientCa?: string;
}

/** Starts an HTTPS server on 127.0.0.1 presenting `cert` (PEM, leaf first) with `key`. */
export function startHttpsServer(tls: HttpsServerTls, handler: RequestListener): Promise<HttpTestServer> {
  const requests: SeenRequest[] = [];
  const mutual = tls.clientCa === undefined ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true };
  const server = createHttps({ cert: tls.cert, key: tls.key, ...mutual }, recording(handler, requests));
  server.on('tlsClientError', () => {});
  return startRecording(server, 'https', requests);
}

/** Starts a raw TCP server on 127.0.0.1; `onSocket` gets each connection. */
export async function startTcpServer(onSocket: (socket: Socket) => void): Promise<TestServer> {
  const server = createTcp(onSocket);
  await listen(server);
  return track(server, 'tcp');
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createTcp();
  await listen(server);
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}
