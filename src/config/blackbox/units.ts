/** Go's spellings of durations and sizes in blackbox files, in canary's units. */

const GO_DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (`5s`, `1m30s`, `1.5s`, `250ms`) in milliseconds; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (const match of text.matchAll(part)) {
    total += Number(match[1]) * (GO_DURATION_UNITS[match[2] as string] as number);
    end = (match.index ?? 0) + match[0].length;
  }
  return end === text.length && end > 0 ? total : undefined;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 2 ** 10,
  kib: 2 ** 10,
  mb: 2 ** 20,
  mib: 2 ** 20,
  gb: 2 ** 30,
  gib: 2 ** 30,
  tb: 2 ** 40,
  tib: 2 ** 40,
};

/**
 * A size as blackbox's `body_size_limit` reads it: every unit is a power of 1024 there, so
 * `10MB` is 10 MiB. A bare number is bytes.
 */
export function parseBase2Bytes(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const part = /(\d+)([A-Za-z]+)/gy;
  let total = 0;
  let end = 0;
  for (const match of text.matchAll(part)) {
    const unit = BYTE_UNITS[(match[2] as string).toLowerCase()];
    if (unit === undefined) return undefined;
    total += Number(match[1]) * unit;
    end = (match.index ?? 0) + match[0].length;
  }
  return end === text.length && end > 0 ? total : undefined;
}
