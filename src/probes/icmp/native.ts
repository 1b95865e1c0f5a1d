/**
 * The ICMP socket addon (src/probes/icmp/native/*.c, built by node-gyp into
 * build/Release when the package is installed). Node.js has no ICMP socket API, so this
 * small Node-API module opens the socket and hands over what it reads; everything else
 * (packets, matching, timing) is TypeScript. Node-API is ABI-stable: one build loads on
 * every supported Node.js release.
 */
import { createRequire } from 'node:module';
import { errorMessage } from '../../errors.js';

/** An open socket, owned by the addon. */
export type NativeSocket = { readonly __icmpSocket: unique symbol };

/** A message read from the socket: the ICMP message without the IP header. */
export interface NativeMessage {
  data: Buffer;
  from: string;
  /** The TTL or hop limit the reply arrived with; -1 when unknown. */
  hopLimit: number;
}

/** An ICMP error for a request of this socket, from the socket's error queue. */
export interface NativeQueuedError {
  /** The errno the kernel mapped the ICMP error to. */
  error: number;
  /** SO_EE_ORIGIN_*: 1 local, 2 ICMP, 3 ICMPv6. */
  origin: number;
  type: number;
  code: number;
  /** The MTU of a "too big" error, else 0. */
  info: number;
  /** Who sent the ICMP error; '' when local. */
  offender: string;
  /** The request it is about, ICMP header onwards. */
  data: Buffer;
}

/** What `receive` returns: nothing waiting, a message, a queued ICMP error, or a pending socket error. */
export type NativeReceived = null | NativeMessage | NativeQueuedError | { errno: number };

/** The addon's functions; each throws an Error with `errno` and `syscall` when the system call fails. */
export interface IcmpNative {
  open(version: 4 | 6, raw: boolean): NativeSocket;
  /** ttl 0 keeps the system default; source '' binds to no particular address. */
  configure(socket: NativeSocket, ttl: number, dontFragment: boolean, source: string): void;
  send(socket: NativeSocket, message: Buffer, address: string): void;
  receive(socket: NativeSocket): NativeReceived;
  /** Calls back (on the event loop) while the socket is readable; null stops watching. */
  watch(socket: NativeSocket, callback: ((status: number) => void) | null): void;
  close(socket: NativeSocket): void;
}

/** From dist/src/probes/icmp/ (and src/probes/icmp/ when run from source) to the package root's build. */
const ADDON_PATHS = ['../../../../build/Release/canary_icmp.node', '../../../build/Release/canary_icmp.node'];

let loaded: IcmpNative | Error | undefined;

/** The addon, or an Error saying why it is not there (not built, or built for another platform). */
export function icmpNative(): IcmpNative | Error {
  if (loaded !== undefined) return loaded;
  const require = createRequire(import.meta.url);
  const problems: string[] = [];
  for (const path of ADDON_PATHS) {
    try {
      loaded = require(path) as IcmpNative;
      return loaded;
    } catch (err) {
      problems.push(errorMessage(err));
    }
  }
  const missing = problems.every((p) => p.includes('Cannot find module'));
  loaded = new Error(
    missing
      ? 'the ICMP socket addon is not built (build/Release/canary_icmp.node): run `npm rebuild` or `npx node-gyp rebuild` in the canary package, which needs a C compiler'
      : `the ICMP socket addon did not load: ${problems.find((p) => !p.includes('Cannot find module'))}`,
  );
  return loaded;
}
