/**
 * The gRPC probe: the standard grpc.health.v1 Health/Check call on a new channel (so the
 * connection is measured as a new client meets it), with `grpc.service` as the service
 * name, then the channel is closed.
 *
 * A server that answers at all is `ok: true`: the serving status (or the status code of a
 * call that ended without one, NOT_FOUND read as SERVICE_UNKNOWN as blackbox_exporter
 * does) goes into `observation.grpc` and the `status` expectation (default SERVING)
 * judges it; its facts are kept on failures too. No connection is `refused`, `connect`, `dns` or `tls` by the error grpc-js
 * reports; running out of time is `timeout`.
 */
import {
  Client,
  credentials,
  Metadata,
  status as GrpcStatus,
  type ChannelCredentials,
  type ServiceError,
} from '@grpc/grpc-js';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { splitHostPort } from '../config/schema/base.js';
import type { ResolvedGrpcCheck } from '../config/types.js';
import type { GrpcFacts, Observation } from '../results/types.js';
import { decodeResponse, encodeRequest, HEALTH_CHECK_PATH, servingStatusName } from './grpc/health.js';
import { grpcFailure } from './grpc/failure.js';
import { pickAddress } from './http/connection.js';
import { secureContextFor } from './http/tls-context.js';
import type { SocketAttempt } from './socket/attempt.js';
import { socketProbe } from './socket/probe.js';
import type { Probe } from './types.js';

type CallEnd = { error: ServiceError | null; status?: number };

function credentialsFor(check: ResolvedGrpcCheck): ChannelCredentials {
  if (!check.grpc.tls) return credentials.createInsecure();
  const insecure = check.tls.insecure;
  return credentials.createFromSecureContext(secureContextFor(check.tls), {
    rejectUnauthorized: !insecure,
    checkServerIdentity: (host: string, cert: PeerCertificate) =>
      insecure ? undefined : checkServerIdentity(host, cert),
  });
}

function call(client: Client, check: ResolvedGrpcCheck, attempt: SocketAttempt): Promise<CallEnd> {
  return new Promise<CallEnd>((resolve) => {
    const pending = client.makeUnaryRequest(
      HEALTH_CHECK_PATH,
      encodeRequest,
      decodeResponse,
      { service: check.grpc.service },
      new Metadata(),
      { deadline: Date.now() + check.timeoutMs },
      (error, response) => resolve({ error: error ?? null, status: response?.status }),
    );
    attempt.onAbort = () => pending.cancel();
  });
}

function facts(end: CallEnd, ssl: boolean): GrpcFacts {
  if (end.error === null) return { statusCode: GrpcStatus.OK, servingStatus: servingStatusName(end.status ?? 0), ssl };
  const out: GrpcFacts = { statusCode: end.error.code, statusDetails: end.error.details, ssl };
  if (end.error.code === GrpcStatus.NOT_FOUND) out.servingStatus = 'SERVICE_UNKNOWN';
  return out;
}

/**
 * The channel's target. With a preferred family the name is resolved here and the channel
 * dialled to that address (grpc-js would try the resolver's order), keeping the name as the
 * authority and, with TLS, as the name the certificate must carry.
 */
async function channelTarget(check: ResolvedGrpcCheck, options: Record<string, string | number>): Promise<string> {
  const { ipFamily: family, ipFallback: fallback } = check.grpc;
  const split = splitHostPort(check.target);
  if (family === 'auto' || split === undefined || isIP(split.host) !== 0) return check.target;
  const chosen = pickAddress(await lookup(split.host, { all: true }), { hostname: split.host, family, fallback });
  options['grpc.default_authority'] = check.target;
  if (check.tls.serverName === undefined) options['grpc.ssl_target_name_override'] = split.host;
  return chosen.family === 6 ? `ipv6:[${chosen.address}]:${split.port}` : `ipv4:${chosen.address}:${split.port}`;
}

async function check(probeCheck: ResolvedGrpcCheck, attempt: SocketAttempt): Promise<Observation> {
  let client: Client | undefined;
  try {
    const options: Record<string, string | number> = { 'grpc.initial_reconnect_backoff_ms': 1000 };
    if (probeCheck.tls.serverName !== undefined) options['grpc.ssl_target_name_override'] = probeCheck.tls.serverName;
    const target = await channelTarget(probeCheck, options);
    client = new Client(target, credentialsFor(probeCheck), options);
    attempt.stage = 'the answer';
    const end = await call(client, probeCheck, attempt);
    if (attempt.signal.aborted) return attempt.fail(new Error('cancelled'));
    const failure = end.error === null ? undefined : grpcFailure(end.error.code, end.error.details);
    const observation = failure === undefined ? attempt.observe() : attempt.fail(failure);
    observation.grpc = facts(end, probeCheck.grpc.tls);
    return observation;
  } catch (err) {
    return attempt.fail(err);
  } finally {
    client?.close();
  }
}

/** Creates the gRPC health probe (kind `grpc`); each run uses a channel of its own. */
export function createGrpcProbe(): Probe<ResolvedGrpcCheck> {
  return socketProbe<ResolvedGrpcCheck>('grpc', check);
}
