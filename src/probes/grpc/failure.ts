/**
 * gRPC call outcomes in the closed set of failure reasons. grpc-js folds every transport
 * problem into UNAVAILABLE with the socket error in the details text, so the details are
 * what tells a refused port from a bad certificate.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { FAILURE_REASONS, type FailureReason } from '../../results/reasons.js';
import type { Failure } from '../http/classify.js';

const DETAIL_REASONS: readonly [RegExp, FailureReason][] = [
  [/ECONNREFUSED/, FAILURE_REASONS.refused],
  [/ECONNRESET|EPIPE|socket hang up|closed/i, FAILURE_REASONS.reset],
  [/ENOTFOUND|EAI_AGAIN|Name resolution failed|DNS resolution failed/i, FAILURE_REASONS.dns],
  [/CERT|certificate|SSL|TLS|self[- ]signed|altname|Hostname\/IP does not match/i, FAILURE_REASONS.tls],
  [/Protocol error|HTTP\/2|Received HTTP status code|unexpected content-type/i, FAILURE_REASONS.protocol],
];

/**
 * The failure for a call that ended without a health answer, or undefined when the server
 * did answer with a gRPC status (UNIMPLEMENTED, NOT_FOUND, ...), which is a fact for the
 * expectations to judge, not a transport failure.
 */
export function grpcFailure(code: GrpcStatus, details: string): Failure | undefined {
  if (code === GrpcStatus.DEADLINE_EXCEEDED)
    return { reason: FAILURE_REASONS.timeout, message: `deadline exceeded: ${details}` };
  if (code !== GrpcStatus.UNAVAILABLE && code !== GrpcStatus.INTERNAL) return undefined;
  const reason =
    DETAIL_REASONS.find(([re]) => re.test(details))?.[1] ??
    (code === GrpcStatus.INTERNAL ? FAILURE_REASONS.protocol : FAILURE_REASONS.connect);
  return { reason, message: `${GrpcStatus[code]}: ${details}` };
}
