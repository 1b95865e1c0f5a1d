/** deploy/alertmanager/alertmanager.yml as a test runs it: its receivers aimed at a loopback webhook, timings short. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from './paths.js';

export const deployedAlertmanagerConfig = join(repoRoot, 'deploy', 'alertmanager', 'alertmanager.yml');

interface Route {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}
interface Receiver {
  webhook_configs?: { url: string }[];
}

/** The shipped config with every webhook sent to `webhook` and its waits in seconds, not minutes. */
export function testAlertmanagerConfig(webhook: string): string {
  const config = parse(readFileSync(deployedAlertmanagerConfig, 'utf8')) as { route: Route; receivers: Receiver[] };
  const shorten = (route: Route): void => {
    route.group_wait = '0s';
    route.group_interval = '1s';
    route.repeat_interval = '1h';
    for (const child of route.routes ?? []) shorten(child);
  };
  shorten(config.route);
  for (const receiver of config.receivers) for (const hook of receiver.webhook_configs ?? []) hook.url = webhook;
  return stringify(config);
}
