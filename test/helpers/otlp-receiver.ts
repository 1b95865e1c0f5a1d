/**
 * A loopback OTLP/HTTP trace receiver for tests. It decodes what exporters really send:
 * protobuf with the message types generated from the official OpenTelemetry .proto files
 * (shipped in @opentelemetry/otlp-transformer 0.52, installed as `otlp-generated-types`),
 * and OTLP/JSON, gzip or not, into one plain shape the tests assert on.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

/** A decoded attribute value: string, number, boolean, or a list of them. */
export type AttrValue = string | number | boolean | AttrValue[] | undefined;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttrValue>;
  events: { name: string; timeNs: bigint; attributes: Record<string, AttrValue> }[];
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Record<string, AttrValue>;
  scope: string;
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  /** `protobuf` or `json`, from the content type. */
  format: 'protobuf' | 'json';
  spans: number;
}

/** How the receiver answers: accept, refuse with 503, or never answer. */
export type ReceiverMode = 'ok' | 'unavailable' | 'hang';

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:PORT (exporters append /v1/traces). */
  url: string;
  readonly spans: ReceivedSpan[];
  readonly requests: ReceivedRequest[];
  mode: ReceiverMode;
  /** Resolves once at least `count` spans matching `filter` arrived; rejects after `timeoutMs`. */
  waitForSpans(count: number, filter?: (span: ReceivedSpan) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

// The generated module is CommonJS and typed only as a protobufjs Root; these are the parts used.
interface Decoded {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: RawSpan[] }[];
  }[];
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: number | string | { toString(): string } | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] } | null;
}
interface RawSpan {
  traceId: Uint8Array | string;
  spanId: Uint8Array | string;
  parentSpanId?: Uint8Array | string | null;
  name: string;
  kind?: number;
  startTimeUnixNano: number | string | { toString(): string };
  endTimeUnixNano: number | string | { toString(): string };
  attributes?: KeyValue[];
  events?: { name: string; timeUnixNano: number | string | { toString(): string }; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
}
interface MessageType {
  decode(data: Uint8Array): Decoded;
}

const require = createRequire(import.meta.url);
const root = require('otlp-generated-types/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: MessageType } } } } };
};
const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

function hex(id: Uint8Array | string | null | undefined): string {
  if (id === undefined || id === null) return '';
  return typeof id === 'string' ? id.toLowerCase() : Buffer.from(id).toString('hex');
}

function value(v: AnyValue | undefined): AttrValue {
  if (!v) return undefined;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue.toString());
  if (v.doubleValue !== undefined && v.doubleValue !== null) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

function attrs(list: KeyValue[] | undefined): Record<string, AttrValue> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

/** Turns a decoded request (protobuf or JSON: same field names) into plain spans. */
export function flatten(request: Decoded): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: s.name,
          kind: s.kind ?? 0,
          startNs: BigInt(s.startTimeUnixNano.toString()),
          endNs: BigInt(s.endTimeUnixNano.toString()),
          attributes: attrs(s.attributes),
          events: (s.events ?? []).map((e) => ({
            name: e.name,
            timeNs: BigInt(e.timeUnixNano.toString()),
            attributes: attrs(e.attributes),
          })),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
          resource,
          scope: ss.scope?.name ?? '',
        });
      }
    }
  }
  return out;
}

/** Starts the receiver on 127.0.0.1 with an ephemeral port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: ReceivedRequest[] = [];
  const errors: Error[] = [];
  const hanging = new Set<() => void>();
  const state = { mode: 'ok' as ReceiverMode };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.mode === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      if (state.mode === 'unavailable') {
        res.writeHead(503).end();
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const json = (req.headers['content-type'] ?? '').includes('json');
      let got: ReceivedSpan[];
      try {
        got = flatten(json ? (JSON.parse(body.toString('utf8')) as Decoded) : ExportTraceServiceRequest.decode(body));
      } catch (error) {
        // A payload the official definitions cannot decode is the exporter's bug: fail loudly.
        errors.push(error instanceof Error ? error : new Error(String(error)));
        res.writeHead(400).end();
        return;
      }
      spans.push(...got);
      requests.push({ headers: req.headers, format: json ? 'json' : 'protobuf', spans: got.length });
      res
        .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
        .end(json ? '{}' : '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(mode: ReceiverMode) {
      state.mode = mode;
    },
    async waitForSpans(count, filter = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans.filter(filter);
        if (errors.length > 0) throw new Error(`undecodable OTLP payload: ${errors[0]?.message}`);
        if (found.length >= count) return found;
        if (Date.now() > deadline)
          throw new Error(
            `only ${found.length} of ${count} spans within ${timeoutMs} ms (${spans.length} received in all)`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      if (!server.listening) return;
      for (const drop of hanging) drop();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
