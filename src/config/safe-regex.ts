/**
 * The guard on configured regular expressions. V8's engine backtracks: a pattern with a
 * quantifier inside a quantified group, such as `(a+)+$`, can take exponential time on a
 * subject that almost matches, and a probe's response is the subject, chosen by whoever
 * runs the target. A linear-time engine (RE2) would need a native addon, so the guard is
 * a bounded alternative: every configured pattern is checked with safe-regex2 at config
 * load, and one with a star height above 1 (a repetition nested in a repetition) is
 * refused. The subjects are bounded too (http.maxBodySize, http.maxHeaderSize,
 * tcp.maxLineLength, a DNS message's size).
 *
 * It is a heuristic: it refuses some safe patterns (`(ab+)*`), and cannot catch every slow
 * one (overlapping alternatives such as `(a|a)*` have star height 1). docs/probes.md says so.
 */
import safeRegex from 'safe-regex2';
import { CanaryError, ERROR_CODES } from '../errors.js';

/** The message of a refused pattern, with how to rewrite the usual shapes. */
export const BACKTRACKING_MESSAGE =
  'may backtrack catastrophically (nested quantifier); rewrite it without a repetition inside a repeated group, ' +
  'e.g. (a+)+ as a+, or (\\w+\\s?)* as [\\w\\s]*';

/**
 * safe-regex2 also refuses patterns with more than 25 quantifiers by default; only the
 * star height is the guard here, so that count is not limited.
 */
const NO_REPETITION_LIMIT = Number.POSITIVE_INFINITY;

/**
 * Lookbehinds are valid in JavaScript but not understood by the parser safe-regex2 uses; a
 * lookahead has the same shape for the star height, so they are checked as one. An
 * optional group, `(...)?`, is checked as the group alone: matching it at most once adds
 * no nesting (blackbox's own `^SSH-2.0-([^ -]+)(?: (.*))?$` is linear), while a `*` or `+`
 * around it still counts.
 */
function analysable(source: string): string {
  return source.replace(/\(\?<([=!])/g, '(?$1').replace(/(?<!\\)\)\?/g, ')');
}

/**
 * A leading group of flags, `(?i)` as Go and Prometheus write a case-insensitive pattern;
 * JavaScript takes flags beside the pattern instead. `i`, `m` and `s` mean the same in both.
 */
const LEADING_FLAGS = /^\(\?([ims]+)\)/;

/** The pattern and flags a configured regex compiles to: a leading `(?i)` becomes the `i` flag. */
function splitFlags(source: string): { pattern: string; flags: string } {
  const flags = LEADING_FLAGS.exec(source);
  if (flags === null) return { pattern: source, flags: '' };
  return { pattern: source.slice(flags[0].length), flags: [...new Set(flags[1])].join('') };
}

function compileRegex(source: string): RegExp {
  const { pattern, flags } = splitFlags(source);
  return new RegExp(pattern, flags);
}

/** Why a configured pattern is refused, or undefined when it may be used: it must compile and pass the guard. */
export function regexProblem(source: string): string | undefined {
  try {
    compileRegex(source);
  } catch {
    return 'must be a valid regular expression';
  }
  if (!safeRegex(analysable(splitFlags(source).pattern), { limit: NO_REPETITION_LIMIT })) return BACKTRACKING_MESSAGE;
  return undefined;
}

/**
 * Compiles a configured pattern. The config schema has refused an unsafe one already;
 * this checks again so no path (a module default, a test fixture, a later caller) compiles
 * one unguarded.
 */
export function configuredRegex(source: string): RegExp {
  const problem = regexProblem(source);
  if (problem !== undefined) throw new CanaryError(ERROR_CODES.config, `regex ${JSON.stringify(source)} ${problem}`);
  return compileRegex(source);
}
