/**
 * The agent's own routes beside the built-in ones (/metrics, /healthz, /readyz): one probe
 * on demand (`GET /probe`), the status page (`GET /`, assets under `/ui/`) and, only with `server.token`, the control API (`POST
 * /-/reload`, and the chaos routes ChaosHost registers).
 */
import type { Config } from '../config/types.js';
import type { Logger } from '../log.js';
import { compileAllow } from '../net/address-policy.js';
import type { ProbeRegistry } from '../probes/registry.js';
import { guarded, json } from '../server/control.js';
import type { AgentServer } from '../server/index.js';
import { addStatusPage } from '../server/ui/index.js';
import { probeHandler, probeRequestCounter } from '../server/probe/handler.js';
import { selfEndpoint } from '../server/probe/target-policy.js';
import type { ReloadOutcome } from './reload.js';

/** What the routes call into; the agent hands its own parts. */
export interface AgentRouteDeps {
  config: Config;
  logger: Logger;
  /** The probes of the agent's thread: `/probe` runs there, even with probe workers. */
  probes: ProbeRegistry;
  /** The agent's metrics registry, for `canary_probe_requests_total`; absent when Prometheus is off. */
  registry: Parameters<typeof probeRequestCounter>[0] | undefined;
  reload: () => Promise<ReloadOutcome>;
  /** Adds the token-guarded chaos routes. */
  chaosRoutes: (server: AgentServer, token: string) => void;
}

/** Adds the routes to `server`; the control API only when a token is set. */
export function addAgentRoutes(server: AgentServer, deps: AgentRouteDeps): void {
  const token = deps.config.server.token;
  if (token) {
    deps.chaosRoutes(server, token);
    reloadRoute(server, token, deps.reload);
  }
  probeRoute(server, deps);
  addStatusPage(server);
}

/** `POST /-/reload`, as Prometheus has it: 200 with what changed, 400 with every problem. */
function reloadRoute(server: AgentServer, token: string, reload: () => Promise<ReloadOutcome>): void {
  server.route(
    'POST',
    '/-/reload',
    guarded(token, async () => {
      const outcome = await reload();
      return json(outcome.status === 'success' ? 200 : outcome.error === 'the agent is stopping' ? 503 : 400, outcome);
    }),
    { description: 'reload the config files; unchanged checks keep their schedule (bearer token)' },
  );
}

/** `GET /probe`: blackbox_exporter's endpoint, answering from the configured modules. */
function probeRoute(server: AgentServer, deps: AgentRouteDeps): void {
  const { modules, agent } = deps.config;
  const count = deps.registry ? probeRequestCounter(deps.registry, Object.keys(modules)) : undefined;
  const { allow, maxInFlight } = deps.config.server.probe;
  const compiled = compileAllow(allow);
  const probe = probeHandler({
    modules,
    refusals: deps.config.moduleRefusals ?? {},
    probes: deps.probes,
    region: agent.region,
    logger: deps.logger,
    count,
    maxInFlight,
    policy: () => ({ allow: compiled, self: selfEndpoint(server.address) }),
  });
  server.route('GET', '/probe', probe, {
    description: 'one probe now, blackbox_exporter style: ?module=NAME&target=TARGET (&debug=true explains it)',
  });
}
