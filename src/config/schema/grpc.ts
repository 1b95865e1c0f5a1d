import { z } from 'zod';
import { checkBase, hostPortTarget, ipFallback, ipFamily } from './base.js';
import { duration } from './common.js';
import { tlsSchema } from './http.js';

/**
 * Serving statuses of grpc.health.v1, plus SERVICE_UNKNOWN for a NOT_FOUND answer (as
 * blackbox_exporter): what `expect.status` may ask for and what a probe reports.
 */
export const GRPC_SERVING_STATUSES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

export const grpcOptionsSchema = z.strictObject({
  service: z
    .string()
    .default('')
    .meta({ description: 'Service name in the health request; empty asks about the server as a whole.' }),
  tls: z.boolean().default(false).meta({ description: 'Connect with TLS; `tls:` holds its settings.' }),
  ipFamily,
  ipFallback,
});

export const grpcExpectSchema = z.strictObject({
  status: z.enum(GRPC_SERVING_STATUSES).default('SERVING'),
  maxDuration: duration().optional(),
});

export const grpcCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('grpc'),
    target: hostPortTarget,
    grpc: grpcOptionsSchema.prefault({}),
    tls: tlsSchema.prefault({}),
    expect: grpcExpectSchema.prefault({}),
  })
  .meta({ description: 'A gRPC check: the standard grpc.health.v1.Health/Check call.' });
