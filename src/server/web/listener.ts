/**
 * The server behind the agent's routes: plain HTTP, or HTTPS as the web config says, with
 * client certificates checked by the policy names of Go's crypto/tls.
 */
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { ClientAuthType } from './schema.js';
import type { WebConfig } from './load.js';

export type AgentHttpServer = Server | HttpsServer;

/** An HTTPS server when `web` has TLS settings, else plain HTTP. */
export function createListener(handler: RequestListener, web: WebConfig | undefined): AgentHttpServer {
  const context = web?.secureContext;
  const tls = web?.settings.tls;
  if (!context || !tls) return createHttpServer(handler);
  const policy = tls.clientAuth;
  // Only the strictest policy fails the handshake itself; the others need a certificate
  // looked at once the handshake is done, which Node leaves to the server.
  const server = createHttpsServer(
    { ...context, requestCert: policy !== 'NoClientCert', rejectUnauthorized: policy === 'RequireAndVerifyClientCert' },
    handler,
  );
  if (policy === 'RequireAnyClientCert' || policy === 'VerifyClientCertIfGiven')
    server.on('secureConnection', (socket: TLSSocket) => {
      if (!clientCertificateAccepted(policy, socket)) socket.destroy();
    });
  return server;
}

export function isHttps(server: AgentHttpServer): server is HttpsServer {
  return server instanceof HttpsServer;
}

/** Whether the client's certificate (or its absence) passes `policy` after the handshake. */
function clientCertificateAccepted(policy: ClientAuthType, socket: TLSSocket): boolean {
  const given = Object.keys(socket.getPeerCertificate()).length > 0;
  if (policy === 'RequireAnyClientCert') return given;
  if (policy === 'VerifyClientCertIfGiven') return !given || socket.authorized;
  return true;
}
