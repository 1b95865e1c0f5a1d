/**
 * Which hosts and addresses a request-driven probe (`GET /probe`) may reach. Anyone who can
 * reach that endpoint chooses the target, so without limits the agent probes on their
 * behalf from inside the network: cloud metadata services hand out credentials, and the
 * agent's own control endpoints sit one port away.
 *
 * The rule, decided here without sockets or a resolver (the caller resolves):
 * - With no allow list every target may be probed, as with blackbox_exporter, except the
 *   always-refused ones below.
 * - With an allow list, a target must match an entry: a hostname or glob by its name, or
 *   an IP or CIDR by every address it resolves to.
 * - Always refused unless an entry names them specifically: link-local addresses
 *   (169.254.0.0/16, fe80::/10), cloud metadata addresses and names, and the agent's own
 *   listen address and port. "Specifically" means an IP, a CIDR inside the refused range
 *   or an exact hostname (a glob, `0.0.0.0/0` or `::/0` opens none of them), and for the
 *   agent's own endpoint the entry must carry its port (`127.0.0.1:9464`).
 * - A unix socket path is refused unless an entry that is itself a path (exact, or a glob
 *   such as `/run/app/*.sock`) matches it, with or without an allow list (socket-path.ts).
 *   A path entry admits no network target, and like any entry makes the list one that
 *   network targets must match.
 */
import picomatch from 'picomatch';
import { parsePathEntry, type PathEntry } from './socket-path.js';
import { cidrWithin, hostCidr, inCidr, parseCidr, parseIp, sameIp, type Cidr, type Ip } from './ip.js';

/** One compiled entry of an allow list. */
export type AllowEntry =
  | { kind: 'range'; text: string; cidr: Cidr; single: boolean; port?: number }
  | { kind: 'name'; text: string; name: string; glob: boolean; matches: (host: string) => boolean; port?: number }
  | PathEntry;

/** Where the agent's own server answers; probing it would reach its control endpoints. */
export interface SelfEndpoint {
  port: number;
  /** Addresses it listens on. */
  addresses: readonly string[];
  /** Listening on every interface: any loopback address reaches it too. */
  wildcard: boolean;
}

/** The compiled policy. */
export interface AddressPolicy {
  /** `undefined`: no allow list, every target but the always-refused ones. */
  allow: readonly AllowEntry[] | undefined;
  self: SelfEndpoint | undefined;
}

/** What a probe would connect to. */
export interface ProbeEndpoint {
  /** A hostname or an IP address (IPv6 without brackets). */
  host: string;
  port: number;
}

/** The problem with an entry that does not parse, for config validation. */
export const ALLOW_ENTRY_MESSAGE =
  'must be a hostname, a glob over hostnames (*.example.com), an IP address or a CIDR (10.0.0.0/8, fd00::/8); a hostname or IP may end in :PORT; or an absolute unix socket path or glob over paths (/run/app/*.sock)';

const NAME = /^[a-z0-9*?_.-]+$/;

/** A hostname as compared: lower case, no trailing dot. */
function normalName(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function withPort(text: string): { host: string; port?: number } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return portOf(bracketed[1]!, bracketed[2]);
  if (parseIp(text) !== undefined) return { host: text };
  const [host = '', port, extra] = text.split(':');
  return extra === undefined ? portOf(host, port) : undefined;
}

function portOf(host: string, port: string | undefined): { host: string; port?: number } | undefined {
  if (port === undefined) return { host };
  const n = Number(port);
  return /^\d{1,5}$/.test(port) && n >= 1 && n <= 65535 ? { host, port: n } : undefined;
}

/** Compiles one allow entry; `undefined` when it is not one ({@link ALLOW_ENTRY_MESSAGE}). */
export function parseAllowEntry(text: string): AllowEntry | undefined {
  if (text.startsWith('/')) return parsePathEntry(text);
  if (text.includes('/')) {
    const cidr = parseCidr(text);
    return cidr === undefined ? undefined : { kind: 'range', text, cidr, single: false };
  }
  const split = withPort(text);
  if (split === undefined) return undefined;
  const port = split.port === undefined ? {} : { port: split.port };
  const ip = parseIp(split.host);
  if (ip !== undefined) return { kind: 'range', text, cidr: hostCidr(ip), single: true, ...port };
  const name = normalName(split.host);
  // Digits and dots only is a mistyped address, not a name.
  if (!NAME.test(name) || /^[\d.]+$/.test(name) || name.startsWith('.')) return undefined;
  const glob = /[*?]/.test(name);
  const matches = glob ? picomatch(name, { nocase: true, dot: true }) : (host: string) => host === name;
  return { kind: 'name', text, name, glob, matches, ...port };
}

/** Compiles an allow list that config validation has already checked. */
export function compileAllow(entries: readonly string[] | undefined): AllowEntry[] | undefined {
  return entries?.map((text) => {
    const entry = parseAllowEntry(text);
    if (entry === undefined) throw new Error(`server.probe.allow: ${JSON.stringify(text)} ${ALLOW_ENTRY_MESSAGE}`);
    return entry;
  });
}

interface Guarded {
  range: Cidr;
  what: string;
}

function guarded(cidr: string, what: string): Guarded {
  return { range: parseCidr(cidr)!, what };
}

/** Most specific first: the first match names the reason. */
const ALWAYS_REFUSED: readonly Guarded[] = [
  guarded('169.254.169.254/32', 'a cloud metadata address'),
  guarded('fd00:ec2::254/128', 'a cloud metadata address (AWS, IPv6)'),
  guarded('100.100.100.200/32', 'a cloud metadata address (Alibaba Cloud)'),
  guarded('169.254.0.0/16', 'link-local (169.254.0.0/16)'),
  guarded('fe80::/10', 'link-local (fe80::/10)'),
];

/** Names of metadata services; their addresses are refused too, this catches a resolver that differs. */
const METADATA_NAMES = new Set(['metadata.google.internal']);

const UNSPECIFIED = [parseIp('0.0.0.0')!, parseIp('::')!];
const LOOPBACK = [parseCidr('127.0.0.0/8')!, parseCidr('::1/128')!];

function portMatches(entry: AllowEntry, port: number): boolean {
  // A path entry never admits a network target.
  return entry.kind !== 'path' && (entry.port === undefined || entry.port === port);
}

function isSelf(self: SelfEndpoint | undefined, ip: Ip, port: number): boolean {
  if (self === undefined || self.port !== port) return false;
  // Connecting to 0.0.0.0 or :: reaches this machine's listeners.
  if (UNSPECIFIED.some((u) => sameIp(u, ip))) return true;
  if (self.wildcard && LOOPBACK.some((range) => inCidr(ip, range))) return true;
  return self.addresses.some((address) => {
    const own = parseIp(address);
    return own !== undefined && sameIp(own, ip);
  });
}

/** An entry naming exactly this address, or a range inside the refused one. */
function namesRange(allow: readonly AllowEntry[], ip: Ip, port: number, refused: Cidr): boolean {
  return allow.some(
    (e) => e.kind === 'range' && portMatches(e, port) && inCidr(ip, e.cidr) && cidrWithin(e.cidr, refused),
  );
}

function namesHost(allow: readonly AllowEntry[], name: string | undefined, port: number, needPort: boolean): boolean {
  return allow.some(
    (e) => e.kind === 'name' && !e.glob && e.name === name && (needPort ? e.port === port : portMatches(e, port)),
  );
}

function namesSelf(allow: readonly AllowEntry[], name: string | undefined, ip: Ip, port: number): boolean {
  const exact = allow.some((e) => e.kind === 'range' && e.single && e.port === port && sameIp(e.cidr.network, ip));
  return exact || namesHost(allow, name, port, true);
}

const HINT = 'list it in server.probe.allow to probe it';

/** Why `address` (what the target resolved to) is refused, or `undefined`. */
function addressRefusal(
  policy: AddressPolicy,
  target: ProbeEndpoint,
  address: string,
  name: string | undefined,
  mustBeListed: boolean,
): string | undefined {
  const ip = parseIp(address);
  if (ip === undefined) return undefined;
  const allow = policy.allow ?? [];
  const guard = ALWAYS_REFUSED.find((g) => inCidr(ip, g.range));
  if (guard && !namesRange(allow, ip, target.port, guard.range) && !namesHost(allow, name, target.port, false)) {
    return `${address} is ${guard.what}; ${HINT}`;
  }
  if (isSelf(policy.self, ip, target.port) && !namesSelf(allow, name, ip, target.port)) {
    return `${address} port ${target.port} is this agent's own server; ${HINT} with its port`;
  }
  const listed = allow.some((e) => e.kind === 'range' && portMatches(e, target.port) && inCidr(ip, e.cidr));
  if (mustBeListed && !listed) return `${address} is not in server.probe.allow`;
  return undefined;
}

/**
 * Why probing `target` is refused, or `undefined` when it may be probed. `addresses` are
 * what the target's name resolved to (for an IP target, the IP itself); a name that did
 * not resolve passes only when an allow entry names it, or when there is no allow list.
 *
 * @example
 * const policy = { allow: compileAllow(['*.example.com', '10.0.0.0/8']), self: undefined };
 * probeRefusal(policy, { host: '169.254.169.254', port: 80 }, ['169.254.169.254']);
 * // '169.254.169.254 is a cloud metadata address; list it in server.probe.allow to probe it'
 */
export function probeRefusal(
  policy: AddressPolicy,
  target: ProbeEndpoint,
  addresses: readonly string[],
): string | undefined {
  const name = parseIp(target.host) === undefined ? normalName(target.host) : undefined;
  const allow = policy.allow ?? [];
  if (name !== undefined && METADATA_NAMES.has(name) && !namesHost(allow, name, target.port, false)) {
    return `${target.host} is a cloud metadata name; ${HINT}`;
  }
  const nameListed =
    name !== undefined && allow.some((e) => e.kind === 'name' && portMatches(e, target.port) && e.matches(name));
  const mustBeListed = policy.allow !== undefined && !nameListed;
  for (const address of addresses) {
    const refused = addressRefusal(policy, target, address, name, mustBeListed);
    if (refused !== undefined) return refused;
  }
  if (mustBeListed && addresses.length === 0) return `${target.host} is not in server.probe.allow`;
  return undefined;
}

/**
 * Whether the allow list refuses `target` by its name alone, before any lookup: a name
 * no name entry matches, when no IP or CIDR entry could admit its addresses. Saves
 * resolving names a requester made up.
 */
export function refusedUnresolved(policy: AddressPolicy, target: ProbeEndpoint): string | undefined {
  if (policy.allow === undefined || parseIp(target.host) !== undefined) return undefined;
  if (policy.allow.some((e) => e.kind === 'range')) return undefined;
  const name = normalName(target.host);
  const listed = policy.allow.some((e) => e.kind === 'name' && portMatches(e, target.port) && e.matches(name));
  return listed ? undefined : `${target.host} is not in server.probe.allow`;
}
