/** blackbox's `icmp:` and `grpc:` sections. */
import type { Draft } from './draft.js';
import { ipFamily } from './ip.js';
import type { Fields, FieldType } from './reader.js';
import { TLS_FIELDS, translateTls } from './tls.js';

export const ICMP_FIELDS: Readonly<Record<string, FieldType>> = {
  preferred_ip_protocol: 'string',
  ip_protocol_fallback: 'bool',
  source_ip_address: 'string',
  payload_size: 'int',
  dont_fragment: 'bool',
  ttl: 'int',
};

export const GRPC_FIELDS: Readonly<Record<string, FieldType>> = {
  service: 'string',
  tls: 'bool',
  tls_config: 'map',
  ip_protocol_fallback: 'bool',
  preferred_ip_protocol: 'string',
  metadata: 'map',
};

export function translateIcmp(icmp: Fields, draft: Draft): void {
  const family = ipFamily(icmp);
  if (family !== undefined) draft.set(['icmp', 'ipFamily'], family, icmp.at('preferred_ip_protocol'));
  draft.copy(icmp, 'ip_protocol_fallback', 'bool', ['icmp', 'ipFallback']);
  draft.copy(icmp, 'source_ip_address', 'str', ['icmp', 'sourceIp']);
  draft.copy(icmp, 'payload_size', 'int', ['icmp', 'payloadSize']);
  draft.copy(icmp, 'dont_fragment', 'bool', ['icmp', 'dontFragment']);
  const ttl = icmp.int('ttl');
  if (ttl !== undefined && ttl < 0) icmp.report.problem(icmp.at('ttl'), 'ttl cannot be negative');
  else if (ttl !== undefined && ttl > 255) icmp.report.problem(icmp.at('ttl'), 'ttl cannot exceed 255');
  else draft.copy(icmp, 'ttl', 'int', ['icmp', 'ttl']);
}

export function translateGrpc(grpc: Fields, draft: Draft): void {
  draft.copy(grpc, 'service', 'str', ['grpc', 'service']);
  draft.copy(grpc, 'tls', 'bool', ['grpc', 'tls']);
  translateTls(grpc.section('tls_config', TLS_FIELDS), draft);
  const family = ipFamily(grpc);
  if (family !== undefined) draft.set(['grpc', 'ipFamily'], family, grpc.at('preferred_ip_protocol'));
  if (grpc.bool('ip_protocol_fallback') === false)
    draft.set(['grpc', 'ipFallback'], false, grpc.at('ip_protocol_fallback'));
  if (grpc.has('metadata')) draft.cannot(grpc.at('metadata'), 'gRPC request metadata is not available in canary');
}
