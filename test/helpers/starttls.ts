/**
 * Line servers that offer STARTTLS the way mail servers do (SMTP, IMAP, POP3), for the
 * tcp and unix probes' STARTTLS tests. Each connection speaks plain text until the client
 * asks for TLS, then the same socket is wrapped in a server-side TLS session and the
 * dialect goes on over it, answering differently once secure so a test can tell.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';

/** Which protocol the server speaks. */
export type Dialect = 'smtp' | 'imap' | 'pop3';

/** How the server behaves. */
export interface StartTlsBehaviour {
  dialect: Dialect;
  cert: string;
  key: string;
  /** Answer the STARTTLS command with a refusal and close, instead of starting TLS. */
  refuse?: boolean;
  /** Bytes sent right after the "go ahead" line, in the same write, before the handshake. */
  inject?: string;
  /** Say "go ahead", then close the connection instead of starting TLS. */
  hangUp?: boolean;
}

/** One reply: the text to write, and whether TLS starts after it. */
interface Reply {
  text: string;
  upgrade?: boolean;
  close?: boolean;
}

const GREETING: Record<Dialect, string> = {
  smtp: '220 mail.canary.test ESMTP ready\r\n',
  imap: '* OK [CAPABILITY IMAP4rev1 STARTTLS] canary.test IMAP ready\r\n',
  pop3: '+OK canary.test POP3 ready\r\n',
};

function smtp(line: string, secure: boolean, b: StartTlsBehaviour): Reply {
  const verb = line.split(' ')[0]?.toUpperCase();
  if (verb === 'EHLO')
    return { text: secure ? '250-mail.canary.test\r\n250 AUTH PLAIN\r\n' : '250-mail.canary.test\r\n250 STARTTLS\r\n' };
  if (verb === 'STARTTLS' && !secure)
    return b.refuse
      ? { text: '454 4.7.0 TLS not available\r\n', close: true }
      : { text: '220 2.0.0 Ready to start TLS\r\n', upgrade: true };
  if (verb === 'QUIT') return { text: '221 2.0.0 bye\r\n', close: true };
  return { text: '502 5.5.2 what?\r\n' };
}

function imap(line: string, secure: boolean, b: StartTlsBehaviour): Reply {
  const [tag = '*', command = ''] = line.split(' ');
  if (command.toUpperCase() === 'STARTTLS' && !secure)
    return b.refuse
      ? { text: `${tag} NO STARTTLS not available\r\n`, close: true }
      : { text: `${tag} OK Begin TLS negotiation now\r\n`, upgrade: true };
  if (command.toUpperCase() === 'CAPABILITY')
    return { text: `* CAPABILITY IMAP4rev1 ${secure ? 'AUTH=PLAIN' : 'STARTTLS LOGINDISABLED'}\r\n${tag} OK done\r\n` };
  if (command.toUpperCase() === 'LOGOUT') return { text: `* BYE\r\n${tag} OK LOGOUT completed\r\n`, close: true };
  return { text: `${tag} BAD what?\r\n` };
}

function pop3(line: string, secure: boolean, b: StartTlsBehaviour): Reply {
  const verb = line.toUpperCase();
  if (verb === 'STLS' && !secure)
    return b.refuse
      ? { text: '-ERR STLS not available\r\n', close: true }
      : { text: '+OK Begin TLS\r\n', upgrade: true };
  if (verb === 'CAPA') return { text: `+OK\r\n${secure ? 'USER' : 'STLS'}\r\n.\r\n` };
  if (verb === 'QUIT') return { text: '+OK bye\r\n', close: true };
  return { text: '-ERR what?\r\n' };
}

const DIALECTS = { smtp, imap, pop3 };

/** An SMTP session that upgrades, then checks the server offers AUTH only over TLS. */
export const SMTP_STEPS = [
  { expect: '^220 ', send: 'EHLO probe.canary.test\r\n' },
  { expect: '^250 STARTTLS$', send: 'STARTTLS\r\n' },
  { expect: '^220 ', starttls: true },
  { send: 'EHLO probe.canary.test\r\n' },
  { expect: '^250 AUTH PLAIN$', send: 'QUIT\r\n' },
  { expect: '^221 ' },
];

export const IMAP_STEPS = [
  { expect: '^\\* OK .*STARTTLS', send: 'a1 STARTTLS\r\n' },
  { expect: '^a1 OK', starttls: true },
  { send: 'a2 CAPABILITY\r\n' },
  { expect: '^\\* CAPABILITY .*AUTH=PLAIN' },
  { expect: '^a2 OK', send: 'a3 LOGOUT\r\n' },
  { expect: '^a3 OK' },
];

export const POP3_STEPS = [
  { expect: '^\\+OK', send: 'STLS\r\n' },
  { expect: '^\\+OK', starttls: true },
  { send: 'CAPA\r\n' },
  { expect: '^USER$', send: 'QUIT\r\n' },
  { expect: '^\\+OK bye' },
];

/** Serves one connection: plain lines, then, on the client's request, TLS on the same socket. */
function converse(socket: Socket, b: StartTlsBehaviour, secure: boolean): void {
  socket.on('error', () => {});
  let buffer = '';
  const onData = (chunk: Buffer): void => {
    buffer += chunk.toString('utf8');
    let at: number;
    while ((at = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, at).trim();
      buffer = buffer.slice(at + 1);
      const reply = DIALECTS[b.dialect](line, secure, b);
      if (reply.close) return void socket.end(reply.text);
      if (!reply.upgrade) {
        socket.write(reply.text);
        continue;
      }
      socket.off('data', onData);
      if (b.hangUp) return void socket.end(reply.text);
      socket.write(reply.text + (b.inject ?? ''));
      const tls = new TLSSocket(socket, {
        isServer: true,
        secureContext: createSecureContext({ cert: b.cert, key: b.key }),
      });
      converse(tls, b, true);
      return;
    }
  };
  socket.on('data', onData);
}

/** A connection handler for `net.createServer` speaking `behaviour`. */
export function startTlsHandler(behaviour: StartTlsBehaviour): (socket: Socket) => void {
  return (socket) => {
    socket.write(GREETING[behaviour.dialect]);
    converse(socket, behaviour, false);
  };
}

/** Starts a STARTTLS server on 127.0.0.1 (a free port) or on a unix socket `path`. */
export async function startStartTlsServer(
  behaviour: StartTlsBehaviour,
  path?: string,
): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    startTlsHandler(behaviour)(socket);
  });
  await new Promise<void>((resolve) =>
    path === undefined ? server.listen(0, '127.0.0.1', resolve) : server.listen(path, resolve),
  );
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return { server, port, close };
}
