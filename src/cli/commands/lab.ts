import { Command } from 'commander';
import { displayPath } from '../../errors.js';
import { DEMO_PORTS } from '../../lab/demo.js';
import { startLabFaultProxy, type FaultProxyAddresses, type LabFaultProxy } from '../../lab/fault-proxy.js';
import { startControlServer, type ControlServer } from '../../lab/process/control.js';
import { warmBackends } from '../../lab/warm.js';
import { LOOPBACK_HOSTS, labOptionsSchema } from '../../lab/process/options.js';
import { startLab, type RunningLab } from '../../lab/process/supervisor.js';
import { parseDuration } from '../../config/units.js';
import { createLogger, type LogFormat } from '../../log.js';
import { logFormat, logFormatOption } from '../log-format.js';
import { parseListen } from '../../net/listen.js';
import { EXIT, usageError } from '../exit.js';
import type { Io } from '../io.js';
import { onFatal, untilSignal } from '../lifecycle.js';

interface LabFlags {
  backends: string;
  basePort: string;
  dir: string;
  control: string;
  /** A HOST:PORT, false for --no-proxy, absent for the default. */
  proxy?: string | false;
  proxyApi?: string;
  warmupRequests: string;
  warmupDelay: string;
  originFill: string;
  missRatio: string;
  json?: boolean;
  logFormat?: LogFormat;
}

/** Shown in --help and used when a flag is absent; taken from the lab's schema, where defaults live. */
const DEFAULTS = labOptionsSchema.parse({ dir: 'var/lab' });

/** `canary lab`: the lab fleet as real processes, for chaos experiments, until SIGINT/SIGTERM. */
export function labCommand(io: Io): Command {
  return new Command('lab')
    .description(
      'start the lab fleet as real processes (a round-robin balancer + backends, each with a pid file), a fault proxy in front of the balancer, and a control API to kill and restart them',
    )
    .option('--backends <n>', 'number of backend processes', String(DEFAULTS.backends))
    .option(
      '--base-port <port>',
      'balancer port; backend i listens on base-port + i (0: free ports)',
      String(DEFAULTS.basePort),
    )
    .option('--dir <dir>', 'directory for pid files (DIR/pids/NAME.pid) and logs (DIR/NAME.log)', DEFAULTS.dir)
    .option('--control <host:port>', 'loopback address of the control API', '127.0.0.1:18179')
    .option(
      '--proxy <host:port>',
      `loopback address of the fault proxy in front of the balancer (default: 127.0.0.1:${DEMO_PORTS.proxiedFrontend}; with --base-port 0 a free port)`,
    )
    .option(
      '--proxy-api <host:port>',
      `loopback address of the fault proxy's API (default: 127.0.0.1:${DEMO_PORTS.proxyApi}; with --base-port 0 a free port)`,
    )
    .option('--no-proxy', 'no fault proxy: probe the balancer directly')
    .option(
      '--warmup-requests <n>',
      'requests each freshly started backend serves slowly (cold start); the lab serves them itself before it reports ready',
      String(DEFAULTS.warmup.requests),
    )
    .option(
      '--warmup-delay <duration>',
      'extra delay of the first request after start, shrinking linearly to 0',
      `${DEFAULTS.warmup.delayMs}ms`,
    )
    .option(
      '--origin-fill <duration>',
      'time the shared origin takes per cache fill, one fill at a time (0: no origin)',
      `${DEFAULTS.origin.fillMs}ms`,
    )
    .option(
      '--miss-ratio <ratio>',
      "share of a warm backend's requests that miss its cache (a cold one misses every request)",
      String(DEFAULTS.origin.missRatio),
    )
    .option('--json', 'print the endpoints as one JSON line')
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      '\nExample:\n  canary lab --backends 3 --dir var/lab\n' +
        "  curl -s -X POST 'http://127.0.0.1:18179/lab/backend-2/kill?signal=SIGKILL'\n" +
        '  curl -s -X POST http://127.0.0.1:18179/lab/backend-2/start\n\n' +
        'SIGINT/SIGTERM stops every lab process, then exits 0. An unexpected error is logged,\n' +
        'every lab process is stopped, and the exit is 1.',
    )
    .action((flags: LabFlags) => runLab(io, flags));
}

function loopbackAddress(flag: string, text: string, example: string): { host: string; port: number } {
  try {
    const { host, port } = parseListen(text);
    // Checked before any process starts: the control API would refuse it only afterwards.
    if (host !== undefined && (LOOPBACK_HOSTS as readonly string[]).includes(host)) return { host, port };
  } catch {
    // Reported below as a usage error, like every other bad flag.
  }
  throw usageError(`${flag} ${text}: must be a loopback HOST:PORT such as ${example}`);
}

/**
 * Where the fault proxy and its API listen: the flags, else the ports config/demo.yaml and
 * chaos/ name (free ones with --base-port 0, like the rest of the lab); none with --no-proxy.
 */
function proxyAddresses(flags: LabFlags): FaultProxyAddresses | undefined {
  if (flags.proxy === false) return undefined;
  const free = Number(flags.basePort) === 0;
  const fallback = (port: number) => `127.0.0.1:${free ? 0 : port}`;
  return {
    listen: loopbackAddress('--proxy', flags.proxy ?? fallback(DEMO_PORTS.proxiedFrontend), '127.0.0.1:18190'),
    api: loopbackAddress('--proxy-api', flags.proxyApi ?? fallback(DEMO_PORTS.proxyApi), '127.0.0.1:18474'),
  };
}

function describe(running: RunningLab, server: ControlServer, proxy: LabFaultProxy | undefined) {
  const processes = running.lab
    .list()
    .map(({ name, role, url, pid, pidFile, logFile }) => ({ name, role, url, pid, pidFile, logFile }));
  return {
    control: `${server.url}/lab`,
    dir: running.dir,
    pidDir: running.pidDir,
    origin: running.origin?.url ?? null,
    proxy: proxy ? { name: proxy.name, frontend: proxy.frontend, api: proxy.api } : null,
    processes,
  };
}

function banner(running: RunningLab, server: ControlServer, proxy: LabFaultProxy | undefined): string {
  const rows = running.lab.list().map((p) => `  ${p.name.padEnd(11)} ${`${p.url}/`.padEnd(26)} pid ${p.pid ?? '-'}`);
  return [
    `canary lab: ${running.backends.length} backend processes behind a round-robin balancer, on loopback.`,
    ...rows,
    `  frontend    ${proxy ? `${proxy.frontend}/   (the balancer through the fault proxy "${proxy.name}", API ${proxy.api})` : 'off (--no-proxy): probe the balancer'}`,
    `  control     ${server.url}/lab   (POST /lab/NAME/kill?signal=SIGKILL, POST /lab/NAME/start)`,
    `  origin      ${running.origin ? `${running.origin.url}/   (the backends' shared cache origin, one fill at a time)` : 'off'}`,
    `  pid files   ${displayPath(running.pidDir)}/`,
    `  logs        ${displayPath(running.dir)}/NAME.log`,
    `  try         curl -s -X POST '${server.url}/lab/${running.backends[0]?.name ?? 'backend-1'}/kill?signal=SIGKILL'`,
    'SIGINT/SIGTERM stops every lab process.',
    '',
  ].join('\n');
}

/** Starts the fleet and its control API, and keeps them until a stop signal. */
async function runLab(io: Io, flags: LabFlags): Promise<void> {
  const control = loopbackAddress('--control', flags.control, '127.0.0.1:18179');
  const proxyAt = proxyAddresses(flags);
  const delayMs = parseDuration(flags.warmupDelay);
  if (delayMs === undefined) throw usageError(`--warmup-delay ${flags.warmupDelay}: must be a duration such as 200ms`);
  const fillMs = parseDuration(flags.originFill);
  if (fillMs === undefined) throw usageError(`--origin-fill ${flags.originFill}: must be a duration such as 20ms`);
  const running = await startLab({
    dir: flags.dir,
    backends: Number(flags.backends),
    basePort: Number(flags.basePort),
    warmup: { requests: Number(flags.warmupRequests), delayMs },
    origin: { fillMs, missRatio: Number(flags.missRatio) },
  });
  // Whatever ends this process (a second signal, a crash), no lab process outlives it.
  const killAll = () => running.lab.killAllSync();
  process.once('exit', killAll);
  const logger = createLogger({ level: 'info', format: logFormat(flags.logFormat) });
  let server: ControlServer | undefined;
  let proxy: LabFaultProxy | undefined;
  // One stop for a signal and a bug alike; a bug then exits 1 (the process policy).
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await proxy?.close();
      await server?.close();
      await running.lab.stop();
    })());
  const offFatal = onFatal({ logger, stop });
  try {
    await warmBackends(running.backends, Number(flags.warmupRequests));
    server = await startControlServer(running.lab, control.host, control.port);
    if (proxyAt) proxy = await startLabFaultProxy(running.balancer.url, proxyAt);
    io.out(flags.json === true ? JSON.stringify(describe(running, server, proxy)) : banner(running, server, proxy));
    const signal = await untilSignal(logger);
    logger.info({ signal }, 'stop signal received: stopping every lab process');
  } finally {
    await stop();
    offFatal();
    process.off('exit', killAll);
  }
  io.exitCode = EXIT.ok;
}
