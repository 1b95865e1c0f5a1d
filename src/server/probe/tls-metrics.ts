/**
 * The TLS families shared by the tcp, tls and grpc probers, with blackbox_exporter 0.23's
 * help texts (its `sslEarliestCertExpiryGaugeOpts` and `probeTLSInfoGaugeOpts`).
 */
import type { TlsFacts } from '../../results/types.js';
import { gauge, type ProbeMetric } from './types.js';

/** Blackbox's "TLS 1.3" for Node's "TLSv1.3". */
export function tlsVersionName(version: string): string {
  const match = /^TLSv(\d(?:\.\d)?)$/.exec(version);
  if (!match?.[1]) return 'unknown';
  return `TLS ${match[1].includes('.') ? match[1] : `${match[1]}.0`}`;
}

/** `probe_ssl_earliest_cert_expiry` and `probe_tls_version_info`; none without a handshake. */
export function tlsFamilies(tls: TlsFacts | undefined): ProbeMetric[] {
  if (tls === undefined) return [];
  return [
    gauge('probe_ssl_earliest_cert_expiry', 'Returns last SSL chain expiry in unixtime', tls.earliestCertExpiry),
    { name: 'probe_tls_version_info', help: 'Returns the TLS version used or NaN when unknown', samples: [{ labels: { version: tlsVersionName(tls.version) }, value: 1 }] },
  ];
}
