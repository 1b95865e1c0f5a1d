/**
 * A WebSocket server on 127.0.0.1 for integration tests, from node:http's `upgrade`
 * event and the server side of RFC 6455 framing (frames read are masked, frames sent are
 * not). Small on purpose: text messages, close frames, pings ignored; enough to probe.
 */
import { createHash } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** One accepted connection, as the test's handler drives it. */
export interface ServerConnection {
  /** Sends a text message (in one frame, or in two fragments with `fragmented`). */
  send(text: string, fragmented?: boolean): void;
  /** Sends a close frame with `code`, then ends the connection. */
  close(code: number): void;
  /** Called with each text message the client sends. */
  onMessage(listener: (text: string) => void): void;
  /** The raw socket, to drop the connection without a close frame. */
  socket: Socket;
}

/** What the handler decides for an upgrade request. */
export type UpgradeHandler = (request: IncomingMessage, upgrade: UpgradeControl) => void;

/** Ways to answer an upgrade request. */
export interface UpgradeControl {
  /** Answers 101 (choosing `protocol` when given) and hands over the connection. */
  accept(protocol?: string): ServerConnection;
  /** Answers with another status and closes. */
  refuse(status: number, text: string): void;
  /** Answers 101 with a wrong Sec-WebSocket-Accept. */
  acceptWrongly(): void;
  /** Does nothing at all: the client waits. */
  ignore(): void;
}

/** A listening WebSocket test server. */
export interface WebsocketTestServer {
  port: number;
  /** `ws://127.0.0.1:PORT` (or wss). */
  origin: string;
  /** Every upgrade request seen, in order. */
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const length = payload.length;
  const head = Buffer.alloc(length < 126 ? 2 : length < 65_536 ? 4 : 10);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) head[1] = length;
  else if (length < 65_536) {
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Reads the client's masked frames from `socket`, calling `onFrame` for each. */
function readFrames(socket: Socket, onFrame: (opcode: number, payload: Buffer) => void): void {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      let length = (buffer[1] as number) & 0x7f;
      let at = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        at = 10;
      }
      if (buffer.length < at + 4 + length) return;
      const mask = buffer.subarray(at, at + 4);
      const payload = Buffer.from(buffer.subarray(at + 4, at + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i & 3] as number);
      onFrame((buffer[0] as number) & 0x0f, payload);
      buffer = buffer.subarray(at + 4 + length);
    }
  });
}

function connection(socket: Socket): ServerConnection {
  const listeners: ((text: string) => void)[] = [];
  readFrames(socket, (opcode, payload) => {
    if (opcode === 1) for (const listener of listeners) listener(payload.toString('utf8'));
    if (opcode === 8 && !socket.destroyed) socket.end();
  });
  return {
    socket,
    send(text, fragmented = false) {
      const data = Buffer.from(text, 'utf8');
      if (!fragmented) socket.write(frame(1, data));
      else socket.write(Buffer.concat([frame(1, data.subarray(0, 1), false), frame(0, data.subarray(1))]));
    },
    close(code) {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      socket.end(frame(8, payload));
    },
    onMessage(listener) {
      listeners.push(listener);
    },
  };
}

function control(request: IncomingMessage, socket: Socket): UpgradeControl {
  const key = request.headers['sec-websocket-key'] ?? '';
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  const answer = (acceptValue: string, protocol?: string): void => {
    const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade'];
    lines.push(`Sec-WebSocket-Accept: ${acceptValue}`);
    if (protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  };
  return {
    accept(protocol) {
      answer(accept, protocol);
      return connection(socket);
    },
    refuse(status, text) {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    },
    acceptWrongly() {
      answer(Buffer.from('not the hash').toString('base64'));
    },
    ignore() {},
  };
}

/** Starts a WebSocket server on 127.0.0.1; with `tls` it is wss, presenting `cert` with `key`. */
export async function startWebsocketServer(
  handler: UpgradeHandler,
  tls?: { cert: string; key: string },
): Promise<WebsocketTestServer> {
  const server: Server = tls === undefined ? createHttp() : createHttps({ cert: tls.cert, key: tls.key });
  const sockets = new Set<Socket>();
  const requests: IncomingMessage[] = [];
  server.on(tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {});
  server.on('upgrade', (request: IncomingMessage, socket: Socket) => {
    requests.push(request);
    socket.on('error', () => {});
    handler(request, control(request, socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `${tls === undefined ? 'ws' : 'wss'}://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
