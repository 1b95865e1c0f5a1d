/** The agent's HTTP server: create it, add routes, start and stop it. */
export { AgentServer, createServer, type ServerAddress, type ServerOptions } from './server.js';
export type { Reply, RequestContext, RouteHandler, RouteMethod, RouteOptions } from './router.js';
export { textReply } from './routes.js';
export { parseListen, formatHostPort } from '../net/listen.js';
export { loadWebConfig, type WebConfig } from './web/load.js';
