import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ResolvedGrpcCheck } from '../config/types.js';
import { cached } from './cache.js';
import { compileMaxDuration } from './timing.js';
import type { CompiledAssertion } from './types.js';

/** The outcome name of the gRPC serving status expectation. */
export const SERVING_STATUS_OUTCOME = 'servingStatus';

const compileGrpc = cached((expect: ResolvedGrpcCheck['expect']) => {
  const expected = expect.status;
  const list: CompiledAssertion[] = [
    ({ observation }) => {
      const grpc = observation.grpc;
      let actual = 'no gRPC answer';
      if (grpc?.servingStatus !== undefined) actual = grpc.servingStatus;
      else if (grpc !== undefined)
        actual = `status ${GrpcStatus[grpc.statusCode] ?? grpc.statusCode}${grpc.statusDetails ? ` (${grpc.statusDetails})` : ''}`;
      return { name: SERVING_STATUS_OUTCOME, ok: grpc?.servingStatus === expected, expected, actual };
    },
  ];
  if (expect.maxDuration !== undefined) list.push(compileMaxDuration(expect.maxDuration));
  return list;
});

/** A grpc check's expectations: the serving status, then maxDuration. */
export function compileGrpcExpectations(check: Pick<ResolvedGrpcCheck, 'expect'>): readonly CompiledAssertion[] {
  return compileGrpc(check.expect);
}
