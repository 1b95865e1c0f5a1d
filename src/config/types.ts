import type { Problem } from '../errors.js';
import type { ParsedAgentConfig } from './schema/agent.js';
import type {
  BrowserCheck,
  DnsCheck,
  FlowCheck,
  GrpcCheck,
  HttpCheck,
  ParsedCheck,
  TcpCheck,
  TlsCheck,
  UnixCheck,
  WebsocketCheck,
  IcmpCheck,
} from './schema/check.js';
import type { YamlSource } from './yaml.js';

/** Where a check was defined, for messages and logs. */
export interface CheckSource {
  file: string;
  line: number;
  col: number;
}

/** When a check runs: every N ms from a random offset, or on a cron expression. */
export type Schedule = { kind: 'interval'; everyMs: number } | { kind: 'cron'; expression: string };

/** How a check retries a failed attempt, after `probes.defaults.retries` was applied. */
export interface RetryPolicy {
  /** Retries after a failed attempt; a run makes at most `count + 1` attempts. */
  count: number;
  /** Wait before the first retry in ms; doubled before each next one. */
  backoffMs: number;
}

type Resolved<C> = Omit<C, 'interval' | 'schedule' | 'timeout' | 'retries'> & {
  /** Retries of a failed attempt, after `probes.defaults` was applied. */
  retries: RetryPolicy;
  /** When it runs, after `probes.defaults` was applied. */
  schedule: Schedule;
  /** Per-attempt timeout in ms, after `probes.defaults` was applied. */
  timeoutMs: number;
  /** Where it was written. */
  source: CheckSource;
};

/** An HTTP check ready to run: defaults applied, file paths absolute. */
export type ResolvedHttpCheck = Resolved<HttpCheck>;

/** A TCP check ready to run. */
export type ResolvedTcpCheck = Resolved<TcpCheck>;
/** A TLS (handshake-only) check ready to run. */
export type ResolvedTlsCheck = Resolved<TlsCheck>;
/** A DNS check ready to run. */
export type ResolvedDnsCheck = Resolved<DnsCheck>;
/** A gRPC health check ready to run. */
export type ResolvedGrpcCheck = Resolved<GrpcCheck>;
/** A multi-step HTTP flow check ready to run. */
export type ResolvedFlowCheck = Resolved<FlowCheck>;
/** A unix domain socket check ready to run. */
export type ResolvedUnixCheck = Resolved<UnixCheck>;
/** A WebSocket check ready to run. */
export type ResolvedWebsocketCheck = Resolved<WebsocketCheck>;
/** An ICMP echo check ready to run. */
export type ResolvedIcmpCheck = Resolved<IcmpCheck>;

/** A browser journey check ready to run. */
export type ResolvedBrowserCheck = Resolved<BrowserCheck>;

/** Any check ready to run. Grows a member per probe kind. */
export type ResolvedCheck =
  | ResolvedHttpCheck
  | ResolvedTcpCheck
  | ResolvedTlsCheck
  | ResolvedDnsCheck
  | ResolvedGrpcCheck
  | ResolvedFlowCheck
  | ResolvedUnixCheck
  | ResolvedWebsocketCheck
  | ResolvedIcmpCheck
  | ResolvedBrowserCheck;

/**
 * The loaded configuration: validated, defaults applied, paths absolute, frozen. The
 * agent is built from this and nothing else.
 */
export interface Config {
  /** Absolute path of the agent config file. */
  file: string;
  agent: ParsedAgentConfig['agent'];
  server: ParsedAgentConfig['server'];
  /**
   * `files` are the probe files found; `filePatterns` the patterns as written (relative to
   * `file`'s directory), which a file watch matches new and changed files against.
   */
  probes: Omit<ParsedAgentConfig['probes'], 'files'> & { files: string[]; filePatterns?: readonly string[] };
  /** Inline checks and every probe file's checks, in file order. */
  checks: readonly ResolvedCheck[];
  /** Probe modules for `GET /probe`, by name: the agent file's and the blackbox file's. */
  modules: Readonly<Record<string, ResolvedModule>>;
  /**
   * Modules of the blackbox file that canary cannot probe as written, by name, with the
   * fields it cannot honour: `/probe` answers that instead of probing.
   */
  moduleRefusals?: Readonly<Record<string, string>>;
  /** The blackbox_exporter configuration file read, absolute; absent when none. */
  blackboxConfig?: string;
  /** What loaded but is not honoured as written (blackbox fields), at FILE:LINE:COL. */
  warnings?: readonly Problem[];
  /** `stateDir` absolute; `files` as written (globs relative to `file`'s directory). */
  chaos: ParsedAgentConfig['chaos'];
  exporters: ParsedAgentConfig['exporters'];
}

/** A probe module ready to run once a target arrives. */
export interface ResolvedModule {
  /** The key under `modules:`. */
  name: string;
  /** The probe kind (`http`, `tcp`, `tls`, `dns`, `grpc`); the `kind` of {@link ResolvedModule.check}. */
  prober: ResolvedCheck['kind'];
  /** `timeout` as written, in ms; absent: only the scrape timeout bounds a probe. */
  timeoutMs?: number;
  /**
   * The check the module describes: TLS paths absolute, `target` empty (dns: the query
   * name, the request's target going to `dns.server`) and `timeoutMs` a placeholder, both
   * set per request from the query and the scrape timeout.
   */
  check: ResolvedCheck;
}

/** A parsed check and where it was written, so cross-field problems can point at it. */
export interface CheckEntry {
  check: ParsedCheck;
  source: YamlSource;
  /** Key path of the check inside its file, e.g. `['checks', 3]`. */
  path: (string | number)[];
}
