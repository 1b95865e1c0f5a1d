/**
 * The send/expect conversation of a tcp or unix check, as blackbox_exporter's
 * `query_response`: each step first reads lines until one matches `expect` (or reads the
 * exact `expectBytes`), then writes `send` or `sendBytes`, where `${1}`, `${name}`... are
 * the capture groups of that match, then, with `starttls`, hands the connection to TLS
 * and goes on over it.
 */
import type { Socket } from 'node:net';
import type { ConversationStep } from '../../config/schema/tcp.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from '../http/classify.js';
import { LineReader } from './lines.js';
import { configuredRegex } from '../../config/safe-regex.js';
import { expand } from './expand.js';

/** How far a conversation got. */
export interface ConversationState {
  stepsCompleted: number;
  lastLine?: string;
  /** The `labels` of each step whose expect matched, filled from its match (blackbox's probe_expect_info). */
  expectInfo?: Record<string, string>[];
  /** Which kind of expectation failed: a line never matched, or the bytes differed. */
  expectFailure?: 'regex' | 'bytes';
}

/** What a conversation needs: its steps, the line cap, and how to start TLS on the open connection. */
export interface Conversation {
  /** The option block, for messages: `tcp` or `unix`. */
  field: 'tcp' | 'unix';
  steps: readonly ConversationStep[];
  maxLineLength: number;
  /** Runs the TLS handshake over `socket` (a starttls step); resolves to the TLS socket to go on with. */
  upgrade: (socket: Socket) => Promise<Socket>;
}

function write(socket: Socket, data: string | Uint8Array): Promise<void> {
  return new Promise<void>((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}

/** Reads until a line matches; the connection ending first is an `assertion` failure naming the step. */
async function expectLine(
  reader: LineReader,
  re: RegExp,
  where: string,
  state: ConversationState,
): Promise<RegExpExecArray> {
  let seen = 0;
  for (;;) {
    const line = await reader.next();
    if (line === undefined) {
      state.expectFailure = 'regex';
      throw new ProbeFailure(
        FAILURE_REASONS.assertion,
        `${where}: expected a line matching /${re.source}/, the connection closed after ${seen} line(s)${state.lastLine === undefined ? '' : `, last ${JSON.stringify(state.lastLine.slice(0, 80))}`}`,
      );
    }
    seen++;
    state.lastLine = line;
    const match = re.exec(line);
    if (match) return match;
  }
}

/** Reads as many bytes as `expected` holds; they must be exactly those (blackbox's expect_bytes). */
async function expectBytes(
  reader: LineReader,
  expected: Buffer,
  where: string,
  state: ConversationState,
): Promise<void> {
  const got = await reader.bytes(expected.length);
  if (got.equals(expected)) return;
  state.expectFailure = 'bytes';
  const shown = (bytes: Buffer): string => JSON.stringify(bytes.subarray(0, 40).toString('latin1'));
  const what = got.length < expected.length ? `the connection closed after ${got.length} byte(s) ` : '';
  throw new ProbeFailure(
    FAILURE_REASONS.assertion,
    `${where}: expected the bytes ${shown(expected)}, ${what}got ${shown(got)}`,
  );
}

/** What a step writes: `send` filled from the match, or the bytes of `sendBytes` (a YAML `!!binary` send included). */
function outgoing(step: ConversationStep, match: RegExpExecArray | undefined): string | Uint8Array | undefined {
  if (step.sendBytes !== undefined) return Buffer.from(step.sendBytes, 'base64');
  if (step.send === undefined || match === undefined) return step.send;
  return expand(step.send, match);
}

/** Records the step's labels, filled from its match. */
function noteLabels(step: ConversationStep, match: RegExpExecArray, state: ConversationState): void {
  if (step.labels === undefined) return;
  const info = Object.fromEntries(step.labels.map((l) => [l.name, expand(l.value, match)]));
  (state.expectInfo ??= []).push(info);
}

/**
 * Hands the connection to TLS. Whatever the server sent that no step read yet would be
 * taken as if it came over TLS (the STARTTLS command injection of CVE-2011-0411 and its
 * kin), so any such bytes fail the check instead.
 */
async function upgradeClean(reader: LineReader, socket: Socket, talk: Conversation, where: string): Promise<Socket> {
  const unread = reader.detach();
  if (unread.length > 0) {
    throw new ProbeFailure(
      FAILURE_REASONS.protocol,
      `${where}: the server sent data before the TLS handshake that no step read (${JSON.stringify(unread.slice(0, 40))}); it is not taken as part of the TLS session`,
    );
  }
  return talk.upgrade(socket);
}

/**
 * Runs every step in order and resolves to the socket the conversation ended on (the TLS
 * one after a starttls step); rejects with a ProbeFailure or the socket's error. `state`
 * says how far it got.
 */
export async function converse(socket: Socket, talk: Conversation, state: ConversationState): Promise<Socket> {
  if (talk.steps.length === 0) return socket;
  let reader = new LineReader(socket, talk.maxLineLength, talk.field);
  for (const [i, step] of talk.steps.entries()) {
    const where = `${talk.field}.steps[${i}]`;
    let match: RegExpExecArray | undefined;
    if (step.expect !== undefined) {
      match = await expectLine(reader, configuredRegex(step.expect), where, state);
      noteLabels(step, match, state);
    }
    if (step.expectBytes !== undefined) await expectBytes(reader, Buffer.from(step.expectBytes), where, state);
    const data = outgoing(step, match);
    if (data !== undefined) await write(socket, data);
    if (step.starttls === true) {
      socket = await upgradeClean(reader, socket, talk, where);
      reader = new LineReader(socket, talk.maxLineLength, talk.field);
    }
    state.stepsCompleted = i + 1;
  }
  reader.detach();
  return socket;
}
