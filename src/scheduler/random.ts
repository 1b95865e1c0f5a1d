import { randomInt } from 'node:crypto';

/** A seed for runs without a fixed one: each agent start spreads its checks differently. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32);
}

/** The murmur3 32-bit finaliser: every input bit flips about half the output bits. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of `text`. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A number in [0, 1) fixed by `seed` and `key`: a keyed PRNG draw. Keyed by check name
 * rather than drawn in sequence, so adding or removing one check on reload does not move
 * the offsets of all the others, and the same seed gives the same offsets in any order.
 *
 * @example keyedUnit(42, 'api-health') // always the same value for seed 42
 */
export function keyedUnit(seed: number, key: string): number {
  // Seeds are any safe integer; fold the high word in so 1 and 2**32 + 1 differ.
  const seedWord = fmix32((seed >>> 0) ^ fmix32(Math.floor(seed / 2 ** 32) >>> 0) ^ 0x9e3779b9);
  return fmix32(fnv1a(key) ^ seedWord) / 2 ** 32;
}
