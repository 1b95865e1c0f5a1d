/**
 * blackbox_exporter's patterns are Go (RE2) regular expressions; canary's are JavaScript's.
 * The common ground is nearly everything written in practice; the few spellings that differ
 * are rewritten, and what cannot be is said so rather than compiled to something else.
 */
import { regexProblem } from '../safe-regex.js';

export type GoRegex = { ok: string } | { invalid: string } | { unsupported: string };

/**
 * Go-only spellings with a JavaScript equivalent: named groups, start and end of text, and
 * a repeated `^` where a branch starts (RE2 reads `^+OK`, in blackbox's own example, as
 * `^OK`; JavaScript has nothing to repeat). Only where a branch starts: in `[^+]` the `^`
 * negates a class.
 */
const REWRITES: readonly [RegExp, string][] = [
  [/\(\?P</g, '(?<'],
  [/(^|[(|])\^\+/g, '$1^'],
  [/(^|[(|])\^[*?]/g, '$1'],
  [/(?<!\\)((?:\\\\)*)\\A/g, '$1^'],
  [/(?<!\\)((?:\\\\)*)\\z/g, '$1$'],
];

/** Go syntax JavaScript reads differently or not at all. */
const GO_ONLY: readonly [RegExp, string][] = [
  [/\(\?[imsU-]+[):]/, 'inline flags other than a leading (?i), (?m) or (?s)'],
  [/(?<!\\)(?:\\\\)*\\[QEC]/, '\\Q...\\E quoting or \\C'],
  [/(?<!\\)(?:\\\\)*\\[pP][A-Za-z]/, 'one-letter Unicode classes such as \\pL'],
  [/\[\[:[a-z]+:\]\]/, 'POSIX classes such as [[:alpha:]]'],
];

/**
 * A blackbox pattern as canary's: rewritten where the spelling differs, `invalid` where Go
 * refuses it too (blackbox would not load the file), `unsupported` where only Go reads it.
 */
export function goRegex(source: string): GoRegex {
  const leading = /^\(\?[ims]+\)/.exec(source)?.[0] ?? '';
  const rest = source.slice(leading.length);
  const goOnly = GO_ONLY.find(([pattern]) => pattern.test(rest));
  if (goOnly !== undefined)
    return { unsupported: `the pattern uses ${goOnly[1]}, which JavaScript does not read as Go does` };
  const rewritten = leading + REWRITES.reduce((text, [from, to]) => text.replace(from, to), rest);
  const problem = regexProblem(rewritten);
  if (problem === undefined) return { ok: rewritten };
  if (problem === 'must be a valid regular expression') return { invalid: 'is not a valid regular expression' };
  return { unsupported: `the pattern ${problem}` };
}
