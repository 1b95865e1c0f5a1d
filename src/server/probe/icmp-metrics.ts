/**
 * The `probe_*` metrics of the icmp prober, as blackbox_exporter writes them: the name's
 * lookup time and family, the three phases (each present, 0 when not reached), and the
 * reply's hop limit once a reply told it.
 */
import { BLACKBOX, ICMP_PHASES } from '../../exporters/prometheus/vocabulary.js';
import { gauge, labelled, type ProbeMetric, type ProbeRun } from './types.js';

/** icmp: the family comes from the probe's own facts; no second lookup is needed. */
export function icmpProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const { observation } = run.result;
  const icmp = observation.icmp;
  const seconds: Record<(typeof ICMP_PHASES)[number], number> = {
    resolve: observation.phases.resolve ?? 0,
    setup: icmp?.setupSeconds ?? 0,
    rtt: icmp?.rttSeconds ?? 0,
  };
  const metrics = [
    gauge(BLACKBOX.dnsLookup, seconds.resolve),
    gauge(BLACKBOX.ipProtocol, icmp?.ipProtocol ?? 0),
    labelled(
      BLACKBOX.icmpPhase,
      ICMP_PHASES.map((phase) => ({ labels: { phase }, value: seconds[phase] })),
    ),
  ];
  if (icmp?.hopLimit !== undefined) metrics.push(gauge(BLACKBOX.icmpReplyHopLimit, icmp.hopLimit));
  return Promise.resolve(metrics);
}
