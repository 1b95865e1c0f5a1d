/**
 * The `probe_*` metrics of the dns prober, as blackbox_exporter 0.23 writes them. The
 * target is the nameserver, an IP literal here, so `probe_dns_lookup_time_seconds` (the time
 * to resolve the target) is 0 and the query's round trip is `probe_dns_duration_seconds{phase="request"}`.
 */
import { isIP } from 'node:net';
import { parseServer } from '../../config/schema/dns.js';
import type { ResolvedDnsCheck } from '../../config/types.js';
import { gauge, type ProbeMetric, type ProbeRun } from './types.js';

/** Every metric of a dns probe beyond `probe_success` and `probe_duration_seconds`. */
export function dnsProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const check = run.check as ResolvedDnsCheck;
  const { observation } = run.result;
  const dns = observation.dns;
  const server = check.dns.server === undefined ? undefined : parseServer(check.dns.server);
  const metrics: ProbeMetric[] = [
    gauge('probe_dns_lookup_time_seconds', 'Returns the time taken for probe dns lookup in seconds', 0),
    gauge('probe_ip_protocol', 'Specifies whether probe ip protocol is IP4 or IP6', server === undefined ? 0 : isIP(server.host)),
    {
      name: 'probe_dns_duration_seconds',
      help: 'Duration of DNS request by phase',
      samples: [
        { labels: { phase: 'resolve' }, value: 0 },
        { labels: { phase: 'connect' }, value: observation.phases.connect ?? 0 },
        { labels: { phase: 'request' }, value: observation.dnsLookupSeconds ?? 0 },
      ],
    },
    gauge('probe_dns_answer_rrs', 'Returns number of entries in the answer resource record list', dns?.answers.length ?? 0),
    gauge('probe_dns_authority_rrs', 'Returns number of entries in the authority resource record list', dns?.authority.length ?? 0),
    gauge('probe_dns_additional_rrs', 'Returns number of entries in the additional resource record list', dns?.additional.length ?? 0),
    gauge('probe_dns_query_succeeded', 'Displays whether or not the query was executed successfully', dns ? 1 : 0),
  ];
  // Blackbox registers the serial for SOA queries only, 0 until an SOA record answers.
  if (check.dns.type === 'SOA') metrics.push(gauge('probe_dns_serial', 'Returns the serial number of the zone', dns?.serial ?? 0));
  return Promise.resolve(metrics);
}
