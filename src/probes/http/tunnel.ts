/**
 * The CONNECT exchange that turns a socket to `http.proxy` into a tunnel to an https
 * target. Written by hand rather than through undici's ProxyAgent so the probe keeps its
 * own connector: phases are timed, the address policy is asked, and the TLS handshake
 * through the tunnel reports certificate facts as a direct one does.
 */
import type { Socket } from 'node:net';
import { FAILURE_REASONS } from '../../results/reasons.js';
import type { Attempt } from './attempt.js';
import { ProbeFailure } from './classify.js';
import type { ProxyRoute, Route } from './route.js';

/** The proxy's answer head is short; a longer one is not a proxy talking. */
const MAX_HEAD = 16 * 1024;

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?\r\n/;

/** The CONNECT request head for `route` through `proxy`. */
export function connectRequest(route: Route, proxy: ProxyRoute): string {
  const lines = [`CONNECT ${route.authority} HTTP/1.1`, `Host: ${route.authority}`];
  if (proxy.authorization !== undefined) lines.push(`Proxy-Authorization: ${proxy.authorization}`);
  for (const [name, value] of Object.entries(proxy.connectHeaders)) {
    // A header value is one line: a newline in config must not become a second header.
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) continue;
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** What the proxy's answer head means: undefined for a tunnel, else the failure. */
export function judgeAnswer(head: string, route: Route, proxy: ProxyRoute): Error | undefined {
  const match = STATUS_LINE.exec(head);
  if (match === null) {
    return new ProbeFailure(FAILURE_REASONS.protocol, `the proxy did not answer CONNECT with HTTP`);
  }
  const status = Number(match[1]);
  if (status >= 200 && status < 300) return undefined;
  const words = match[2] === undefined || match[2] === '' ? '' : ` ${match[2].slice(0, 80)}`;
  return new ProbeFailure(
    FAILURE_REASONS.connect,
    `proxy ${proxy.hostname}:${proxy.port} refused CONNECT ${route.authority}: ${status}${words}`,
  );
}

/**
 * Sends CONNECT on `socket` (connected to the proxy) and settles once the proxy has
 * answered: resolves when the tunnel is open, rejects with the proxy's refusal, a closed
 * socket or an answer that is not HTTP. The wait is charged to the `connect` phase.
 */
export function openTunnel(socket: Socket, route: Route, proxy: ProxyRoute, attempt: Attempt): Promise<void> {
  return new Promise<void>((done, fail) => {
    attempt.stage = 'tunnel';
    attempt.dialing = socket;
    const started = performance.now();
    let head = Buffer.alloc(0);
    const finish = (err?: Error, rest?: Buffer): void => {
      socket.off('data', onData).off('error', finish).off('close', onClose);
      attempt.dialing = undefined;
      attempt.add('connectMs', performance.now() - started);
      if (err !== undefined) {
        socket.destroy();
        fail(err);
        return;
      }
      // Bytes after the head belong to the tunnel (none are expected before our TLS hello).
      if (rest !== undefined && rest.length > 0) socket.unshift(rest);
      done();
    };
    const onClose = (): void =>
      finish(
        Object.assign(new Error('the proxy closed the connection before answering CONNECT'), { code: 'ECONNRESET' }),
      );
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > MAX_HEAD)
          finish(new ProbeFailure(FAILURE_REASONS.protocol, `the proxy's answer to CONNECT exceeds ${MAX_HEAD} bytes`));
        return;
      }
      socket.pause();
      finish(judgeAnswer(head.subarray(0, end + 2).toString('latin1'), route, proxy), head.subarray(end + 4));
    };
    socket.on('data', onData).once('error', finish).once('close', onClose);
    socket.write(connectRequest(route, proxy));
  });
}
