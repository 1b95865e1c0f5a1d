/**
 * Maps what went wrong in one network attempt onto the closed set of failure reasons.
 * Shared by every probe kind that opens sockets (http now; tcp and tls reuse it), so a
 * refused port is `refused` whichever probe met it.
 *
 * Matching is by error code (set lookups and prefix tests, no regular expressions) along
 * the `cause` chain, because undici and node wrap the socket error that tells the story.
 */
import { FAILURE_REASONS, type FailureReason } from '../../results/reasons.js';

/** A failure as a probe reports it: a reason from the closed set and words for humans. */
export interface Failure {
  reason: FailureReason;
  message: string;
}

/**
 * An error a probe raises itself for a condition it detects (body cap, redirect loop),
 * carrying its reason so classification does not have to guess.
 */
export class ProbeFailure extends Error {
  readonly reason: FailureReason;

  constructor(reason: FailureReason, message: string) {
    super(message);
    this.name = 'ProbeFailure';
    this.reason = reason;
  }
}

const CODE_REASONS: ReadonlyMap<string, FailureReason> = new Map<string, FailureReason>([
  ['ENOTFOUND', FAILURE_REASONS.dns],
  ['EAI_AGAIN', FAILURE_REASONS.dns],
  ['EAI_FAIL', FAILURE_REASONS.dns],
  ['EAI_NONAME', FAILURE_REASONS.dns],
  ['EAI_NODATA', FAILURE_REASONS.dns],
  ['ENODATA', FAILURE_REASONS.dns],
  ['ESERVFAIL', FAILURE_REASONS.dns],
  ['ECONNREFUSED', FAILURE_REASONS.refused],
  ['EHOSTUNREACH', FAILURE_REASONS.connect],
  ['ENETUNREACH', FAILURE_REASONS.connect],
  ['EHOSTDOWN', FAILURE_REASONS.connect],
  ['ENETDOWN', FAILURE_REASONS.connect],
  ['EADDRNOTAVAIL', FAILURE_REASONS.connect],
  ['EADDRINUSE', FAILURE_REASONS.connect],
  ['EACCES', FAILURE_REASONS.connect],
  ['EPERM', FAILURE_REASONS.connect],
  ['EINVAL', FAILURE_REASONS.connect],
  ['ETIMEDOUT', FAILURE_REASONS.connect],
  ['ECONNRESET', FAILURE_REASONS.reset],
  ['ECONNABORTED', FAILURE_REASONS.reset],
  ['EPIPE', FAILURE_REASONS.reset],
  ['ERR_STREAM_PREMATURE_CLOSE', FAILURE_REASONS.reset],
  ['UND_ERR_CLOSED', FAILURE_REASONS.reset],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', FAILURE_REASONS.protocol],
  ['UND_ERR_HEADERS_OVERFLOW', FAILURE_REASONS.headers_too_large],
  ['HPE_HEADER_OVERFLOW', FAILURE_REASONS.headers_too_large],
  ['UND_ERR_HEADERS_TIMEOUT', FAILURE_REASONS.timeout],
  ['UND_ERR_BODY_TIMEOUT', FAILURE_REASONS.timeout],
  ['UND_ERR_CONNECT_TIMEOUT', FAILURE_REASONS.timeout],
  ['UND_ERR_ABORTED', FAILURE_REASONS.aborted],
  ['ABORT_ERR', FAILURE_REASONS.aborted],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', FAILURE_REASONS.tls],
  ['SELF_SIGNED_CERT_IN_CHAIN', FAILURE_REASONS.tls],
  ['HOSTNAME_MISMATCH', FAILURE_REASONS.tls],
  ['INVALID_CA', FAILURE_REASONS.tls],
  ['INVALID_PURPOSE', FAILURE_REASONS.tls],
  ['PATH_LENGTH_EXCEEDED', FAILURE_REASONS.tls],
]);

/** Certificate and handshake error codes come in families; a prefix names the family. */
const TLS_PREFIXES = ['ERR_TLS_', 'ERR_SSL_', 'CERT_', 'UNABLE_TO_', 'ERROR_IN_CERT_', 'ERR_OSSL_'];

/** undici's `UND_ERR_SOCKET` covers both a peer that hung up and one that answered nonsense. */
const SOCKET_PROTOCOL_MESSAGES = new Set(['bad response', 'bad upgrade']);

function reasonOfCode(code: string, message: string): FailureReason | undefined {
  const known = CODE_REASONS.get(code);
  if (known !== undefined) return known;
  if (code === 'UND_ERR_SOCKET')
    return SOCKET_PROTOCOL_MESSAGES.has(message) ? FAILURE_REASONS.protocol : FAILURE_REASONS.reset;
  if (code.startsWith('HPE_')) return FAILURE_REASONS.protocol;
  for (const prefix of TLS_PREFIXES) if (code.startsWith(prefix)) return FAILURE_REASONS.tls;
  return undefined;
}

function reasonOf(err: Error): FailureReason | undefined {
  if (err instanceof ProbeFailure) return err.reason;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    const reason = reasonOfCode(code, err.message);
    if (reason !== undefined) return reason;
  }
  if (err.name === 'HTTPParserError') return FAILURE_REASONS.protocol;
  return undefined;
}

/**
 * Words for an error, ending with its code when the message does not already name it
 * (`other side closed (UND_ERR_SOCKET)`). OpenSSL errors give their short reason instead
 * of the library's file-and-line text; an AggregateError lists each inner error.
 */
export function failureMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map((inner) => failureMessage(inner)).join('; ');
  }
  if (!(err instanceof Error)) return String(err);
  const { code, reason } = err as { code?: unknown; reason?: unknown };
  let text = err.message || err.name;
  if (typeof reason === 'string' && typeof code === 'string' && code.startsWith('ERR_SSL_')) text = `TLS: ${reason}`;
  if (typeof code === 'string' && !text.includes(code)) text = `${text} (${code})`;
  return text;
}

/**
 * Whether an aborted signal means "out of time" (`timeout`) or "stop now" (`aborted`).
 * `AbortSignal.timeout()` aborts with a DOMException named `TimeoutError`.
 */
export function abortReason(signal: AbortSignal): FailureReason {
  const why: unknown = signal.reason;
  return why instanceof DOMException && why.name === 'TimeoutError' ? FAILURE_REASONS.timeout : FAILURE_REASONS.aborted;
}

/**
 * Classifies an error met during an attempt. When `signal` has been aborted the abort
 * wins: whatever error the cancellation produced (a destroyed socket, an aborted
 * request) is a consequence, not the cause.
 */
export function classifyError(err: unknown, signal?: AbortSignal): Failure {
  if (signal?.aborted) {
    const reason = abortReason(signal);
    return { reason, message: reason === FAILURE_REASONS.timeout ? 'timed out' : 'aborted' };
  }
  const message = failureMessage(err);
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const reason = reasonOf(current);
    if (reason !== undefined) return { reason, message };
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[0];
    } else {
      current = current.cause;
    }
  }
  return { reason: FAILURE_REASONS.unknown, message };
}
