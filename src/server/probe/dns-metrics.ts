/**
 * The `probe_*` metrics of the dns prober, as blackbox_exporter 0.23 writes them. The
 * target is the nameserver, an IP literal here, so `probe_dns_lookup_time_seconds` (the time
 * to resolve the target) is 0 and the query's round trip is `probe_dns_duration_seconds{phase="request"}`.
 */
import { isIP } from 'node:net';
import { parseServer } from '../../config/schema/dns.js';
import type { ResolvedDnsCheck } from '../../config/types.js';
import { BLACKBOX } from '../../exporters/prometheus/vocabulary.js';
import { gauge, labelled, type ProbeMetric, type ProbeRun } from './types.js';

/** Every metric of a dns probe beyond `probe_success` and `probe_duration_seconds`. */
export function dnsProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const check = run.check as ResolvedDnsCheck;
  const { observation } = run.result;
  const dns = observation.dns;
  const server = check.dns.server === undefined ? undefined : parseServer(check.dns.server);
  const metrics: ProbeMetric[] = [
    gauge(BLACKBOX.dnsLookup, 0),
    gauge(BLACKBOX.ipProtocol, server === undefined ? 0 : isIP(server.host)),
    labelled(BLACKBOX.dnsPhase, [
      { labels: { phase: 'resolve' }, value: 0 },
      { labels: { phase: 'connect' }, value: observation.phases.connect ?? 0 },
      { labels: { phase: 'request' }, value: observation.dnsLookupSeconds ?? 0 },
    ]),
    gauge(BLACKBOX.dnsAnswerRrs, dns?.answers.length ?? 0),
    gauge(BLACKBOX.dnsAuthorityRrs, dns?.authority.length ?? 0),
    gauge(BLACKBOX.dnsAdditionalRrs, dns?.additional.length ?? 0),
    gauge(BLACKBOX.dnsQuerySucceeded, dns ? 1 : 0),
  ];
  // Blackbox registers the serial for SOA queries only, 0 until an SOA record answers.
  if (check.dns.type === 'SOA') metrics.push(gauge(BLACKBOX.dnsSerial, dns?.serial ?? 0));
  return Promise.resolve(metrics);
}
