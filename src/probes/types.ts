import type { ResolvedCheck } from '../config/types.js';
import type { Observation } from '../results/types.js';

/** What a probe gets besides the check: cancellation and extra request headers. */
export interface ProbeContext {
  /** Aborted when the attempt times out or the agent stops; the probe must give up promptly. */
  signal: AbortSignal;
  /** Headers added to outgoing requests (trace context); probes that cannot carry headers ignore them. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Asked before each connection with the address about to be dialled, redirects
   * included; a reason refuses it. `/probe` sets it from `server.probe`, so neither a
   * redirect nor a name whose answer changed since the request was checked reaches a
   * refused address. Honoured by the http, tcp, tls, websocket and icmp probes (icmp asks with port 0).
   */
  vetAddress?: AddressVet;
}

/** Why a connection to `address` (what `host` resolved to) on `port` is refused, or `undefined`. */
export type AddressVet = (host: string, address: string, port: number) => string | undefined;

/**
 * The error a vetoed connection fails with: `EACCES`, as a firewall's refusal, so it is
 * classified `connect` and the message says why.
 */
export function vetoed(vet: AddressVet | undefined, host: string, address: string, port: number): Error | undefined {
  const reason = vet?.(host, address, port);
  if (reason === undefined) return undefined;
  return Object.assign(new Error(`connection to ${host} refused by server.probe: ${reason}`), { code: 'EACCES' });
}

/**
 * One probe kind. `run` never throws for a failing target: it returns an Observation with
 * `ok: false` and a reason. It throws only on bugs.
 */
export interface Probe<C extends ResolvedCheck = ResolvedCheck> {
  /** The `kind` value in the config that selects this probe. */
  readonly kind: C['kind'];
  run(check: C, ctx: ProbeContext): Promise<Observation>;
  /** Releases pooled resources (kept-alive connections). */
  close?(): Promise<void>;
}
