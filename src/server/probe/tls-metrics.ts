/**
 * The TLS families shared by the tcp, tls and grpc probers, with blackbox_exporter 0.23's
 * help texts (its `sslEarliestCertExpiryGaugeOpts` and `probeTLSInfoGaugeOpts`).
 */
import { BLACKBOX, tlsVersionName } from '../../exporters/prometheus/vocabulary.js';
import type { TlsFacts } from '../../results/types.js';
import { gauge, labelled, type ProbeMetric } from './types.js';

/** `probe_ssl_earliest_cert_expiry` and `probe_tls_version_info`; none without a handshake. */
export function tlsFamilies(tls: TlsFacts | undefined): ProbeMetric[] {
  if (tls === undefined) return [];
  return [
    gauge(BLACKBOX.sslEarliestExpiry, tls.earliestCertExpiry),
    labelled(BLACKBOX.tlsVersion, [{ labels: { version: tlsVersionName(tls.version) }, value: 1 }]),
  ];
}
