/**
 * STARTTLS: a TLS handshake over a connection that is already open and has spoken plain
 * text (SMTP, IMAP, POP3, LDAP...). As for implicit TLS (dial.ts), verification is
 * reported rather than enforced, so an untrusted or misnamed certificate still yields its
 * facts, and {@link tlsVerdict} decides.
 */
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { TlsOptions } from '../../config/schema/http.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import type { TlsFacts } from '../../results/types.js';
import { failureMessage, ProbeFailure } from '../http/classify.js';
import { secureContextFor } from '../http/tls-context.js';
import type { SocketAttempt } from './attempt.js';
import { handshakeFacts, settle } from './dial.js';
import { tlsVerdict } from './verdict.js';

/** Where the facts of the handshake go, so a failed check still reports them. */
export interface TlsFactsHolder {
  tls?: TlsFacts;
}

/**
 * Upgrades `socket` to TLS, timing the `tls` phase on `attempt`. `name` is the SNI and the
 * name the certificate must carry (`tls.serverName`, else the target's host). A failed
 * handshake or a refused certificate rejects with reason `tls`; an abort stays a timeout.
 */
export async function startTls(
  socket: Socket,
  tls: Pick<TlsOptions, 'ca' | 'cert' | 'key' | 'insecure'>,
  name: string | undefined,
  attempt: SocketAttempt,
  into: TlsFactsHolder,
): Promise<TLSSocket> {
  attempt.stage = 'the TLS handshake';
  const started = performance.now();
  const secure = attempt.handOver(
    socket,
    tlsConnect({
      socket,
      // SNI may not carry an IP address; verification still checks the IP against the SANs.
      servername: name !== undefined && isIP(name) === 0 ? name : undefined,
      secureContext: secureContextFor(tls),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    }),
  );
  try {
    await settle(secure, 'secureConnect');
  } catch (err) {
    if (attempt.signal.aborted) throw err;
    throw new ProbeFailure(FAILURE_REASONS.tls, `STARTTLS handshake failed: ${failureMessage(err)}`);
  } finally {
    attempt.add('tls', performance.now() - started);
  }
  into.tls = handshakeFacts(secure, name ?? '');
  const refused = tlsVerdict(into.tls, tls.insecure);
  if (refused !== undefined) throw new ProbeFailure(refused.reason ?? FAILURE_REASONS.tls, refused.message);
  attempt.stage = 'the conversation';
  return secure;
}
