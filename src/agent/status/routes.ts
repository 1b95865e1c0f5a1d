/**
 * The status API, `/api/v1/...`: read-only JSON for the status page and `canary status`.
 * Open like `/metrics` (no token): it shows what the metrics show, secrets redacted.
 * Within v1 it only ever grows (docs/api.md).
 */
import { errorMessage } from '../../errors.js';
import type { AgentServer } from '../../server/index.js';
import type { Reply, RequestContext } from '../../server/router.js';
import { redactText } from '../../secrets/redact.js';
import { chaosRun, chaosRuns } from './chaos-runs.js';
import { listChecks } from './list.js';
import { parseChecksQuery, QueryError } from './query.js';
import type { StatusSources } from './sources.js';
import { checkDetail } from './summary.js';
import { fleetSource } from './fleet.js';

const CHECKS = '/api/v1/checks';
const RUNS = '/api/v1/chaos/runs';
const FLEET = '/api/v1/fleet';

/** A JSON answer; a known secret value never leaves in one, whatever it quotes. */
export function apiReply(status: number, body: unknown): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: `${redactText(JSON.stringify(body))}\n`,
  };
}

/** The rest of the path after `prefix/`, decoded; undefined when it is not one segment or not decodable. */
function tail(path: string, prefix: string): string | undefined {
  const rest = path.slice(prefix.length + 1);
  if (rest === '' || rest.includes('/')) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}

function checkReply(sources: StatusSources, name: string | undefined): Reply {
  if (name === undefined) return apiReply(400, { error: 'the check name must be one URL-encoded path segment' });
  const check = sources.checks().find((c) => c.name === name);
  if (!check) return apiReply(404, { error: `no check named ${JSON.stringify(name)}` });
  return apiReply(200, checkDetail(check, sources, Date.now()));
}

async function runReply(sources: StatusSources, id: string | undefined): Promise<Reply> {
  if (id === undefined) return apiReply(400, { error: 'the run id must be one path segment' });
  const lookup = await chaosRun(sources.config().chaos.stateDir, id);
  if ('invalid' in lookup) return apiReply(400, { error: lookup.invalid });
  if ('missing' in lookup) return apiReply(404, { error: lookup.missing });
  return apiReply(200, lookup.found);
}

function listReply(sources: StatusSources, ctx: RequestContext): Reply {
  try {
    return apiReply(200, listChecks(parseChecksQuery(ctx.url.searchParams), sources));
  } catch (error) {
    if (error instanceof QueryError) return apiReply(400, { error: errorMessage(error) });
    throw error;
  }
}

/** Registers the status API on the agent's server. */
export function addStatusRoutes(server: AgentServer, sources: StatusSources): void {
  server.route('GET', CHECKS, (ctx) => listReply(sources, ctx), {
    description: 'status API: every check with its state, window figures and recent runs (JSON; docs/api.md)',
  });
  server.routePrefix('GET', `${CHECKS}/`, (ctx) => checkReply(sources, tail(ctx.url.pathname, CHECKS)), {
    description: 'status API: one check and its recent runs, /api/v1/checks/NAME (JSON)',
  });
  server.route(
    'GET',
    RUNS,
    async () => {
      const { chaos } = sources.config();
      return apiReply(200, await chaosRuns(chaos.stateDir, chaos.enabled && sources.chaosEnabled, sources));
    },
    { description: 'status API: chaos halt, the run in progress and recent runs (JSON)' },
  );
  server.routePrefix('GET', `${RUNS}/`, (ctx) => runReply(sources, tail(ctx.url.pathname, RUNS)), {
    description: 'status API: one chaos run journal with its waves, /api/v1/chaos/runs/ID (JSON)',
  });
  const fleet = fleetSource(() => sources.config().server.ui.prometheus);
  server.route('GET', FLEET, async () => apiReply(200, await fleet()), {
    description: 'status API: each check by region and its quorum verdict, from server.ui.prometheus (JSON)',
  });
}
