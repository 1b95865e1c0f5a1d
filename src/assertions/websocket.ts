import type { ResolvedWebsocketCheck } from '../config/types.js';
import { cached } from './cache.js';
import { compileMaxDuration } from './timing.js';
import type { CompiledAssertion } from './types.js';

/** The outcome name of the close code expectation. */
export const CLOSE_CODE_OUTCOME = 'closeCode';

const compileCloseCode = (expected: number): CompiledAssertion => {
  return ({ observation }) => {
    const code = observation.websocket?.closeCode;
    const actual =
      code === undefined ? 'no close' : code === 1006 ? '1006 (closed without a close frame)' : String(code);
    return { name: CLOSE_CODE_OUTCOME, ok: code === expected, expected: String(expected), actual };
  };
};

// Cached by the `websocket:` options, which hold closeCode; maxDuration is read from the same check.
const compileWebsocket = cached((check: Pick<ResolvedWebsocketCheck, 'expect' | 'websocket'>) => {
  const list: CompiledAssertion[] = [];
  if (check.websocket.closeCode !== undefined) list.push(compileCloseCode(check.websocket.closeCode));
  if (check.expect.maxDuration !== undefined) list.push(compileMaxDuration(check.expect.maxDuration));
  return list;
});

/**
 * A websocket check's expectations (the conversation itself is judged by the probe): the
 * server's close code when `websocket.closeCode` is set, then maxDuration.
 */
export function compileWebsocketExpectations(
  check: Pick<ResolvedWebsocketCheck, 'expect' | 'websocket'>,
): readonly CompiledAssertion[] {
  return compileWebsocket(check);
}
