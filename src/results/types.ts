import type { FailureReason } from './reasons.js';

/** The phases of an HTTP attempt, named as blackbox_exporter names them. */
export type HttpPhase = 'resolve' | 'connect' | 'tls' | 'processing' | 'transfer';

/** Every HTTP phase, in the order blackbox_exporter lists them. */
export const HTTP_PHASES: readonly HttpPhase[] = ['resolve', 'connect', 'tls', 'processing', 'transfer'];

/** Phase durations in seconds. A phase that did not happen (no TLS on http://) is absent. */
export type PhaseTimings = Partial<Record<HttpPhase, number>>;

/** TLS facts of the connection that produced the final response. */
export interface TlsFacts {
  /** Negotiated protocol, e.g. `TLSv1.3`. */
  version: string;
  /** Negotiated cipher suite name, e.g. `TLS_AES_256_GCM_SHA384`. */
  cipher: string;
  /** Earliest `notAfter` in the presented chain, as Unix seconds. */
  earliestCertExpiry: number;
  /** Subject common name of the leaf certificate, when present. */
  subject?: string;
  /** Issuer common name of the leaf certificate, when present. */
  issuer?: string;
  /** Certificates presented, leaf first (tls and tcp probes). */
  chainLength?: number;
  /** Whether the chain verified against the trusted CAs (tls and tcp probes). */
  verified?: boolean;
  /** Why it did not verify, e.g. `CERT_HAS_EXPIRED` (tls and tcp probes). */
  verifyError?: string;
  /** Whether the leaf is valid for the server name (tls and tcp probes). */
  hostnameMatch?: boolean;
}

/** What a TCP probe saw of the conversation. */
export interface TcpFacts {
  /** Steps of `tcp.steps` completed, in order. */
  stepsCompleted: number;
  /** The last line read, the one that matched the last `expect` (or the last before a failure). */
  lastLine?: string;
  /** Whether the connection used TLS. */
  ssl: boolean;
  /** The `labels` of each step whose expect matched, filled from the match (`/probe`'s probe_expect_info only). */
  expectInfo?: Record<string, string>[];
  /** Which expectation failed the check: no line matched `expect`, or the bytes were not `expectBytes`. */
  expectFailure?: 'regex' | 'bytes';
}

/** What a DNS probe saw of the response. */
export interface DnsFacts {
  /** Response code by name, e.g. `NOERROR`, `NXDOMAIN`. */
  rcode: string;
  /** Numeric response code (0 NOERROR, 3 NXDOMAIN). */
  rcodeValue: number;
  /** Records per section, each as `name.<TAB>ttl<TAB>IN<TAB>TYPE<TAB>data`. */
  answers: string[];
  authority: string[];
  additional: string[];
  /** SOA serial, when an SOA record is in the answer or authority section. */
  serial?: number;
  /** Whether the server answered authoritatively (AA flag). */
  authoritative: boolean;
  /** Whether the UDP answer was truncated (TC flag). */
  truncated: boolean;
}

/** Defined with the config that names them; here too because a result reports them. */
export { GRPC_SERVING_STATUSES } from '../config/schema/grpc.js';

/** What a gRPC health probe saw. */
export interface GrpcFacts {
  /** gRPC status code of the Check call (0 OK, 12 UNIMPLEMENTED, ...). */
  statusCode: number;
  /** Serving status from the response; `SERVICE_UNKNOWN` when the server answered NOT_FOUND. Absent when there was none. */
  servingStatus?: string;
  /** Status details when the call did not end OK. */
  statusDetails?: string;
  /** Whether the connection used TLS. */
  ssl: boolean;
}

/** The phases of a WebSocket attempt, in order; `resolve`, `connect` and `tls` are also in `Observation.phases`. */
export const WEBSOCKET_PHASES = ['resolve', 'connect', 'tls', 'upgrade', 'first_message'] as const;

/** What a WebSocket probe saw. */
export interface WebsocketFacts {
  /** Status code of the answer to the upgrade request (101 when it was accepted); 0 when none arrived. */
  status: number;
  /** The subprotocol the server chose, when it chose one. */
  subprotocol?: string;
  /** Steps of `websocket.steps` completed, in order. */
  stepsCompleted: number;
  /** The last message received, cut to 200 characters. */
  lastMessage?: string;
  /** The server's close code, when the probe waited for the close (`websocket.closeCode`); 1006 when it dropped without one. */
  closeCode?: number;
  /** Seconds from sending the upgrade request to the end of the 101 answer's head. */
  upgradeSeconds?: number;
  /** Seconds from the upgrade to the first message received, when one was. */
  firstMessageSeconds?: number;
  /** Whether the connection used TLS (wss://). */
  ssl: boolean;
}

/** What an ICMP echo probe saw. */
export interface IcmpFacts {
  /** The address the request went to, once the target resolved. */
  address?: string;
  /** 4 or 6: the family of `address`; 0 before it was known. */
  ipProtocol: number;
  /** The socket used: an unprivileged ICMP datagram socket or a raw socket. */
  socket?: 'datagram' | 'raw';
  /** Seconds spent opening and setting up the socket. */
  setupSeconds: number;
  /** Seconds from sending the request to its reply (or to the failure). */
  rttSeconds: number;
  /** The reply's IP TTL (IPv4) or hop limit (IPv6), when a reply arrived and the kernel said. */
  hopLimit?: number;
}

/** What one step of a flow saw. */
export interface FlowStepFacts {
  /** The step's name from the config. */
  name: string;
  /** The step got a response, met its expectations and extracted every value. */
  ok: boolean;
  /** Status code of the step's final response, when one arrived. */
  status?: number;
  /** Wall time of the step's request in seconds. */
  durationSeconds: number;
  /** The step's HTTP phases, summed over its redirects. */
  phases: PhaseTimings;
  /** Why the step failed, when it did. */
  reason?: FailureReason;
  /** Detail of the failure, when it did. */
  message?: string;
}

/** What a flow probe saw: each step that ran, in order. */
export interface FlowFacts {
  /** Steps that ran; steps after a failing one are absent. */
  steps: FlowStepFacts[];
  /** Name of the step that failed, when one did. */
  failedStep?: string;
}

/** What one step of a browser journey saw (`load` is the target's own load). */
export interface BrowserStepFacts {
  /** `load`, then `N:action` (`1:fill`, `2:click`), as the `step` label names it. */
  name: string;
  /** The step did what it says (navigated, clicked, found its text). */
  ok: boolean;
  /** Wall time of the step in seconds. */
  durationSeconds: number;
  /** Why the step failed, when it did. */
  reason?: FailureReason;
  /** Detail of the failure, when it did. */
  message?: string;
}

/** Core Web Vitals of the page a journey ended on, as the browser measured them. */
export interface WebVitals {
  /** Largest Contentful Paint, seconds from navigation start; absent when nothing was painted. */
  lcpSeconds?: number;
  /** Cumulative Layout Shift (unitless score). */
  cls?: number;
  /** Time to First Byte of the document, seconds from navigation start. */
  ttfbSeconds?: number;
}

/** What a browser probe saw: each step that ran, the page's vitals, and where its screenshot went. */
export interface BrowserFacts {
  /** Steps that ran, `load` first; steps after a failing one are absent. */
  steps: BrowserStepFacts[];
  /** Name of the step that failed, when one did. */
  failedStep?: string;
  /** The URL the page ended on. */
  finalUrl?: string;
  /** Vitals of the last page, when the page could be read. */
  vitals: WebVitals;
  /** The failure screenshot's path, when one was written. */
  screenshot?: string;
}

/** What an HTTP probe saw of the final response (after redirects). */
export interface HttpFacts {
  /** Status code of the final response; 0 when no response arrived. */
  status: number;
  /** HTTP version of the final response, e.g. `1.1`. */
  version: string;
  /** Redirects followed before the final response. */
  redirects: number;
  /** The URL that produced the final response. */
  finalUrl: string;
  /** Response headers of the final response, names lower-cased; repeated headers joined by `, `. */
  headers: Record<string, string>;
  /** Bytes of body read. */
  bodyBytes: number;
  /**
   * The body as text, kept only when an expectation needs it (body regex, JSON path),
   * so that thousands of checks do not hold their responses in memory.
   */
  body?: string;
  /** Whether the final response came over TLS. */
  ssl: boolean;
}

/**
 * What one probe attempt observed. Probes return this and never throw for a failing
 * target: a refused port is an observation, not an exception.
 */
export interface Observation {
  /** Whether the target answered at the transport/protocol level (before expectations). */
  ok: boolean;
  /** Why it did not, from the closed set; absent when `ok`. */
  reason?: FailureReason;
  /** Human detail for `reason`, e.g. `connect ECONNREFUSED 127.0.0.1:1`. */
  message?: string;
  /** Wall time of the attempt in seconds, from start to the last body byte or failure. */
  durationSeconds: number;
  /** Time spent per phase, summed over redirects, in seconds. */
  phases: PhaseTimings;
  /** Seconds spent resolving the name (also in `phases.resolve` for HTTP). */
  dnsLookupSeconds?: number;
  /** HTTP facts; present once any response arrived. */
  http?: HttpFacts;
  /** TLS facts of the final connection when it used TLS. */
  tls?: TlsFacts;
  /** TCP conversation facts (tcp probe). */
  tcp?: TcpFacts;
  /** The same conversation facts for a unix socket (unix probe); `ssl` says whether a starttls step upgraded it. */
  unix?: TcpFacts;
  /** DNS response facts (dns probe); present once a response arrived. */
  dns?: DnsFacts;
  /** gRPC health facts (grpc probe); present once the call ended with a status. */
  grpc?: GrpcFacts;
  /** WebSocket facts (websocket probe); present once a connection was attempted. */
  websocket?: WebsocketFacts;
  /** ICMP echo facts (icmp probe); present once the target resolved. */
  icmp?: IcmpFacts;
  /** Per-step facts (flow probe); `phases` above are their sums, `http` the last step's response. */
  flow?: FlowFacts;
  /** Per-step facts and web vitals (browser probe). */
  browser?: BrowserFacts;
}

/** The verdict of one expectation, kept in the result so a failure says exactly what. */
export interface AssertionOutcome {
  /** Which expectation, e.g. `status`, `header content-type`, `json $.status`. */
  name: string;
  ok: boolean;
  /** What was expected, in words, e.g. `one of 200, 3xx`. */
  expected: string;
  /** What was seen, e.g. `503`. */
  actual: string;
}

/**
 * The record of one check run: plain data, handed to every sink through the result bus.
 * Sinks read it; none modifies it.
 */
export interface CheckResult {
  /** The check's name, unique within an agent. */
  check: string;
  /** The probe kind that ran, e.g. `http`. */
  kind: string;
  /** The probed target as configured. */
  target: string;
  /** Region of the agent that ran it. */
  region: string;
  /**
   * 1 for the first attempt of a run; retries count up. On a run's result it is the
   * attempt that decided the run, which is also how many attempts the run took (the
   * first success ends a run); durations and the observation are that attempt's.
   */
  attempt: number;
  /** The verdict: the target answered and every expectation held. */
  ok: boolean;
  /** Why not, when not ok. */
  reason?: FailureReason;
  /** Detail for humans (logs, `canary probe`), never a metric label. */
  message?: string;
  /** When the attempt started, epoch milliseconds. */
  startedAt: number;
  /** Wall time of the attempt in seconds. */
  durationSeconds: number;
  /** The probe's observation, as returned. */
  observation: Observation;
  /** One outcome per expectation evaluated. */
  outcomes: AssertionOutcome[];
  /** Trace id of the run when tracing is on and its trace is exported (not sampled out). */
  traceId?: string;
  /** Span id of the attempt's CLIENT span, with `traceId`. */
  spanId?: string;
}
