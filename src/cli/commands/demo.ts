import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { displayPath } from '../../errors.js';
import { applyOverrides } from '../../config/overrides.js';
import { startDemoStack, type DemoStack } from '../../lab/demo.js';
import { createLogger, type LogFormat } from '../../log.js';
import { logFormat, logFormatOption } from '../log-format.js';
import type { ServerAddress } from '../../server/index.js';
import { PACKAGE_ROOT } from '../../version.js';
import type { Io } from '../io.js';
import { runAgent } from './run.js';

interface DemoOptions {
  listen?: string;
  logFormat?: LogFormat;
}

/** `canary demo` (`npm start`): the lab, a fault proxy and an agent probing them, with a scheduled failback experiment, until Ctrl-C. */
export function demoCommand(io: Io): Command {
  return new Command('demo')
    .description(
      'start the lab fleet (balancer + 3 backend processes), a fault proxy and an agent probing them, with a scheduled staggered-failback experiment',
    )
    .option('-l, --listen <host:port>', 'address for the agent’s /metrics (default from config/demo.yaml)')
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      '\nExample:\n  canary demo            # then open http://127.0.0.1:9464/ (status page) or /metrics\n\nStop with Ctrl-C.',
    )
    .action(async (options: DemoOptions) => {
      const file = resolve(PACKAGE_ROOT, 'config', 'demo.yaml');
      io.err(`canary: config: ${displayPath(file)} (the demo's own)`);
      const config = applyOverrides(await loadConfig(file), {
        listen: options.listen,
      });
      const stack = await startDemoStack(resolve(PACKAGE_ROOT, 'var', 'lab'));
      // A second Ctrl-C or a crash must not leave lab processes behind.
      const killAll = () => stack.lab.lab.killAllSync();
      process.once('exit', killAll);
      try {
        const logger = createLogger({ level: config.exporters.log.level, format: logFormat(options.logFormat) });
        const onStarted = (address: ServerAddress) => io.out(banner(stack, address.url));
        io.exitCode = await runAgent(config, logger, { enableChaos: true, onStarted });
      } finally {
        await stack.close();
        process.off('exit', killAll);
      }
    });
}

function banner(stack: DemoStack, agentUrl: string): string {
  const { lab } = stack;
  const metrics = `${agentUrl}metrics`;
  return [
    'canary demo: the lab fleet on loopback, a fault proxy, and an agent probing them every 2 s.',
    `  balancer   ${lab.balancer.url}/   (round-robin over the backends, pid files in ${lab.pidDir})`,
    ...lab.backends.map((b) => `  ${b.name.padEnd(10)} ${b.url}/health`),
    `  frontend   ${stack.frontend}/   (through the fault proxy, API ${stack.proxyApi})`,
    `  lab API    ${stack.control.url}/lab`,
    `  page       ${agentUrl}   (the status page: every check, and chaos runs live)`,
    `  metrics    ${metrics}`,
    '  chaos      staggered-failback is scheduled: within a minute two backends are killed and brought back in waves',
    `  watch      curl -s ${metrics} | grep -E '^(probe_success|canary_chaos_runs_total)'`,
    'Agent log lines follow (readable on a terminal, JSON otherwise: --log-format). Ctrl-C stops everything.',
    '',
  ].join('\n');
}
