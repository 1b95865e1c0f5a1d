/**
 * The `probe_websocket_*` metrics of a websocket probe. Blackbox has no such prober; the
 * families follow its http prober's shape (phases by label, status code, ssl) and the
 * address and TLS families every socket prober of its writes.
 */
import { BLACKBOX, WEBSOCKET, WEBSOCKET_PHASES } from '../../exporters/prometheus/vocabulary.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import type { Observation } from '../../results/types.js';
import { ipProtocolOf } from './ip-protocol.js';
import { tlsFamilies } from './tls-metrics.js';
import { gauge, labelled, type ProbeMetric, type ProbeRun } from './types.js';

/** Each phase's seconds; one that did not happen (tls on ws://, no message) is 0. */
function phaseSeconds(observation: Observation, phase: (typeof WEBSOCKET_PHASES)[number]): number {
  const ws = observation.websocket;
  if (phase === 'upgrade') return ws?.upgradeSeconds ?? 0;
  if (phase === 'first_message') return ws?.firstMessageSeconds ?? 0;
  return observation.phases[phase] ?? 0;
}

/** Every metric of a websocket probe beyond `probe_success` and `probe_duration_seconds`. */
export async function websocketProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const { observation } = run.result;
  const ipProtocol =
    observation.reason === FAILURE_REASONS.dns
      ? 0
      : await ipProtocolOf(run.check.target, { family: 'auto', fallback: true }, run.signal);
  return [
    gauge(BLACKBOX.dnsLookup, observation.phases.resolve ?? 0),
    gauge(BLACKBOX.ipProtocol, ipProtocol),
    labelled(
      WEBSOCKET.phase,
      WEBSOCKET_PHASES.map((phase) => ({ labels: { phase }, value: phaseSeconds(observation, phase) })),
    ),
    gauge(WEBSOCKET.statusCode, observation.websocket?.status ?? 0),
    gauge(WEBSOCKET.ssl, observation.websocket?.ssl === true ? 1 : 0),
    ...tlsFamilies(observation.tls),
  ];
}
