/**
 * The `expect` of a PromQL entry: an operator and a plain number (`> 0.99`, `== 0`), because
 * a query's value has whatever unit its expression gives it; ratios and durations are the
 * business of the check-based entries.
 */
import type { Comparison } from '../model/experiment.js';

const EXPECT = /^(<=|>=|==|<|>)\s*(\S+)$/;

export const EXPECT_MESSAGE =
  'must be a comparison such as "> 0.99" or "== 0": an operator (<, <=, >, >=, ==) and a number';

/** Parses `> 0.99`; undefined when it is not an operator followed by a finite number. */
export function parseExpect(raw: string): Comparison | undefined {
  const text = raw.trim();
  const match = EXPECT.exec(text);
  if (!match) return undefined;
  const value = Number(match[2]);
  if (!Number.isFinite(value)) return undefined;
  return { op: match[1] as Comparison['op'], value, text };
}
