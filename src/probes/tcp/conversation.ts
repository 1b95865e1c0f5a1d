/**
 * The send/expect conversation of a tcp check, as blackbox_exporter's `query_response`:
 * each step first reads lines until one matches `expect` (when set), then writes `send`
 * (when set), where `${1}`... are the capture groups of that match.
 */
import type { Socket } from 'node:net';
import type { ResolvedTcpCheck } from '../../config/types.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from '../http/classify.js';
import { LineReader } from './lines.js';

/** How far a conversation got. */
export interface ConversationState {
  stepsCompleted: number;
  lastLine?: string;
}

function write(socket: Socket, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => socket.write(text, (err) => (err ? reject(err) : resolve())));
}

/** Reads until a line matches; the connection ending first is an `assertion` failure naming the step. */
async function expectLine(
  reader: LineReader,
  re: RegExp,
  step: number,
  state: ConversationState,
): Promise<RegExpExecArray> {
  let seen = 0;
  for (;;) {
    const line = await reader.next();
    if (line === undefined) {
      throw new ProbeFailure(
        FAILURE_REASONS.assertion,
        `tcp.steps[${step}]: expected a line matching /${re.source}/, the connection closed after ${seen} line(s)${state.lastLine === undefined ? '' : `, last ${JSON.stringify(state.lastLine.slice(0, 80))}`}`,
      );
    }
    seen++;
    state.lastLine = line;
    const match = re.exec(line);
    if (match) return match;
  }
}

/** Runs every step in order; rejects with a ProbeFailure or the socket's error. `state` says how far it got. */
export async function converse(socket: Socket, check: ResolvedTcpCheck, state: ConversationState): Promise<void> {
  const steps = check.tcp.steps;
  if (steps.length === 0) return;
  const reader = new LineReader(socket, check.tcp.maxLineLength);
  for (const [i, step] of steps.entries()) {
    let groups: RegExpExecArray | undefined;
    if (step.expect !== undefined) groups = await expectLine(reader, new RegExp(step.expect), i, state);
    if (step.send !== undefined) {
      const text = step.send.replace(/\$\{(\d+)\}/g, (_all, n: string) => groups?.[Number(n)] ?? '');
      await write(socket, text);
    }
    state.stepsCompleted = i + 1;
  }
}
