/**
 * The fault proxy in front of the lab's balancer, as `canary lab` and `canary demo` both run
 * it: one proxy, "lab-frontend", and its Toxiproxy-compatible API, so config/demo.yaml's
 * lab-frontend check and chaos/latency-injection.yaml find the same topology under either.
 */
import type { Server } from 'node:http';
import { formatHostPort, listenError, listenOn } from '../net/listen.js';
import { createProxyApi } from '../proxy/api.js';
import { ProxyApiError } from '../proxy/api-error.js';
import { ProxyRegistry } from '../proxy/registry.js';

/** The name of the one proxy: the experiments' `proxy:` and the check's name. */
export const LAB_PROXY_NAME = 'lab-frontend';

/** Where the proxy and its API listen (port 0: a free one). */
export interface FaultProxyAddresses {
  listen: { host: string; port: number };
  api: { host: string; port: number };
}

export interface LabFaultProxy {
  name: string;
  /** The balancer through the proxy: `http://HOST:PORT`. */
  frontend: string;
  /** Base URL of the proxy's API. */
  api: string;
  close(): Promise<void>;
}

/** Starts the proxy in front of `balancerUrl` and its API; a port taken is a `CANARY_ERR_LISTEN`. */
export async function startLabFaultProxy(balancerUrl: string, at: FaultProxyAddresses): Promise<LabFaultProxy> {
  const registry = new ProxyRegistry({});
  let api: Server | undefined;
  const close = async () => {
    if (api?.listening) await new Promise<void>((done) => api?.close(() => done()));
    await registry.close();
  };
  const listen = formatHostPort(at.listen.host, at.listen.port);
  try {
    const upstream = balancerUrl.replace(/^http:\/\//, '').replace(/\/$/, '');
    const proxy = await registry.create({ name: LAB_PROXY_NAME, listen, upstream }).catch((err: unknown) => {
      throw err instanceof ProxyApiError ? listenError(listen, errnoOf(err)) : err;
    });
    api = createProxyApi(registry);
    const apiUrl = await listenOn(api, at.api.host, at.api.port).catch((err: unknown) => {
      throw listenError(formatHostPort(at.api.host, at.api.port), err);
    });
    return { name: LAB_PROXY_NAME, frontend: `http://${proxy.listen}`, api: apiUrl, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The registry speaks HTTP statuses (it serves the API): the errno code is only in its message. */
function errnoOf(err: ProxyApiError): Error {
  const code = /\b(E[A-Z]+)\b/.exec(err.message)?.[1];
  return Object.assign(new Error(err.message), code ? { code } : {});
}
