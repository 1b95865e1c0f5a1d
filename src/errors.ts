import { isAbsolute, relative } from 'node:path';
import { redactText } from './secrets/redact.js';

/**
 * Stable error codes. Scripts and tests match on these, never on message text, so a code
 * is never renamed or reused once released.
 */
export const ERROR_CODES = {
  /** The configuration (agent, probe or chaos file) is invalid; `details` lists every problem. */
  config: 'CANARY_ERR_CONFIG',
  /** A command line argument is invalid. */
  usage: 'CANARY_ERR_USAGE',
  /** An environment variable referenced as `${VAR}` is not set. */
  env: 'CANARY_ERR_ENV',
  /** A listening socket could not be opened (port in use, permission). */
  listen: 'CANARY_ERR_LISTEN',
  /** The agent is not in a state that allows the operation. */
  state: 'CANARY_ERR_STATE',
  /** Another run holds the resource (the chaos run lock, the audit lock). */
  busy: 'CANARY_ERR_BUSY',
  /** A chaos step would exceed the experiment's blast radius. */
  blastRadius: 'CANARY_ERR_BLAST_RADIUS',
  /** A bug: an invariant did not hold. */
  internal: 'CANARY_ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** One problem found in a file, with the place it was found. */
export interface Problem {
  /** Path of the file the problem is in, as given to the loader. */
  file: string;
  /** 1-based line, 0 when the problem has no place in the file (e.g. a missing file). */
  line: number;
  /** 1-based column, 0 when unknown. */
  col: number;
  /** Dotted key path such as `checks[2].expect.status`; empty for the whole document. */
  path: string;
  message: string;
  /**
   * The line of the file the problem is on, where seeing it is the quickest way to the fix
   * (a YAML syntax error), credentials in it replaced; shown under the problem with a caret
   * under `caret`, the 1-based column in `text` of the character at `col`.
   */
  excerpt?: { text: string; caret: number };
}

/** Shows a path relative to the working directory when it lies below it, as compilers do. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Formats a problem as `FILE:LINE:COL: key.path: message`, the one shape users grep for. */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  // A message may quote the value it refuses; a secret value is never quoted back.
  const message = redactText(p.message);
  return p.path ? `${where}: ${p.path}: ${message}` : `${where}: ${message}`;
}

/** Longest part of a line shown under a problem; a minified line is cut around the column. */
const EXCERPT_WIDTH = 100;

/**
 * The problem as {@link formatProblem} writes it and, when it carries its line, that line
 * and a caret under the column, the way compilers show a syntax error:
 *
 *     agent.yaml:3:4: this line is indented more than the key above it, ...
 *       3 |    datacenter: dc1
 *         |    ^
 */
export function formatProblemWithLine(p: Problem): string {
  const head = formatProblem(p);
  if (p.excerpt === undefined || p.line < 1 || p.excerpt.caret < 1) return head;
  const { text, caret } = p.excerpt;
  const from = Math.max(0, caret - 1 - (EXCERPT_WIDTH - 20));
  const shown = text.slice(from, from + EXCERPT_WIDTH);
  const cut = (from > 0 ? '…' : '') + shown + (from + EXCERPT_WIDTH < text.length ? '…' : '');
  // Tabs stay tabs under the line, so the caret lines up however the terminal shows them.
  const pad = (from > 0 ? ' ' : '') + shown.slice(0, caret - 1 - from).replace(/[^\t]/g, ' ');
  const gutter = String(p.line);
  return `${head}\n  ${gutter} | ${redactText(cut)}\n  ${' '.repeat(gutter.length)} | ${pad}^`;
}

export interface CanaryErrorOptions {
  cause?: unknown;
  problems?: readonly Problem[];
}

/**
 * The one error type the agent throws on purpose. Probe failures are values, not
 * errors: this is for bad input and broken invariants.
 */
export class CanaryError extends Error {
  readonly code: ErrorCode;
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, message: string, options: CanaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CanaryError';
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

/** A usage error: bad flag values and arguments, exit 2 (the CLI's `EXIT.usage`). */
export function usageError(message: string, cause?: unknown): CanaryError {
  return new CanaryError(ERROR_CODES.usage, message, { cause });
}

export function isCanaryError(err: unknown, code?: ErrorCode): err is CanaryError {
  return err instanceof CanaryError && (code === undefined || err.code === code);
}

/**
 * The text of anything thrown: an Error's message, or the value as a string. The one way
 * the code turns a caught value into words for a log line, a result or an API answer.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
