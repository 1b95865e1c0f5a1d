/**
 * The hostile targets of the soak, all on 127.0.0.1, run inside the harness: each one
 * misbehaves in a way that a leak in the agent's error paths (a socket not destroyed, a
 * timer not cleared, a body not drained) would turn into growth over an hour.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ipc.js';

/** The kinds of hostile target, in the order the config cycles through them. */
export const HOSTILE_KINDS = ['hang', 'drip', 'endless', 'reset', 'closed', 'badtls', 'redirect'] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

/** A started hostile target: what a check probes, as a check kind and target. */
export interface HostileTarget {
  kind: HostileKind;
  checkKind: 'http' | 'tcp';
  target: string;
}

export interface HostileTargets {
  targets: HostileTarget[];
  close(): Promise<void>;
}

type AnyServer = NetServer | HttpServer;

function listen(server: AnyServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

/** Accepts and never says a word: the probe must give up at its timeout and close. */
function hang(sockets: Set<Socket>): NetServer {
  return createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
}

/** Headers at once, then one byte a second for as long as the client stays. */
function drip(): HttpServer {
  return createHttpServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('.'), 1_000);
    res.on('close', () => clearInterval(timer));
  });
}

/** A body with no end, written as fast as the client reads: the probe must stop at its size limit. */
function endless(): HttpServer {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  return createHttpServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on('drain', pump);
    pump();
  });
}

/** Resets every connection as soon as it is accepted (RST, not FIN). */
function reset(): NetServer {
  return createNetServer((socket) => {
    socket.on('error', () => {});
    socket.resetAndDestroy();
  });
}

/** Every request is sent back to itself. */
function redirect(): HttpServer {
  return createHttpServer((req, res) => {
    req.resume();
    res.writeHead(302, { location: req.url ?? '/' }).end();
  });
}

/** A self-signed certificate made with openssl; undefined when openssl is not there. */
function selfSigned(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'canary-soak-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'].concat([
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore', timeout: 10_000 },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts one target of every kind (the TLS one only where openssl can make a certificate). */
export async function startHostileTargets(log: (line: string) => void): Promise<HostileTargets> {
  const sockets = new Set<Socket>();
  const servers: AnyServer[] = [];
  const targets: HostileTarget[] = [];
  const add = async (kind: HostileKind, server: AnyServer, scheme: 'http' | 'https' = 'http'): Promise<void> => {
    servers.push(server);
    const port = await listen(server);
    targets.push({ kind, checkKind: 'http', target: `${scheme}://127.0.0.1:${port}/${kind}` });
  };
  await add('hang', hang(sockets));
  await add('drip', drip());
  await add('endless', endless());
  await add('reset', reset());
  // Free a moment ago, and nothing listens on it: connection refused.
  targets.push({ kind: 'closed', checkKind: 'tcp', target: `127.0.0.1:${await freePort()}` });
  const tls = selfSigned();
  if (tls)
    await add(
      'badtls',
      createHttpsServer(tls, (req, res) => res.writeHead(200).end('ok')),
      'https',
    );
  else log('soak: openssl not found, so no bad-certificate target');
  await add('redirect', redirect());
  return {
    targets,
    async close() {
      for (const socket of sockets) socket.destroy();
      for (const server of servers) {
        if ('closeAllConnections' in server) server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
