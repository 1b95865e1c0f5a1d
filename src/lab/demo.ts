/**
 * What `canary demo` runs around the agent: the lab as real processes (so chaos can kill
 * them), its control API, and a fault proxy in front of the balancer (so latency can be
 * injected on the frontend's path): the same topology as `canary lab`. Ports are fixed
 * because config/demo.yaml and the experiments in chaos/ name them.
 */
import { resolve } from 'node:path';
import { startLabFaultProxy, type LabFaultProxy } from './fault-proxy.js';
import { startControlServer, type ControlServer } from './process/control.js';
import { labOptionsSchema } from './process/options.js';
import { startLab, type RunningLab } from './process/supervisor.js';
import { warmBackends } from './warm.js';

export const DEMO_PORTS = { control: 18179, balancer: 18180, proxyApi: 18474, proxiedFrontend: 18190 } as const;

export interface DemoStack {
  lab: RunningLab;
  control: ControlServer;
  /** Base URL of the fault proxy's API. */
  proxyApi: string;
  /** The frontend through the fault proxy: what the demo's lab-frontend check probes. */
  frontend: string;
  close(): Promise<void>;
}

/** Starts the lab under `dir` (pid files, logs), its control API and the fault proxy. */
export async function startDemoStack(dir: string): Promise<DemoStack> {
  const lab = await startLab({ dir: resolve(dir), basePort: DEMO_PORTS.balancer });
  let control: ControlServer | undefined;
  let proxy: LabFaultProxy | undefined;
  const close = async () => {
    await proxy?.close();
    await control?.close();
    await lab.lab.stop();
  };
  try {
    await warmBackends(lab.backends, labOptionsSchema.parse({ dir }).warmup.requests);
    control = await startControlServer(lab.lab, '127.0.0.1', DEMO_PORTS.control);
    proxy = await startLabFaultProxy(lab.balancer.url, {
      listen: { host: '127.0.0.1', port: DEMO_PORTS.proxiedFrontend },
      api: { host: '127.0.0.1', port: DEMO_PORTS.proxyApi },
    });
    return { lab, control, proxyApi: proxy.api, frontend: proxy.frontend, close };
  } catch (err) {
    await close();
    throw err;
  }
}
