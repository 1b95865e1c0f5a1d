/**
 * One DNS exchange over UDP or TCP (RFC 1035 4.2; TCP messages carry a two-byte length).
 * Answers whose id does not match the query are ignored, as a resolver must, so a stray or
 * spoofed datagram cannot pass for the answer.
 */
import { createSocket } from 'node:dgram';
import { connect as netConnect, isIPv6 } from 'node:net';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from '../http/classify.js';
import type { SocketAttempt } from '../socket/attempt.js';

/** Where the query goes. */
export interface Server {
  host: string;
  port: number;
}

/** Largest TCP message (the length prefix is 16 bits). */
const MAX_TCP_MESSAGE = 65_535;

/** Sends `query` over UDP; resolves with the first datagram carrying the same id. */
export function exchangeUdp(server: Server, query: Buffer, attempt: SocketAttempt): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    const done = (err: Error | undefined, answer?: Buffer): void => {
      attempt.onAbort = () => {};
      socket.close();
      if (err) reject(err);
      else resolve(answer as Buffer);
    };
    attempt.onAbort = () => done(new Error('aborted'));
    socket.on('error', (err) => done(err));
    socket.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) done(undefined, msg);
    });
    // Connected, so the kernel drops datagrams from anyone else and reports ICMP port
    // unreachable as ECONNREFUSED (a nameserver that is not running).
    socket.connect(server.port, server.host, () => socket.send(query));
  });
}

/** Sends `query` over a new TCP connection; resolves with the one length-prefixed answer. */
export function exchangeTcp(server: Server, query: Buffer, attempt: SocketAttempt): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    attempt.stage = 'the TCP connect';
    const started = performance.now();
    const socket = attempt.own(netConnect({ host: server.host, port: server.port, noDelay: true }));
    let received = Buffer.alloc(0);
    const finish = (err: Error | undefined, answer?: Buffer): void => {
      socket.destroy();
      if (err) reject(err);
      else resolve(answer as Buffer);
    };
    socket.once('connect', () => {
      attempt.add('connect', performance.now() - started);
      attempt.stage = 'the answer';
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const size = received.readUInt16BE(0);
      if (received.length >= 2 + size) finish(undefined, received.subarray(2, 2 + size));
      else if (received.length > MAX_TCP_MESSAGE + 2)
        finish(new ProbeFailure(FAILURE_REASONS.protocol, 'DNS message over 64 KiB'));
    });
    socket.once('error', (err) => finish(err));
    socket.once('close', () =>
      finish(
        Object.assign(new Error('the server closed the connection before a complete answer'), { code: 'ECONNRESET' }),
      ),
    );
  });
}
