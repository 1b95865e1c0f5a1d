/**
 * Why an echo got no reply, in the closed set of reasons: ICMP errors and routing
 * failures are `unreachable`; a socket the system will not open, or a source address it
 * will not bind, is `connect` (nothing was sent).
 */
import { constants } from 'node:os';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from '../http/classify.js';
import type { NativeQueuedError } from './native.js';

const ERRNO = constants.errno;

/** errno values by number, for messages (`EHOSTUNREACH`). */
const ERRNO_NAMES = new Map<number, string>(Object.entries(ERRNO).map(([name, value]) => [value, name]));

/** Codes of ICMPv4 destination unreachable (type 3) and ICMPv6 (type 1), in words. */
const UNREACHABLE_V4: Readonly<Record<number, string>> = {
  0: 'network unreachable',
  1: 'host unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  9: 'network administratively prohibited',
  10: 'host administratively prohibited',
  13: 'communication administratively prohibited',
};
const UNREACHABLE_V6: Readonly<Record<number, string>> = {
  0: 'no route to destination',
  1: 'communication administratively prohibited',
  3: 'address unreachable',
  4: 'port unreachable',
};

/** SO_EE_ORIGIN_* of linux/errqueue.h. */
const ORIGIN = { local: 1, icmp: 2, icmp6: 3 } as const;

/** The ICMP error in words, e.g. `time exceeded (TTL ran out in transit)`. */
function describeIcmp(error: NativeQueuedError): string {
  if (error.origin === ORIGIN.icmp) {
    if (error.type === 3) return `destination unreachable: ${UNREACHABLE_V4[error.code] ?? `code ${error.code}`}`;
    if (error.type === 11) return 'time exceeded (TTL ran out in transit)';
    return `ICMP type ${error.type} code ${error.code}`;
  }
  if (error.type === 1) return `destination unreachable: ${UNREACHABLE_V6[error.code] ?? `code ${error.code}`}`;
  if (error.type === 2) return `packet too big (MTU ${error.info})`;
  if (error.type === 3) return 'time exceeded (hop limit ran out in transit)';
  return `ICMPv6 type ${error.type} code ${error.code}`;
}

/** The failure for an ICMP error (or a local error, such as a message too big to send) about our request. */
export function queuedErrorFailure(error: NativeQueuedError): ProbeFailure {
  if (error.origin === ORIGIN.icmp || error.origin === ORIGIN.icmp6) {
    const from = error.offender === '' ? '' : ` from ${error.offender}`;
    return new ProbeFailure(FAILURE_REASONS.unreachable, `ICMP ${describeIcmp(error)}${from}`);
  }
  return errnoFailure('send', error.error);
}

/** Errors of sending that mean the packet has no way to its destination. */
const UNREACHABLE_ERRNOS = new Set<number>([ERRNO.ENETUNREACH, ERRNO.EHOSTUNREACH, ERRNO.EMSGSIZE]);

/** Why the socket could not be opened, in words that say what would allow it. */
function openAdvice(errno: number): string {
  if (errno === ERRNO.EPERM || errno === ERRNO.EACCES)
    return ': needs net.ipv4.ping_group_range to include the agent’s group, or root (CAP_NET_RAW) for a raw socket';
  if (errno === ERRNO.EAFNOSUPPORT) return ': this system has no such address family';
  return '';
}

/** The failure for a system call's errno (`syscall` is what was attempted). */
export function errnoFailure(syscall: string, errno: number): ProbeFailure {
  const name = ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
  if (syscall === 'socket')
    return new ProbeFailure(FAILURE_REASONS.connect, `cannot open an ICMP socket (${name})${openAdvice(errno)}`);
  if (syscall === 'bind') return new ProbeFailure(FAILURE_REASONS.connect, `cannot send from sourceIp (${name})`);
  if (UNREACHABLE_ERRNOS.has(errno)) {
    const why = errno === ERRNO.EMSGSIZE ? ': the request is larger than the path MTU and may not be fragmented' : '';
    return new ProbeFailure(FAILURE_REASONS.unreachable, `${syscall} failed (${name})${why}`);
  }
  return new ProbeFailure(FAILURE_REASONS.connect, `${syscall} failed (${name})`);
}

/** The failure for an error the addon threw (it carries `errno` and `syscall`), or the error itself. */
export function systemFailure(err: unknown): unknown {
  const { errno, syscall } = (err ?? {}) as { errno?: unknown; syscall?: unknown };
  if (typeof errno !== 'number' || typeof syscall !== 'string') return err;
  return errnoFailure(syscall, errno);
}
