/**
 * The `lab` target preset: the processes of a running `canary lab`, listed from its control
 * API when the experiment is loaded, killed and started again through that API. A lab that
 * is not running gives a target without instances (validation passes; a run refuses it and
 * says why), as a pid file glob matching nothing does.
 */
import { errorMessage } from '../../errors.js';
import type { Instance, Target, TargetDriver } from '../model/target.js';

/** How long loading waits for the lab's control API: it is on loopback. */
const LIST_TIMEOUT_MS = 2_000;
/** A start waits for the backend to listen; the lab bounds that itself. */
const CALL_TIMEOUT_MS = 30_000;

export interface LabTargetSpec {
  control: string;
  role: 'backend' | 'balancer';
}

interface ListedProcess {
  name: string;
  role: string;
  url: string;
  pidFile: string;
}

/** The driver: `{signal}` and `{instance}` are filled in per kill. */
export function labDriver(control: string): TargetDriver {
  const base = control.replace(/\/+$/, '');
  const request = (path: string, expectStatus: number[]) => ({
    method: 'POST',
    url: `${base}/lab/{instance}/${path}`,
    headers: {},
    expectStatus,
    timeoutMs: CALL_TIMEOUT_MS,
  });
  // 409 on start: the process already runs (started by hand or by an earlier revert), which is what a restore wants.
  return { kind: 'http', kill: request('kill?signal={signal}', [200]), restore: request('start', [200, 409]) };
}

/** Lists the lab's processes of the role; never throws. */
export async function resolveLabTarget(name: string, spec: LabTargetSpec): Promise<Target> {
  const driver = labDriver(spec.control);
  try {
    const response = await fetch(`${spec.control.replace(/\/+$/, '')}/lab`, {
      signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
    });
    if (!response.ok)
      return {
        name,
        instances: [],
        driver,
        unresolved: `the lab control API at ${spec.control} answered ${response.status}`,
      };
    const body = (await response.json()) as { processes?: ListedProcess[] };
    const instances = (body.processes ?? [])
      .filter((p) => p.role === spec.role)
      .map((p): Instance => ({ name: p.name, url: p.url, pidFile: p.pidFile, vars: { control: spec.control } }));
    return { name, instances, driver };
  } catch (error) {
    const why = errorMessage(error);
    return {
      name,
      instances: [],
      driver,
      unresolved: `the lab control API at ${spec.control} is not reachable (${why}); is \`canary lab\` running?`,
    };
  }
}
