/**
 * grpc.health.v1 messages by hand: the request has one string field and the response one
 * enum field, so a protobuf runtime and a .proto file to ship would be all cost.
 *
 *   message HealthCheckRequest  { string service = 1; }
 *   message HealthCheckResponse { ServingStatus status = 1; }   // 0 UNKNOWN, 1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN
 */

/** The method path of the standard health check. */
export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** Serving statuses by their wire value. */
export const SERVING_STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

/** Encodes a HealthCheckRequest; an empty service is the empty message, as proto3 omits defaults. */
export function encodeRequest(request: { service: string }): Buffer {
  if (request.service === '') return Buffer.alloc(0);
  const name = Buffer.from(request.service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, ...varint(name.length)]), name]);
}

/** Reads a varint at `at`; returns the value and the next offset. */
function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (; i < buf.length && shift < 35; i++, shift += 7) {
    const byte = buf[i] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  throw new Error('malformed varint in HealthCheckResponse');
}

/** Decodes a HealthCheckResponse to its status value (0 when absent, as proto3 says); skips unknown fields. */
export function decodeResponse(buf: Buffer): { status: number } {
  let status = 0;
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = readVarint(buf, at);
    at = next;
    const wire = tag & 7;
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      if (tag >>> 3 === 1) status = value;
      at = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, at);
      at = after + length;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unexpected wire type ${wire} in HealthCheckResponse`);
  }
  if (at > buf.length) throw new Error('truncated HealthCheckResponse');
  return { status };
}

/** The name of a serving status value; values from a newer protocol show as numbers. */
export function servingStatusName(value: number): string {
  return SERVING_STATUS_NAMES[value] ?? String(value);
}
