/**
 * One ICMP socket for one echo: opened as an unprivileged datagram socket where
 * net.ipv4.ping_group_range allows it, else as a raw socket (root or CAP_NET_RAW), as
 * blackbox_exporter does; then one request sent and its reply (or an ICMP error about
 * it) awaited on the event loop.
 */
import { constants } from 'node:os';
import { ProbeFailure } from '../http/classify.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { isAboutRequest, isReply, type EchoRequest } from './packet.js';
import { queuedErrorFailure, systemFailure } from './failure.js';
import type { IcmpNative, NativeMessage, NativeQueuedError, NativeReceived, NativeSocket } from './native.js';

/** How the request leaves: TTL (0: system default), DF and source address ('' any). */
export interface SendOptions {
  ttl: number;
  dontFragment: boolean;
  source: string;
}

/** An open socket and which kind it is. */
export interface IcmpSocket {
  native: IcmpNative;
  handle: NativeSocket;
  kind: 'datagram' | 'raw';
}

/** Messages read per readable event at most, so a flood of other ICMP traffic cannot hold the loop. */
const READS_PER_WAKE = 64;

const DENIED = new Set<number>([constants.errno.EACCES, constants.errno.EPERM]);

/** Opens and configures a socket; throws a ProbeFailure when neither kind may be opened. */
export function openSocket(native: IcmpNative, version: 4 | 6, options: SendOptions): IcmpSocket {
  let socket: IcmpSocket;
  try {
    socket = { native, handle: native.open(version, false), kind: 'datagram' };
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno;
    // Only a refused datagram socket is worth a raw try; other errors would repeat.
    if (typeof errno !== 'number' || !DENIED.has(errno)) throw systemFailure(err);
    try {
      socket = { native, handle: native.open(version, true), kind: 'raw' };
    } catch (rawErr) {
      throw systemFailure(rawErr);
    }
  }
  try {
    native.configure(socket.handle, options.ttl, options.dontFragment, options.source);
  } catch (err) {
    native.close(socket.handle);
    throw systemFailure(err);
  }
  return socket;
}

/** A reply that arrived for the request. */
export interface EchoReply {
  from: string;
  /** -1 when the kernel did not say. */
  hopLimit: number;
}

function isQueuedError(received: NativeReceived): received is NativeQueuedError {
  return received !== null && 'origin' in received;
}

function isMessage(received: NativeReceived): received is NativeMessage {
  return received !== null && 'from' in received;
}

/**
 * What a read means for the request: its reply, a failure, or nothing (other traffic, or
 * a pending socket error that the error queue explains on the next read).
 */
function judge(socket: IcmpSocket, request: EchoRequest, received: NativeReceived): EchoReply | Error | undefined {
  const strict = socket.kind === 'raw';
  if (isQueuedError(received))
    return isAboutRequest(request, received.data, strict) ? queuedErrorFailure(received) : undefined;
  if (isMessage(received) && isReply(request, received.data, strict))
    return { from: received.from, hopLimit: received.hopLimit };
  return undefined;
}

/**
 * Sends `request` to `address` and waits for its reply. Rejects with a ProbeFailure for
 * an ICMP error or a failed send, and with the signal's reason when it aborts first.
 */
export function exchange(
  socket: IcmpSocket,
  request: EchoRequest,
  address: string,
  signal: AbortSignal,
): Promise<EchoReply> {
  const { native, handle } = socket;
  return new Promise<EchoReply>((resolve, reject) => {
    const finish = (outcome: EchoReply | Error): void => {
      native.watch(handle, null);
      signal.removeEventListener('abort', onAbort);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const onReadable = (): void => {
      try {
        for (let i = 0; i < READS_PER_WAKE; i++) {
          const received = native.receive(handle);
          if (received === null) return;
          const outcome = judge(socket, request, received);
          if (outcome !== undefined) return finish(outcome);
        }
      } catch (err) {
        finish(err instanceof Error ? err : new ProbeFailure(FAILURE_REASONS.unknown, String(err)));
      }
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      native.watch(handle, onReadable);
      native.send(handle, request.message, address);
    } catch (err) {
      const failure = systemFailure(err);
      finish(failure instanceof Error ? failure : new Error(String(failure)));
    }
  });
}
