import { startBackend, type LabBackend } from './backend.js';
import { startBalancer, type LabBalancer } from './balancer.js';

/** Where the lab listens. The demo config probes these ports. */
export interface FleetOptions {
  /** Loopback address to bind. @defaultValue `127.0.0.1` */
  host?: string;
  /** Balancer port; backends take the next ports. 0 picks free ports (tests). @defaultValue 18080 */
  basePort?: number;
  /** Number of backends. @defaultValue 3 */
  backends?: number;
}

export interface LabFleet {
  balancer: LabBalancer;
  backends: LabBackend[];
  close(): Promise<void>;
}

/** Starts backends first, then the balancer in front of them; on failure closes what started. */
export async function startFleet(options: FleetOptions = {}): Promise<LabFleet> {
  const host = options.host ?? '127.0.0.1';
  const basePort = options.basePort ?? 18080;
  const count = options.backends ?? 3;
  const backends: LabBackend[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      backends.push(await startBackend(`backend-${i}`, host, basePort === 0 ? 0 : basePort + i));
    }
    const balancer = await startBalancer(host, basePort, backends.map((b) => b.url));
    return {
      balancer,
      backends,
      close: async () => {
        await balancer.close();
        await Promise.all(backends.map((b) => b.close()));
      },
    };
  } catch (err) {
    await Promise.all(backends.map((b) => b.close()));
    throw err;
  }
}
