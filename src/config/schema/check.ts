import { z } from 'zod';
import { checkBase } from './base.js';
import { browserCheckSchema } from './browser.js';
import { dnsCheckSchema } from './dns.js';
import { flowCheckSchema } from './flow.js';
import { grpcCheckSchema } from './grpc.js';
import { icmpCheckSchema } from './icmp.js';
import { httpExpectSchema, httpRequestSchema, httpTarget, tlsSchema } from './http.js';
import { tcpCheckSchema } from './tcp.js';
import { tlsCheckSchema } from './tls.js';
import { unixCheckSchema } from './unix.js';
import { websocketCheckSchema } from './websocket.js';

export const httpCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('http'),
    target: httpTarget,
    http: httpRequestSchema.prefault({}),
    tls: tlsSchema.prefault({}),
    expect: httpExpectSchema.prefault({}),
  })
  .meta({ description: 'An HTTP(S) check: one request, redirects followed, expectations on the final response.' });

/** Every check kind, told apart by `kind`. */
export const checkSchema = z.discriminatedUnion('kind', [
  httpCheckSchema,
  tcpCheckSchema,
  tlsCheckSchema,
  dnsCheckSchema,
  grpcCheckSchema,
  flowCheckSchema,
  unixCheckSchema,
  websocketCheckSchema,
  icmpCheckSchema,
  browserCheckSchema,
]);

/** A probe file: a list of checks, merged with the agent config's inline checks. */
export const probeFileSchema = z.strictObject({
  checks: z.array(checkSchema).default([]),
});

export type CheckInput = z.input<typeof checkSchema>;
export type ParsedCheck = z.output<typeof checkSchema>;
export type HttpCheck = z.output<typeof httpCheckSchema>;
export type TcpCheck = z.output<typeof tcpCheckSchema>;
export type TlsCheck = z.output<typeof tlsCheckSchema>;
export type DnsCheck = z.output<typeof dnsCheckSchema>;
export type GrpcCheck = z.output<typeof grpcCheckSchema>;
export type FlowCheck = z.output<typeof flowCheckSchema>;
export type UnixCheck = z.output<typeof unixCheckSchema>;
export type WebsocketCheck = z.output<typeof websocketCheckSchema>;
export type IcmpCheck = z.output<typeof icmpCheckSchema>;
export type BrowserCheck = z.output<typeof browserCheckSchema>;
export const CHECK_KINDS = checkSchema.options.map((o) => o.shape.kind.value);
