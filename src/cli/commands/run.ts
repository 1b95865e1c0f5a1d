import { Command, Option } from 'commander';
import { Agent } from '../../agent.js';
import { followChaosRuns } from '../../chaos/in-progress.js';
import { loadConfig } from '../../config/load.js';
import { applyOverrides } from '../../config/overrides.js';
import type { Config } from '../../config/types.js';
import { formatProblem } from '../../errors.js';
import { createLogger, type LogFormat, type Logger } from '../../log.js';
import { BLACKBOX_FLAG, BLACKBOX_FLAG_HELP } from '../blackbox-flag.js';
import { logFormat, logFormatOption } from '../log-format.js';
import type { ServerAddress } from '../../server/index.js';
import { EXIT } from '../exit.js';
import { AGENT_NODE_FLAGS, startedWithAgentFlags } from '../node-flags.js';
import { CONFIG_FLAG, configPath, type Io } from '../io.js';
import { LOG_LEVELS, onFatal, onHangup, untilSignal, type PendingProbe } from '../lifecycle.js';

interface RunOptions {
  config?: string;
  blackboxConfig?: string;
  listen?: string;
  region?: string;
  'web.config.file'?: string;
  enableChaos?: boolean;
  logLevel?: (typeof LOG_LEVELS)[number];
  logFormat?: LogFormat;
}

/** `canary run`: the agent, until SIGINT or SIGTERM. */
export function runCommand(io: Io): Command {
  return new Command('run')
    .description('run the agent: probe every configured check on its schedule and serve /metrics')
    .option(...CONFIG_FLAG)
    .option(BLACKBOX_FLAG, BLACKBOX_FLAG_HELP)
    .option('-l, --listen <host:port>', 'address for /metrics, /healthz, /readyz (overrides server.listen)')
    .option('-r, --region <region>', 'region label on every metric (overrides agent.region)')
    .option(
      '--web.config.file <file>',
      'TLS and basic auth for the server, in the web config format of Prometheus exporters (overrides server.webConfig)',
    )
    .option('--enable-chaos', 'allow scheduled chaos experiments (also needs chaos.enabled: true)')
    .addOption(new Option('--log-level <level>', 'log level (overrides exporters.log.level)').choices(LOG_LEVELS))
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  canary run --config config/agent.yaml --listen 0.0.0.0:9464 --region eu-west-1\n' +
        '  canary run --blackbox-config /etc/blackbox_exporter/blackbox.yml   # its modules on /probe\n\n' +
        'Logs go to stdout: readable lines on a terminal, JSON lines otherwise (--log-format).\n' +
        'SIGINT/SIGTERM: stop scheduling, let in-flight probes finish, exit 0;\n' +
        'a chaos run in progress rolls back first (up to its 2 min budget, progress logged each second).\n' +
        'A second signal exits 1 at once.\n' +
        'SIGHUP, POST /-/reload (with server.token) or a change to a config file: reload the config;\n' +
        'an invalid one is logged and the running one kept. So is a change to the web config file\n' +
        '(--web.config.file or server.webConfig) or to the certificates it names.\n' +
        'Exit: 0 after a clean stop, 1 when the agent cannot run (port taken), 2 invalid config or flags.',
    )
    .action(async (options: RunOptions) => {
      const overrides = { listen: options.listen, region: options.region, webConfig: options['web.config.file'] };
      const loadOptions = { blackboxConfig: options.blackboxConfig };
      const file = configPath(io, options.config);
      const load = async () => applyOverrides(await loadConfig(file, loadOptions), overrides);
      const config = await load();
      const logger = createLogger({
        level: options.logLevel ?? config.exporters.log.level,
        format: logFormat(options.logFormat),
      });
      logWarnings(config, logger);
      io.exitCode = await runAgent(config, logger, { enableChaos: options.enableChaos === true, load });
    });
}

/** What the config loaded but does not honour as written: one warning line each. */
function logWarnings(config: Config, logger: Logger): void {
  for (const warning of config.warnings ?? []) logger.warn({ problem: formatProblem(warning) }, 'config warning');
}

/** Runs an agent until a stop signal; shared by `run` and `demo`. */
export async function runAgent(
  config: Config,
  logger: Logger,
  flags: { enableChaos: boolean; onStarted?: (address: ServerAddress) => void; load?: () => Promise<Config> },
): Promise<number> {
  if (flags.enableChaos && !config.chaos.enabled) {
    logger.warn('--enable-chaos given but chaos.enabled is false in the config: chaos stays off');
  }
  if (!startedWithAgentFlags()) {
    logger.info(
      { flags: AGENT_NODE_FLAGS.join(' ') },
      "node was started without the agent's V8 flags: it uses more memory and pauses longer for garbage collection (the canary bin, npm start and the shipped units pass them)",
    );
  }
  const agent = new Agent(config, { logger, enableChaos: flags.enableChaos, load: flags.load, watch: true });
  const pending = chaosRollbackPending(agent);
  // Listening before the start, so a SIGHUP during a slow start (chaos recovery, discovery)
  // does not end the process; it is kept and applied once the agent runs.
  let started = false;
  let pendingReload = false;
  // One stop for a signal and a fatal error alike: a fatal error during a signalled stop
  // waits for that stop (and its chaos rollback) instead of cutting it short.
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= agent.stop());
  // Before the agent runs there is nothing to stop; a chaos run cut then is recovered at the next start.
  const offFatal = onFatal({ logger, stop: () => (started ? stop() : Promise.resolve()), pending });
  const offHangup = onHangup(() => {
    logger.info({ signal: 'SIGHUP', started }, 'reload signal received');
    if (started) void agent.reload('SIGHUP');
    else pendingReload = true;
  });
  let address: ServerAddress;
  try {
    address = await agent.start();
  } catch (err) {
    offHangup();
    offFatal();
    throw err;
  }
  started = true;
  if (pendingReload) void agent.reload('SIGHUP');
  // Started unconditionally: `run` has no onStarted, `demo` prints a banner from it.
  flags.onStarted?.(address);
  const signal = await untilSignal(logger, pending);
  offHangup();
  logger.info({ signal }, 'stop signal received');
  await stop();
  offFatal();
  return EXIT.ok;
}

/** A stop waits for the rollback of the chaos run in progress, up to that rollback's budget. */
function chaosRollbackPending(agent: Agent): PendingProbe {
  const inProgress = followChaosRuns(agent.bus);
  return () => {
    const run = inProgress();
    if (!run) return undefined;
    return { what: `chaos rollback of ${run.experiment}`, budgetMs: run.rollbackBudgetMs, active: run.active };
  };
}
