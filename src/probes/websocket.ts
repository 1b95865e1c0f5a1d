/**
 * The WebSocket probe: connect to a ws:// or wss:// URL, upgrade (RFC 6455), hold the
 * conversation of `websocket.steps`, then close (or, with `websocket.closeCode`, wait for
 * the server to). Phases: `resolve`, `connect`, `tls` as for tcp, then `upgrade` and
 * `first_message` in the websocket facts.
 *
 * The handshake and framing are written here on the socket `dial()` opens, rather than
 * with undici's WebSocket: undici hides its socket, so it could give neither the phase
 * timings nor the certificate facts, and it enforces verification where the probe must
 * report a bad certificate's facts and then decide; `/probe`'s address policy is also
 * honoured only by `dial()`. The client side of RFC 6455 is small (frames.ts).
 *
 * Reasons: a refused port `refused`, a bad certificate `tls`, an upgrade answered with
 * another status than 101 `http_status`, a broken handshake or frame `protocol`, a
 * message that does not meet a step (or the server closing before it) `assertion`.
 */
import type { Socket } from 'node:net';
import type { ResolvedWebsocketCheck } from '../config/types.js';
import type { Observation, TlsFacts, WebsocketFacts } from '../results/types.js';
import type { SocketAttempt } from './socket/attempt.js';
import { dial } from './socket/dial.js';
import { socketProbe } from './socket/probe.js';
import { tlsVerdict } from './socket/verdict.js';
import type { Probe } from './types.js';
import { converse, finish } from './websocket/conversation.js';
import { judgeAnswer, readAnswer, upgradeRequest, write } from './websocket/handshake.js';
import { MessageReader } from './websocket/messages.js';
import { ByteReader } from './websocket/reader.js';

function withFacts(observation: Observation, facts: WebsocketFacts, tls: TlsFacts | undefined): Observation {
  observation.websocket = facts;
  if (tls !== undefined) observation.tls = tls;
  return observation;
}

/** Where the URL points: its host (brackets of an IPv6 literal dropped) and port, the scheme's default when absent. */
export function websocketEndpoint(target: string): { url: URL; host: string; port: number; ssl: boolean } {
  const url = new URL(target);
  const ssl = url.protocol === 'wss:';
  const port = url.port === '' ? (ssl ? 443 : 80) : Number(url.port);
  return { url, host: url.hostname.replace(/^\[|\]$/g, ''), port, ssl };
}

/** Sends the upgrade request and judges the answer; returns when the upgrade ended. */
async function upgrade(
  check: ResolvedWebsocketCheck,
  dialled: { socket: Socket; reader: ByteReader; url: URL },
  facts: WebsocketFacts,
  attempt: SocketAttempt,
): Promise<number> {
  attempt.stage = 'the WebSocket upgrade';
  const { subprotocols, headers } = check.websocket;
  const request = upgradeRequest({ url: dialled.url, headers, subprotocols });
  const sentAt = performance.now();
  await write(dialled.socket, request.text);
  const answer = await readAnswer(dialled.reader);
  const upgradedAt = performance.now();
  facts.upgradeSeconds = (upgradedAt - sentAt) / 1000;
  facts.status = answer.status;
  const chosen = judgeAnswer(answer, request.key, subprotocols);
  if (chosen !== undefined) facts.subprotocol = chosen;
  return upgradedAt;
}

async function attemptWebsocket(check: ResolvedWebsocketCheck, attempt: SocketAttempt): Promise<Observation> {
  const facts: WebsocketFacts = { status: 0, stepsCompleted: 0, ssl: check.target.startsWith('wss:') };
  let tls: TlsFacts | undefined;
  try {
    const { url, host, port, ssl } = websocketEndpoint(check.target);
    const dialled = await dial({ host, port, family: 'auto', tls: ssl ? check.tls : undefined }, attempt);
    tls = dialled.tls;
    const refused = tls === undefined ? undefined : tlsVerdict(tls, check.tls.insecure);
    if (refused !== undefined) return withFacts(attempt.fail(refused), facts, tls);
    const { socket } = dialled;
    // Listening before the request goes out, so no byte of the answer is missed.
    const reader = new ByteReader(socket);
    const upgradedAt = await upgrade(check, { socket, reader, url }, facts, attempt);
    attempt.stage = 'the conversation';
    const conversation = { socket, messages: new MessageReader(reader, socket), facts, upgradedAt };
    await converse(conversation, check.websocket.steps);
    attempt.stage = 'the close';
    await finish(conversation, check.websocket.closeCode);
    return withFacts(attempt.observe(), facts, tls);
  } catch (err) {
    return withFacts(attempt.fail(err), facts, tls);
  }
}

/** Creates the WebSocket probe (kind `websocket`); each run opens a connection of its own. */
export function createWebsocketProbe(): Probe<ResolvedWebsocketCheck> {
  return socketProbe<ResolvedWebsocketCheck>('websocket', attemptWebsocket);
}
