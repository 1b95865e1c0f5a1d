/**
 * The one Prometheus call a hypothesis makes: an instant query on `/api/v1/query`, bounded
 * by a timeout, its answer reduced to samples or to the reason there are none. It never
 * throws: a Prometheus that cannot answer is a verdict, not a crash.
 */
import { errorMessage } from '../../errors.js';
import type { PromAnswer, PromSample } from './verdict.js';

type RawSample = { metric?: Record<string, string>; value?: [number, string] };

interface QueryBody {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

function toSample(raw: RawSample): PromSample | undefined {
  if (!Array.isArray(raw.value)) return undefined;
  const [at, text] = raw.value;
  return { labels: raw.metric ?? {}, at: Number(at), value: Number(text) };
}

/** The samples of a `vector` or `scalar` answer; a matrix or a string is a mistake in the query. */
function samplesOf(body: QueryBody): PromAnswer {
  const data = body.data ?? {};
  if (data.resultType === 'scalar' && Array.isArray(data.result)) {
    const [at, text] = data.result as [number, string];
    return { ok: true, samples: [{ labels: {}, at: Number(at), value: Number(text) }] };
  }
  if (data.resultType !== 'vector' || !Array.isArray(data.result))
    return { ok: false, error: `expected an instant vector or a scalar, got ${data.resultType ?? 'nothing'}` };
  const samples = (data.result as RawSample[]).map(toSample);
  if (samples.some((s) => s === undefined)) return { ok: false, error: 'malformed vector in the answer' };
  return { ok: true, samples: samples as PromSample[] };
}

/**
 * Evaluates `expr` on the Prometheus at `base`, now or at `atMs` (so several queries can see
 * one instant); at most `timeoutMs`, or less when `signal` aborts.
 */
export async function queryPrometheus(
  base: string,
  expr: string,
  timeoutMs: number,
  signal?: AbortSignal,
  atMs?: number,
): Promise<PromAnswer> {
  const url = new URL('api/v1/query', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('query', expr);
  if (atMs !== undefined) url.searchParams.set('time', (atMs / 1000).toFixed(3));
  url.searchParams.set('timeout', `${Math.max(1, Math.floor(timeoutMs / 1000))}s`);
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  try {
    const res = await fetch(url, { signal: AbortSignal.any(signals), headers: { accept: 'application/json' } });
    const text = await res.text();
    let body: QueryBody;
    try {
      body = JSON.parse(text) as QueryBody;
    } catch {
      return { ok: false, error: `HTTP ${res.status}: not a Prometheus answer` };
    }
    if (body.status !== 'success') return { ok: false, error: `HTTP ${res.status}: ${body.error ?? 'query failed'}` };
    return samplesOf(body);
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return { ok: false, error: timedOut ? `no answer within ${timeoutMs} ms` : errorMessage(error) };
  }
}
