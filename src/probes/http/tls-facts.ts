/**
 * What a finished TLS handshake tells an SRE: protocol, cipher, and the earliest expiry
 * anywhere in the presented chain (an intermediate that expires first breaks the site
 * just the same as the leaf).
 */
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { TlsFacts } from '../../results/types.js';

/** The chain is short; this only bounds a pathological one. */
const MAX_CHAIN = 16;

function commonName(name: unknown): string | undefined {
  const cn = (name as { CN?: string | string[] } | undefined)?.CN;
  return Array.isArray(cn) ? cn.join(', ') : cn;
}

/**
 * Earliest `notAfter` in the chain, as Unix seconds, walking `issuerCertificate` until
 * it repeats (a self-signed root points at itself). 0 when no certificate was presented.
 */
export function earliestExpiry(leaf: DetailedPeerCertificate): number {
  let earliest = Infinity;
  let cert: DetailedPeerCertificate | undefined = leaf;
  for (let i = 0; i < MAX_CHAIN && cert?.valid_to; i++) {
    const ms = Date.parse(cert.valid_to);
    if (ms < earliest) earliest = ms;
    const next: DetailedPeerCertificate | undefined = cert.issuerCertificate;
    if (next === cert || next?.fingerprint256 === cert.fingerprint256) break;
    cert = next;
  }
  return earliest === Infinity ? 0 : Math.floor(earliest / 1000);
}

/**
 * Reads the facts of a socket whose handshake has completed. `presented` is the detailed
 * certificate node already built for hostname verification, when there was one: building
 * it again (`getPeerCertificate(true)`) is the costliest call of an HTTPS probe.
 */
export function readTlsFacts(socket: TLSSocket, presented?: DetailedPeerCertificate): TlsFacts {
  const cipher = socket.getCipher();
  const leaf = presented ?? socket.getPeerCertificate(true);
  const facts: TlsFacts = {
    version: socket.getProtocol() ?? cipher.version,
    cipher: cipher.name,
    earliestCertExpiry: earliestExpiry(leaf),
  };
  const subject = commonName(leaf.subject);
  if (subject !== undefined) facts.subject = subject;
  const issuer = commonName(leaf.issuer);
  if (issuer !== undefined) facts.issuer = issuer;
  return facts;
}
