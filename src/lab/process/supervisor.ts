/**
 * The process lab: a round-robin balancer and N backends, each a real, detached process
 * with a pid file, so chaos experiments can kill and restart them like real services
 * (`canary lab`, and `canary demo` around the agent).
 *
 * Layout under `dir`: `pids/<name>.pid` (written by each process once it listens) and
 * `<name>.log` (its stdout and stderr, appended across restarts).
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CanaryError, ERROR_CODES } from '../../errors.js';
import { formatHostPort } from '../../net/listen.js';
import { ManagedProcess, type ProcessSpec } from './child.js';
import { PORT_TAKEN_EXIT } from './exit.js';
import { ProcessLab } from './lab.js';
import { labOptionsSchema, type LabOptions, type ResolvedLabOptions } from './options.js';
import { readPidSync, runsScript } from './pidfile.js';

import { startOrigin, type Origin } from './origin.js';
export { ProcessLab, type LabKillResult, type LabProcessStatus } from './lab.js';
export type { LabOptions } from './options.js';

const BACKEND_SCRIPT = fileURLToPath(new URL('./backend-main.js', import.meta.url));
const BALANCER_SCRIPT = fileURLToPath(new URL('./balancer-main.js', import.meta.url));

/** A process's name and where it answers. */
export interface LabEndpoint {
  name: string;
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:18181`. */
  url: string;
}

/** A started lab: where everything is, and the handle that drives it. */
export interface RunningLab {
  /** Absolute directory of logs and pid files. */
  dir: string;
  /** Absolute directory of the pid files (`dir/pids`). */
  pidDir: string;
  balancer: LabEndpoint;
  backends: LabEndpoint[];
  /** list, kill, start and stop by process name. */
  lab: ProcessLab;
  /** The shared origin behind the backends (closed by `lab.stop()`). */
  origin?: Origin;
}

/**
 * Starts the backends, waits for each pid file, then starts the balancer in front of
 * them. On any failure, stops what started and throws. Refuses to start when a process
 * of an earlier lab still runs from the same pid files.
 *
 * @example
 * const { balancer, lab } = await startLab({ dir: 'var/lab', backends: 3, basePort: 0 });
 * await lab.kill('backend-2', 'SIGKILL');
 * await lab.start('backend-2');
 * await lab.stop();
 */
export async function startLab(options: LabOptions): Promise<RunningLab> {
  const parsed = labOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const text = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new CanaryError(ERROR_CODES.usage, `invalid lab options: ${text}`);
  }
  const o = parsed.data;
  const dir = resolve(o.dir);
  const pidDir = join(dir, 'pids');
  mkdirSync(pidDir, { recursive: true });
  // A free port is free only when chosen: another process may bind it before the child
  // does. Fixed ports are the user's to fix; free ones are chosen again.
  const attempts = o.basePort === 0 ? FREE_PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(o, dir, pidDir);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt >= attempts) throw err instanceof PortTaken ? err.cause : err;
    }
  }
}

/** Tries of free-port choice before a lab start gives up. */
const FREE_PORT_ATTEMPTS = 3;

/** A child found its port taken; carries the error to report if no try is left. */
class PortTaken extends Error {
  constructor(override readonly cause: unknown) {
    super('lab port taken');
  }
}

async function startOnce(o: ResolvedLabOptions, dir: string, pidDir: string): Promise<RunningLab> {
  const ports = await choosePorts(o);
  const origin = o.origin.fillMs > 0 ? await startOrigin(o.host, o.origin.fillMs) : undefined;
  const specs = buildSpecs(o, dir, pidDir, ports, origin?.url);
  try {
    refuseLeftovers(specs);
  } catch (err) {
    await origin?.close();
    throw err;
  }
  const processes = specs.map((spec) => new ManagedProcess(spec));
  const lab = new ProcessLab(processes, o.startTimeoutMs, origin ? [origin] : []);
  const backendNames = specs.filter((s) => s.role === 'backend').map((s) => s.name);
  try {
    await lab.startAll(backendNames);
    await lab.startAll(['balancer']);
  } catch (err) {
    await lab.stop();
    throw processes.some((p) => p.exitCode === PORT_TAKEN_EXIT) ? new PortTaken(err) : err;
  }
  const endpoint = (s: ProcessSpec): LabEndpoint => ({ name: s.name, url: s.url });
  const [balancer, ...backends] = specs.map(endpoint);
  return { dir, pidDir, balancer: balancer as LabEndpoint, backends, lab, ...(origin ? { origin } : {}) };
}

/** Balancer first, then backend-1..N; ports are basePort, basePort+1, ... */
function buildSpecs(
  o: ResolvedLabOptions,
  dir: string,
  pidDir: string,
  ports: readonly number[],
  originUrl: string | undefined,
): ProcessSpec[] {
  const url = (port: number) => `http://${formatHostPort(o.host, port)}`;
  // Children end with this process (--parent-pid), even when it is killed with SIGKILL.
  const common = (name: string, port: number, pidFile: string) => [
    ...['--name', name, '--host', o.host, '--port', String(port), '--pid-file', pidFile],
    ...['--parent-pid', String(process.pid)],
  ];
  const backends = Array.from({ length: o.backends }, (_, i): ProcessSpec => {
    const name = `backend-${i + 1}`;
    const port = ports[i + 1] as number;
    const pidFile = join(pidDir, `${name}.pid`);
    const argv = [BACKEND_SCRIPT, ...common(name, port, pidFile)];
    argv.push('--warmup-requests', String(o.warmup.requests), '--warmup-delay-ms', String(o.warmup.delayMs));
    if (originUrl !== undefined) argv.push('--origin', originUrl, '--miss-ratio', String(o.origin.missRatio));
    return { name, role: 'backend', url: url(port), argv, pidFile, logFile: join(dir, `${name}.log`) };
  });
  const port = ports[0] as number;
  const pidFile = join(pidDir, 'balancer.pid');
  const argv = [BALANCER_SCRIPT, ...common('balancer', port, pidFile)];
  argv.push('--backends', backends.map((b) => b.url).join(','), '--probe-interval-ms', String(o.probeIntervalMs));
  const balancer: ProcessSpec = {
    name: 'balancer',
    role: 'balancer',
    url: url(port),
    argv,
    pidFile,
    logFile: join(dir, 'balancer.log'),
  };
  return [balancer, ...backends];
}

/**
 * Fixed ports from basePort, or free ones. Free ports are chosen here rather than by
 * each process because a restart must reuse the same port and the balancer must know
 * every backend's URL before they start.
 */
async function choosePorts(o: ResolvedLabOptions): Promise<number[]> {
  const count = o.backends + 1;
  if (o.basePort !== 0) return Array.from({ length: count }, (_, i) => o.basePort + i);
  // All held open together, so no two are the same.
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = createServer();
      return new Promise<typeof server>((done, fail) =>
        server.once('error', fail).listen(0, o.host, () => done(server)),
      );
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}

function refuseLeftovers(specs: readonly ProcessSpec[]): void {
  const left = specs.flatMap((spec) => {
    const pid = readPidSync(spec.pidFile);
    return pid !== undefined && runsScript(pid, spec.argv[0] as string) ? [{ name: spec.name, pid }] : [];
  });
  if (left.length === 0) return;
  const named = left.map(({ name, pid }) => `${name} (pid ${pid})`).join(', ');
  throw new CanaryError(
    ERROR_CODES.busy,
    `lab processes of an earlier lab still run: ${named}; stop them first: kill ${left.map((l) => l.pid).join(' ')}`,
  );
}
