/**
 * YAML syntax errors in plain words. The `yaml` package words its errors for people who
 * know the YAML grammar ("Nested mappings are not allowed in compact mappings") and often
 * places them where it gave up rather than where the mistake is (an unclosed `[` is
 * reported on the next line). Each common error code gets a sentence about the file as
 * written and, where the package's place is not the mistake's, a better place.
 */
import type { YAMLError } from 'yaml';
import { REDACTED_VALUE } from '../secrets/redact.js';

/** A syntax error as shown: where it is (an offset into the text) and what it is. */
export interface PlainSyntaxError {
  offset: number;
  message: string;
}

interface At {
  text: string;
  /** Where the package placed the error. */
  offset: number;
  /** The package's own message. */
  message: string;
}

type Rule = (at: At) => PlainSyntaxError | undefined;

/** The text of the line `offset` lies in, from `offset` to its end. */
function restOfLine(text: string, offset: number): string {
  const end = text.indexOf('\n', offset);
  return text.slice(offset, end === -1 ? text.length : end);
}

/** The first non-blank character after the line `offset` lies in, or undefined at the end. */
function nextLineStart(text: string, offset: number): number | undefined {
  const match = /\n[ \t]*(?=[^\s#])/g;
  match.lastIndex = offset;
  const found = match.exec(text);
  return found ? found.index + found[0].length : undefined;
}

/** `offset`, moved past the indentation it points into. */
function pastIndent(text: string, offset: number): number {
  let at = offset;
  while (text[at] === ' ' || text[at] === '\t') at++;
  return at;
}

/** The bracket `open` before `offset` that no `close` after it closes (quotes aside). */
function unclosed(text: string, offset: number, open: string, close: string): number | undefined {
  let depth = 0;
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    if (text[i] === close) depth++;
    else if (text[i] === open && depth-- === 0) return i;
  }
  return undefined;
}

/** The key written at `offset` (`region` of `region: a`), when one is. */
function keyAt(text: string, offset: number): string | undefined {
  const match = /^(?:"([^"]*)"|'([^']*)'|([^\s:#][^:#]*?))\s*:/.exec(restOfLine(text, offset));
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

const RULES: Record<string, Rule> = {
  TAB_AS_INDENT: ({ offset }) => ({ offset, message: 'a tab indents this line: YAML indents with spaces only' }),
  DUPLICATE_KEY: ({ text, offset }) => {
    const key = keyAt(text, offset);
    const which = key === undefined ? 'this key' : `key ${JSON.stringify(key)}`;
    return { offset, message: `${which} is written twice in the same map; a key may appear only once` };
  },
  BAD_INDENT: ({ text, offset, message }) => {
    if (message.startsWith('All sequence items'))
      return { offset: pastIndent(text, offset), message: 'this list item is not lined up with the items above it' };
    if (message.startsWith('All mapping items'))
      return { offset: pastIndent(text, offset), message: 'this key is not lined up with the keys above it' };
    if (!message.startsWith('Flow')) return undefined;
    const [open, close, what] = message.startsWith('Flow map') ? ['{', '}', 'map'] : ['[', ']', 'list'];
    const at = unclosed(text, offset, open, close);
    return { offset: at ?? offset, message: `this ${what} opened with "${open}" is not closed with "${close}"` };
  },
  MISSING_CHAR: ({ text, offset, message }) => {
    const quote = /^Missing closing (["'])quote/.exec(message)?.[1];
    if (quote !== undefined) {
      const at = text.lastIndexOf(quote, offset - 1);
      return { offset: at === -1 ? offset : at, message: `this value opened with ${quote} has no closing ${quote}` };
    }
    if (message.startsWith('Implicit map keys need'))
      return { offset, message: 'expected KEY: VALUE here: a key needs a colon and a space after it' };
    if (message.startsWith('Missing ,'))
      return { offset, message: 'items inside [ ] or { } need a comma between them' };
    if (message.startsWith('Comments must')) return { offset, message: 'a comment needs a space before its #' };
    return undefined;
  },
  BLOCK_AS_IMPLICIT_KEY: ({ text, offset, message }) => {
    if (message.startsWith('A block sequence'))
      return {
        offset: pastIndent(text, offset),
        message: 'a list item ("- ") cannot stand among the keys of a map; put the list under a key',
      };
    if (/:(?:\s|$)/.test(restOfLine(text, offset)))
      return { offset, message: 'this value contains ": "; put the value in quotes' };
    const next = nextLineStart(text, offset);
    return {
      offset: next ?? offset,
      message: 'this line is indented more than the key above it, so it reads as part of that value',
    };
  },
  BLOCK_IN_FLOW: ({ offset }) => ({
    offset,
    message: 'an indented map or list cannot stand inside [ ] or { }; is a comma missing before it?',
  }),
  MULTILINE_IMPLICIT_KEY: ({ offset }) => ({
    offset,
    message: 'expected KEY: VALUE here: a key needs a colon and a space after it',
  }),
  BAD_SCALAR_START: ({ offset, message }) => {
    const what = /cannot start with (?:reserved character )?(.+)$/.exec(message)?.[1];
    return what === undefined ? undefined : { offset, message: `a value cannot start with ${what} unless quoted` };
  },
  BAD_DQ_ESCAPE: ({ offset, message }) => {
    const escape = /Invalid escape sequence (.+)$/.exec(message)?.[1];
    return escape === undefined
      ? undefined
      : { offset, message: `${escape} is not an escape in double quotes; use single quotes, or \\\\ for a backslash` };
  },
  MULTIPLE_DOCS: ({ offset }) => ({ offset, message: 'a second document starts here ("---"); a file holds one' }),
  TAG_RESOLVE_FAILED: ({ offset, message }) => ({
    offset,
    message: `unknown tag ${message.replace(/^Unresolved tag: /, '')}; canary reads plain YAML, without tags`,
  }),
  UNEXPECTED_TOKEN: ({ offset, message }) => {
    const token = /: ("[^"]*")$/.exec(message)?.[1];
    return token === undefined ? undefined : { offset, message: `unexpected ${token} here` };
  },
};

/** The error in plain words and at the place of the mistake; else the package's first line. */
export function plainSyntaxError(text: string, err: YAMLError): PlainSyntaxError {
  const message = err.message.split('\n')[0] ?? err.message;
  const at = { text, offset: err.pos[0], message };
  return RULES[err.code]?.(at) ?? { offset: at.offset, message };
}

/**
 * Values that are credentials whatever the file: those of keys named like one (`password`,
 * `token`, `Authorization`, `x-api-key`, ...) up to the end of the line or flow item, and
 * the password of a URL's userinfo. Before the file parses, what is a secret is not known
 * by position (secrets/positions.ts), so the line shown under a syntax error goes by name.
 */
const CREDENTIALS = [
  /((?<![A-Za-z])(?:password|passwd|token|secret|clientSecret|authorization|cookie|api[_-]?key)["']?[ \t]*:[ \t]*)("[^"]*"?|'[^']*'?|[^\s,}\]#](?:[^,}\]#]*[^\s,}\]#])?)/gi,
  /(\/\/[^/\s:@]+:)([^@\s/]+)(?=@)/g,
];

/** `text` with the values `pattern` finds replaced, and `caret` (0-based) kept on the same character or the replacement. */
function mask(text: string, caret: number, pattern: RegExp): { text: string; caret: number } {
  let out = text;
  let at = caret;
  for (const match of [...text.matchAll(pattern)].reverse()) {
    const start = match.index + (match[1]?.length ?? 0);
    const end = start + (match[2]?.length ?? 0);
    out = out.slice(0, start) + REDACTED_VALUE + out.slice(end);
    if (at >= end) at += REDACTED_VALUE.length - (end - start);
    else if (at > start) at = start;
  }
  return { text: out, caret: at };
}

/**
 * The line shown under a syntax error, with credentials written in it replaced (an
 * unclosed quote is as likely on a password's line as anywhere), and the 1-based column
 * of the caret in it.
 */
export function excerptOf(line: string, col: number): { text: string; caret: number } {
  let shown = { text: line, caret: col - 1 };
  for (const pattern of CREDENTIALS) shown = mask(shown.text, shown.caret, pattern);
  return { text: shown.text, caret: shown.caret + 1 };
}
