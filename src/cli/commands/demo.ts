import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { applyOverrides } from '../../config/overrides.js';
import { startFleet, type LabFleet } from '../../lab/fleet.js';
import { createLogger } from '../../log.js';
import type { ServerAddress } from '../../server/index.js';
import { PACKAGE_ROOT } from '../../version.js';
import type { Io } from '../io.js';
import { runAgent } from './run.js';

interface DemoOptions {
  listen?: string;
}

/** `canary demo` (`npm start`): the lab fleet and an agent probing it, until Ctrl-C. */
export function demoCommand(io: Io): Command {
  return new Command('demo')
    .description('start a local lab fleet (balancer + 3 backends on loopback) and an agent probing it')
    .option('-l, --listen <host:port>', 'address for the agent’s /metrics (default from config/demo.yaml)')
    .addHelpText('after', '\nExample:\n  canary demo            # then open http://127.0.0.1:9464/metrics\n\nStop with Ctrl-C.')
    .action(async (options: DemoOptions) => {
      const config = applyOverrides(await loadConfig(resolve(PACKAGE_ROOT, 'config', 'demo.yaml')), { listen: options.listen });
      const fleet = await startFleet();
      try {
        const logger = createLogger({ level: config.exporters.log.level });
        const onStarted = (address: ServerAddress) => io.out(banner(fleet, `${address.url}metrics`));
        io.exitCode = await runAgent(config, logger, { enableChaos: false, onStarted });
      } finally {
        await fleet.close();
      }
    });
}

function banner(fleet: LabFleet, metrics: string): string {
  return [
    'canary demo: a lab fleet on loopback and an agent probing it every 2 s.',
    `  balancer   ${fleet.balancer.url}/   (round-robin over the backends)`,
    ...fleet.backends.map((b) => `  ${b.name.padEnd(10)} ${b.url}/health`),
    `  metrics    ${metrics}`,
    `  try        curl -s ${metrics} | grep -E '^probe_(success|duration_seconds)'`,
    'Agent log lines follow (JSON). Ctrl-C stops everything.',
    '',
  ].join('\n');
}
