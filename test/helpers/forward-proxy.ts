/**
 * A real HTTP forward proxy on 127.0.0.1 for tests: CONNECT tunnels (https targets) and
 * absolute-form requests forwarded as they are (http targets). Every host name it is
 * asked for is reached on 127.0.0.1, so a test can name targets the machine cannot
 * resolve and show that the proxy, not the probe, looked them up. With `credentials`
 * it answers 407 to anything without the matching Proxy-Authorization.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

/** What the proxy was asked, in order. */
export interface ProxiedRequest {
  /** `CONNECT` or the forwarded method. */
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
  headers: IncomingMessage['headers'];
  /** Refused with 407 for missing or wrong credentials. */
  refused: boolean;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, without credentials. */
  url: string;
  port: number;
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

function authorized(req: IncomingMessage, credentials: string | undefined): boolean {
  if (credentials === undefined) return true;
  return req.headers['proxy-authorization'] === `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/** Starts the proxy; `credentials` (`user:password`) makes it require them. */
export async function startForwardProxy(credentials?: string): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const ok = authorized(req, credentials);
    requests.push({ method: req.method ?? '', target: req.url ?? '', headers: req.headers, refused: !ok });
    if (!ok) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = request(
      { host: '127.0.0.1', port: url.port, path: url.pathname + url.search, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const ok = authorized(req, credentials);
    requests.push({ method: 'CONNECT', target: req.url ?? '', headers: req.headers, refused: !ok });
    client.on('error', () => {});
    if (!ok) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const port = Number(new URL(`http://${req.url ?? ''}`).port);
    const upstream = connect({ host: '127.0.0.1', port }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => sockets.delete(upstream));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
