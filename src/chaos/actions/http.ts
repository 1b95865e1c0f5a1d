/**
 * Runs `http` calls: one request, a status it must answer with, and the start of the body
 * kept for the journal.
 */
import { Agent, request } from 'undici';
import { redactUrl } from '../../net/redact-url.js';
import type { CallOutcome } from '../model/calls.js';
import { elapsedMs, messageWithCause, type CallExecutor, type CallOf } from './types.js';

/** Bytes of the response body kept in the outcome. */
const BODY_LIMIT = 1024;

/** The executor of `http` calls. */
export const httpExecutor: CallExecutor<'http'> = {
  kind: 'http',
  async run(call, signal) {
    const startedAt = performance.now();
    if (signal.aborted) return { ok: false, output: '', error: 'aborted before it started', durationMs: 0 };
    // A dispatcher per call: chaos calls are rare, and a pooled keep-alive socket would
    // outlive the call (and keep a stopping agent or a test process alive).
    const dispatcher = new Agent({ connections: 1, pipelining: 0 });
    try {
      return await send(call, signal, dispatcher, startedAt);
    } catch (err) {
      return { ok: false, output: '', error: httpCallFailure(err, call, signal), durationMs: elapsedMs(startedAt) };
    } finally {
      await dispatcher.destroy().catch(() => undefined);
    }
  },
};

async function send(
  call: CallOf<'http'>,
  signal: AbortSignal,
  dispatcher: Agent,
  startedAt: number,
): Promise<CallOutcome> {
  const response = await request(call.url, {
    dispatcher,
    method: call.method,
    headers: call.headers,
    body: call.body,
    headersTimeout: call.timeoutMs,
    bodyTimeout: call.timeoutMs,
    // The phase timeouts bound each wait; this bounds the whole call, a slow drip included.
    signal: AbortSignal.any([signal, AbortSignal.timeout(call.timeoutMs)]),
  });
  const body = await readStart(response.body);
  const output = body.length > 0 ? `HTTP ${response.statusCode}\n${body}` : `HTTP ${response.statusCode}`;
  const outcome: CallOutcome = {
    ok: call.expectStatus.includes(response.statusCode),
    output,
    durationMs: elapsedMs(startedAt),
  };
  if (!outcome.ok) outcome.error = `status ${response.statusCode}, expected ${formatStatuses(call.expectStatus)}`;
  return outcome;
}

/** The first {@link BODY_LIMIT} bytes of a body; the rest is discarded with the connection. */
async function readStart(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    // Leaving the loop destroys the stream: no need to download what will not be kept.
    if (size >= BODY_LIMIT) break;
  }
  return Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8');
}

/** `200-299, 404`: expanded status classes read back as ranges. */
export function formatStatuses(statuses: readonly number[]): string {
  const sorted = [...new Set(statuses)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    ranges.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.length === 0 ? 'no status at all' : ranges.join(', ');
}

function httpCallFailure(err: unknown, call: CallOf<'http'>, signal: AbortSignal): string {
  const code = (err as { code?: unknown }).code;
  const name = err instanceof Error ? err.name : '';
  const url = redactUrl(call.url);
  if (signal.aborted) return `aborted: ${call.method} ${url}`;
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return `timed out after ${call.timeoutMs}ms: ${call.method} ${url}`;
  }
  const errno = typeof code === 'string' ? ` (${code})` : '';
  return `${call.method} ${url} failed: ${messageWithCause(err)}${errno}`;
}
