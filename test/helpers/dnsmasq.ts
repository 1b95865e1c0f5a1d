/**
 * A dnsmasq on 127.0.0.1 serving a small test zone, for the DNS probe tests. dnsmasq needs
 * a fixed port, so a free one is found first (free for both TCP and UDP), then the server
 * is started in the foreground and waited for (bounded) until it accepts TCP connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, constants } from 'node:fs';
import { connect, createServer } from 'node:net';

/** Where Debian's dnsmasq-base installs the binary. */
const CANDIDATES = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'];

/** The dnsmasq binary, or undefined when it is not installed. */
export function findDnsmasq(): string | undefined {
  return CANDIDATES.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The records the test zone `canary.test` holds. */
export const ZONE_ARGS = [
  '--local=/canary.test/',
  '--host-record=www.canary.test,192.0.2.10,2001:db8::10',
  '--mx-host=canary.test,mail.canary.test,10',
  '--txt-record=canary.test,v=spf1 -all',
  '--srv-host=_http._tcp.canary.test,www.canary.test,8080,0,5',
  '--cname=alias.canary.test,www.canary.test',
];

/** A running dnsmasq. */
export interface Dnsmasq {
  port: number;
  /** `127.0.0.1:PORT`, as `dns.server` takes it. */
  server: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const tcp = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree) return port;
  }
  throw new Error('no port free for both TCP and UDP');
}

function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/** Starts dnsmasq with the test zone; rejects when it does not come up within about 5 s. */
export async function startDnsmasq(binary: string): Promise<Dnsmasq> {
  const port = await freePort();
  const args = [
    '--keep-in-foreground',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--conf-file=/dev/null',
    '--pid-file=',
    '--log-facility=-',
    ...ZONE_ARGS,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = stopper(child);
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) break;
    if (await accepts(port)) return { port, server: `127.0.0.1:${port}`, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`dnsmasq did not start on port ${port}: ${stderr.trim()}`);
}
