/**
 * The TLS probe: a handshake only, against `host:port`, then the connection is closed.
 * Phases: `resolve`, `connect`, `tls`.
 *
 * The handshake is made without enforcing verification so that an expired, untrusted or
 * misnamed certificate still reports its facts (earliest expiry, chain length, the name
 * match, the version); then, unless `tls.insecure`, an untrusted chain or a name mismatch
 * fails the run with reason `tls`. Expectations (days to expiry, versions) are judged by
 * the assertions as usual.
 */
import { splitHostPort } from '../config/schema/base.js';
import type { ResolvedTlsCheck } from '../config/types.js';
import type { Observation, TlsFacts } from '../results/types.js';
import type { SocketAttempt } from './socket/attempt.js';
import { dial } from './socket/dial.js';
import { tlsVerdict } from './socket/verdict.js';
import { socketProbe } from './socket/probe.js';
import type { Probe } from './types.js';

async function handshake(check: ResolvedTlsCheck, attempt: SocketAttempt): Promise<Observation> {
  let tls: TlsFacts | undefined;
  let observation: Observation;
  try {
    const { host, port } = splitHostPort(check.target) as { host: string; port: number };
    const dialled = await dial({ host, port, family: 'auto', tls: check.tls }, attempt);
    dialled.socket.end();
    tls = dialled.tls;
    const refused = tls === undefined ? undefined : tlsVerdict(tls, check.tls.insecure);
    observation = refused === undefined ? attempt.observe() : attempt.fail(refused);
  } catch (err) {
    observation = attempt.fail(err);
  }
  if (tls !== undefined) observation.tls = tls;
  return observation;
}

/** Creates the TLS probe (kind `tls`); it holds no state between runs. */
export function createTlsProbe(): Probe<ResolvedTlsCheck> {
  return socketProbe<ResolvedTlsCheck>('tls', handshake);
}
