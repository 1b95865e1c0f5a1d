/**
 * The conversation of a websocket check: each step sends its text (when set), then the
 * next message received must meet the step's `expect` and `expectJson`. A message that
 * does not, or the server closing before it came, is an `assertion` failure naming the
 * step, as in a tcp conversation. With `closeCode` the probe then waits for the server
 * to close; without it the probe closes with 1000.
 */
import type { Socket } from 'node:net';
import { compileJsonValue, parseBody } from '../../assertions/json.js';
import { configuredRegex } from '../../config/safe-regex.js';
import type { ResolvedWebsocketCheck } from '../../config/types.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import type { WebsocketFacts } from '../../results/types.js';
import { ProbeFailure } from '../http/classify.js';
import { closePayload, encodeFrame, OPCODE } from './frames.js';
import { write } from './handshake.js';
import { ABNORMAL_CLOSURE, type Incoming, type MessageReader } from './messages.js';

type Step = ResolvedWebsocketCheck['websocket']['steps'][number];

/** Messages kept in the facts and in failure messages are cut to this many characters. */
const SHOWN_CHARS = 200;

/** What a conversation needs besides the check: the socket, its messages, the facts to fill, and when the upgrade ended. */
export interface Conversation {
  socket: Socket;
  messages: MessageReader;
  facts: WebsocketFacts;
  upgradedAt: number;
}

function shown(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
}

/** Says why a message does not meet a step, or undefined when it does. */
type Judge = (text: string) => string | undefined;

/** Judges by step, compiled on the first run: a reload makes new step objects, and the old ones go with their check. */
const judges = new WeakMap<Step, Judge>();

function compileJudge(step: Step): Judge {
  const re = step.expect === undefined ? undefined : configuredRegex(step.expect);
  const json = step.expectJson === undefined ? undefined : compileJsonValue(step.expectJson);
  return (text) => {
    if (re !== undefined && !re.test(text)) return `expected a message matching /${re.source}/`;
    const outcome = json?.(parseBody(text));
    if (outcome !== undefined && !outcome.ok)
      return `expected ${outcome.name} ${outcome.expected}, got ${outcome.actual}`;
    return undefined;
  };
}

function mismatch(step: Step, text: string): string | undefined {
  let judge = judges.get(step);
  if (judge === undefined) judges.set(step, (judge = compileJudge(step)));
  return judge(text);
}

/** The next message; the first one received also ends the `first_message` phase. */
async function receive(c: Conversation): Promise<Incoming> {
  const incoming = await c.messages.next();
  if (incoming.kind === 'message') {
    c.facts.firstMessageSeconds ??= (performance.now() - c.upgradedAt) / 1000;
    c.facts.lastMessage = shown(incoming.text);
  }
  return incoming;
}

async function runStep(c: Conversation, step: Step, index: number): Promise<void> {
  if (step.send !== undefined) await write(c.socket, encodeFrame(OPCODE.text, Buffer.from(step.send, 'utf8')));
  if (step.expect === undefined && step.expectJson === undefined) return;
  const incoming = await receive(c);
  const where = `websocket.steps[${index}]`;
  if (incoming.kind === 'close') {
    c.facts.closeCode = incoming.code;
    throw new ProbeFailure(
      FAILURE_REASONS.assertion,
      `${where}: the server closed (code ${incoming.code}) before the message this step expects`,
    );
  }
  const why = mismatch(step, incoming.text);
  if (why !== undefined)
    throw new ProbeFailure(FAILURE_REASONS.assertion, `${where}: ${why}, got ${JSON.stringify(shown(incoming.text))}`);
}

/** Runs every step in order; rejects with a ProbeFailure or the socket's error. `facts` say how far it got. */
export async function converse(c: Conversation, steps: readonly Step[]): Promise<void> {
  for (const [index, step] of steps.entries()) {
    await runStep(c, step, index);
    c.facts.stepsCompleted = index + 1;
  }
}

/**
 * Ends the socket with `data` and waits until it is flushed (the attempt destroys its
 * sockets as it ends), or until the socket closed, as an abort closes it.
 */
function endWith(socket: Socket, data: Buffer): Promise<void> {
  return new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.end(data, () => resolve());
  });
}

/**
 * Ends the connection. Waiting for the server's close (`closeCode` set), messages that
 * come first are passed over: only the close is asked about, and the close code is a fact
 * the expectations judge. Otherwise the probe sends its own close (1000) and hangs up
 * without waiting: the check is over, and a server slow to answer a close is no failure.
 */
export async function finish(c: Conversation, closeCode: number | undefined): Promise<void> {
  if (closeCode === undefined) {
    await endWith(c.socket, encodeFrame(OPCODE.close, closePayload(1000)));
    return;
  }
  for (;;) {
    const incoming = await receive(c);
    if (incoming.kind === 'close') {
      c.facts.closeCode = incoming.code;
      // 1000 rather than an echo: 1005, 1006 and 1015 must never be sent.
      if (incoming.code !== ABNORMAL_CLOSURE) c.socket.end(encodeFrame(OPCODE.close, closePayload(1000)));
      return;
    }
  }
}
