/**
 * IP addresses as numbers, for prefix tests. Pure: no sockets, no resolver. An
 * IPv4-mapped IPv6 address (`::ffff:169.254.169.254`) is its IPv4 address, so a range
 * written in one form catches the other. The parser is written out rather than taken from
 * `node:net` so this module stays free of the socket layer.
 */

/** An address as a family and a number (32 bits for IPv4, 128 for IPv6). */
export interface Ip {
  family: 4 | 6;
  value: bigint;
}

/** A range: the address with its host bits cleared, and the prefix length. */
export interface Cidr {
  network: Ip;
  bits: number;
}

const MAPPED_PREFIX = 0xffffn << 32n;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const V4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const GROUP = /^[0-9a-f]{1,4}$/i;

/** 4 or 6 for a valid IPv4 or IPv6 address, 0 for anything else (as `net.isIP`). */
function ipFamily(text: string): 0 | 4 | 6 {
  if (V4.test(text)) return 4;
  const halves = text.split('::');
  if (halves.length > 2) return 0;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  const last = groups.at(-1);
  // An IPv4 tail stands for two groups.
  const tail = last !== undefined && V4.test(last) && text.endsWith(last) ? 1 : 0;
  const count = groups.length + tail;
  if (!groups.slice(0, groups.length - tail).every((g) => GROUP.test(g))) return 0;
  return (halves.length === 2 ? count <= 7 : count === 8) ? 6 : 0;
}

function v4Value(text: string): bigint {
  return text.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function v6Value(text: string): bigint {
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) is two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  const hex = tail ? text.slice(0, -tail.length) + groupsOf(v4Value(tail)) : text;
  const [head = '', rest] = hex.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].reduce((n, group) => (n << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function groupsOf(v4: bigint): string {
  return `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
}

/** Parses an IPv4 or IPv6 address (brackets and a `%zone` allowed); `undefined` when it is not one. */
export function parseIp(text: string): Ip | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = ipFamily(bare);
  if (family === 4) return { family: 4, value: v4Value(bare) };
  if (family !== 6) return undefined;
  const value = v6Value(bare);
  if (value >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

function width(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** Parses `ADDRESS/BITS`; host bits set in the address are cleared. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const ip = match?.[1] === undefined ? undefined : parseIp(match[1]);
  const bits = Number(match?.[2]);
  if (ip === undefined || !(bits <= width(ip.family))) return undefined;
  const shift = BigInt(width(ip.family) - bits);
  return { network: { family: ip.family, value: (ip.value >> shift) << shift }, bits };
}

/** Whether `ip` lies in `range`. */
export function inCidr(ip: Ip, range: Cidr): boolean {
  if (ip.family !== range.network.family) return false;
  const shift = BigInt(width(ip.family) - range.bits);
  return ip.value >> shift === range.network.value >> shift;
}

/** Whether every address of `inner` lies in `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.bits >= outer.bits && inCidr(inner.network, outer);
}

/** Whether two addresses are the same. */
export function sameIp(a: Ip, b: Ip): boolean {
  return a.family === b.family && a.value === b.value;
}

/** A single address as a range of one. */
export function hostCidr(ip: Ip): Cidr {
  return { network: ip, bits: width(ip.family) };
}
