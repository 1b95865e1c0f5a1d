/**
 * What ICMP tests need: whether this process may ping at all, and a small routed network
 * of its own in network namespaces (a router between this host and a peer), made with
 * `ip` and removed afterwards. Names and addresses carry the process id, so concurrent
 * test runs do not collide.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { icmpNative } from '../../src/probes/icmp/native.js';

const run = promisify(execFile);

/** Why ICMP tests cannot run here, or `undefined` when they can (the addon loads and a socket opens). */
export function icmpUnavailable(): string | undefined {
  const native = icmpNative();
  if (native instanceof Error) return native.message;
  for (const raw of [false, true]) {
    try {
      native.close(native.open(4, raw));
      return undefined;
    } catch {
      // try the other kind
    }
  }
  return 'neither an ICMP datagram socket (net.ipv4.ping_group_range) nor a raw socket (root) may be opened';
}

/** Why a routed test network cannot be made here, or `undefined`. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'making network namespaces needs root';
  try {
    await run('ip', ['-V']);
  } catch {
    return 'the ip command (iproute2) is missing';
  }
  return undefined;
}

/**
 * This host ↔ router ↔ peer. `peer` answers pings; `prohibited` is routed by the router
 * to an `unreachable` route (it answers host unreachable), `blackholed` to a blackhole
 * route (no answer at all); the router ↔ peer link has an MTU of 1280.
 */
export interface TestNetwork {
  /** This host's address on the first link. */
  local: string;
  router: string;
  peer: string;
  prohibited: string;
  blackholed: string;
  /** The peer's namespace, for commands run inside it. */
  peerNamespace: string;
  remove(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

async function inNs(ns: string, ...args: string[]): Promise<void> {
  await run('ip', ['netns', 'exec', ns, ...args]);
}

/** Builds the network; on failure removes what was made and rethrows. */
export async function makeTestNetwork(): Promise<TestNetwork> {
  const id = process.pid % 100_000;
  const k = (process.pid % 60) * 4;
  const net = (n: number, host: number) => `10.250.${k + n}.${host}`;
  const router = `canary-icmp-r${id}`;
  const peer = `canary-icmp-p${id}`;
  const hostSide = `cih${id}`;
  const network: TestNetwork = {
    local: net(0, 1),
    router: net(0, 2),
    peer: net(1, 2),
    prohibited: net(2, 9),
    blackholed: net(3, 9),
    peerNamespace: peer,
    async remove() {
      // Deleting a namespace deletes its ends of the veth pairs, and so the pairs.
      for (const ns of [router, peer]) await ip('netns', 'delete', ns).catch(() => {});
      await ip('link', 'delete', hostSide).catch(() => {});
    },
  };
  try {
    await ip('netns', 'add', router);
    await ip('netns', 'add', peer);
    await ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', `cir${id}`, 'netns', router);
    await ip('link', 'add', `cis${id}`, 'netns', router, 'type', 'veth', 'peer', 'name', `cip${id}`, 'netns', peer);
    await ip('addr', 'add', `${network.local}/24`, 'dev', hostSide);
    await ip('link', 'set', hostSide, 'up');
    await ip('route', 'add', `10.250.${k}.0/22`, 'via', network.router);
    await inNs(router, 'ip', 'addr', 'add', `${network.router}/24`, 'dev', `cir${id}`);
    await inNs(router, 'ip', 'addr', 'add', `${net(1, 1)}/24`, 'dev', `cis${id}`);
    await inNs(router, 'ip', 'link', 'set', `cis${id}`, 'mtu', '1280');
    for (const dev of ['lo', `cir${id}`, `cis${id}`]) await inNs(router, 'ip', 'link', 'set', dev, 'up');
    await inNs(router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    await inNs(router, 'ip', 'route', 'add', 'unreachable', `10.250.${k + 2}.0/24`);
    await inNs(router, 'ip', 'route', 'add', 'blackhole', `10.250.${k + 3}.0/24`);
    await inNs(peer, 'ip', 'addr', 'add', `${network.peer}/24`, 'dev', `cip${id}`);
    await inNs(peer, 'ip', 'link', 'set', `cip${id}`, 'mtu', '1280');
    for (const dev of ['lo', `cip${id}`]) await inNs(peer, 'ip', 'link', 'set', dev, 'up');
    await inNs(peer, 'ip', 'route', 'add', 'default', 'via', net(1, 1));
    return network;
  } catch (err) {
    await network.remove();
    throw err;
  }
}

/** Runs `command` inside namespace `ns` and returns its standard output. */
export async function runInNamespace(ns: string, command: string, args: string[]): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, command, ...args]);
  return stdout;
}
