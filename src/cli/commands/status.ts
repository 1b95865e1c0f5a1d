import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { CHECK_STATES } from '../../agent/status/state.js';
import { CHECK_KINDS } from '../../config/schema/check.js';
import { errorMessage } from '../../errors.js';
import { EXIT, usageError } from '../exit.js';
import { DEFAULT_CONFIG, configPath, type Io } from '../io.js';
import { agentUrl, getApi, type ChaosAnswer, type ChecksAnswer } from '../status-client.js';
import { formatStatus, useColour } from '../status-format.js';

interface StatusOptions {
  url?: string;
  config?: string;
  watch?: boolean;
  json?: boolean;
  state: string[];
  kind: string[];
  label: string[];
  q?: string;
}

/** How often `--watch` redraws. */
const WATCH_EVERY_MS = 2_000;
/** Checks shown at most: the API's largest page. */
const LIMIT = 1_000;
/** Clears a terminal and puts the cursor home, for `--watch`. */
const CLEAR = '\x1b[2J\x1b[H';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The API query for the filter flags; a value the API would refuse is a usage error here, before any request. */
export function statusQuery(o: StatusOptions): string {
  const params = new URLSearchParams({ limit: String(LIMIT) });
  for (const s of o.state) {
    if (!(CHECK_STATES as readonly string[]).includes(s))
      throw usageError(`--state ${s}: must be one of ${CHECK_STATES.join(', ')}`);
    params.append('state', s);
  }
  for (const k of o.kind) {
    if (!(CHECK_KINDS as readonly string[]).includes(k))
      throw usageError(`--kind ${k}: must be one of ${CHECK_KINDS.join(', ')}`);
    params.append('kind', k);
  }
  for (const l of o.label) {
    if (l.indexOf('=') <= 0) throw usageError(`--label ${l}: must be KEY=VALUE`);
    params.append('label', l);
  }
  if (o.q !== undefined) params.set('q', o.q);
  return params.toString();
}

/** One view: the checks answer (and the chaos one unless --json). */
async function render(url: string, query: string, json: boolean | undefined): Promise<string> {
  const checks = await getApi<ChecksAnswer>(url, `/api/v1/checks?${query}`);
  if (json) return JSON.stringify(checks, null, 2);
  const chaos = await getApi<ChaosAnswer>(url, '/api/v1/chaos/runs');
  return formatStatus(url, checks, chaos, { colour: useColour(process.stdout.isTTY, process.env), now: Date.now() });
}

/** Redraws every 2 s until Ctrl-C; an agent gone away is reported on screen, and watching goes on. */
async function watch(io: Io, url: string, query: string, json: boolean | undefined): Promise<void> {
  let stopped = false;
  let wake: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    stopped = true;
    clearTimeout(timer);
    wake();
  };
  process.once('SIGINT', stop);
  try {
    while (!stopped) {
      const text = await render(url, query, json).catch((error: unknown) => `canary: ${errorMessage(error)}`);
      io.out(`${process.stdout.isTTY ? CLEAR : ''}${text}\n(every ${WATCH_EVERY_MS / 1000}s; Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, WATCH_EVERY_MS);
      });
    }
  } finally {
    process.off('SIGINT', stop);
  }
}

/** `canary status`: the checks and chaos state of a running agent, from its status API. */
export function statusCommand(io: Io): Command {
  return new Command('status')
    .description("a running agent's checks (state, success, p95, last run, reason) and chaos state")
    .option('--url <url>', "the agent's base URL (default: from --config's server.listen, else http://127.0.0.1:9464)")
    .option('-c, --config <file>', `agent config file whose server.listen names the agent (default: ${DEFAULT_CONFIG})`)
    .option('-w, --watch', `redraw every ${WATCH_EVERY_MS / 1000}s until Ctrl-C`)
    .option('--json', 'print the answer of GET /api/v1/checks')
    .addOption(new Option('--state <state>', 'only checks in this state (repeatable)').default([]).argParser(collect))
    .addOption(new Option('--kind <kind>', 'only checks of this kind (repeatable)').default([]).argParser(collect))
    .addOption(
      new Option('--label <key=value>', 'only checks with this label (repeatable)').default([]).argParser(collect),
    )
    .option('-q, --query <text>', 'only checks whose name contains this (any case)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  canary status',
        '  canary status --url http://10.0.0.5:9464 --state down --state flapping',
        '  canary status --watch --label team=sre',
        '',
        'Exit: 0 shown, 1 agent unreachable or failing, 2 bad flags.',
      ].join('\n'),
    )
    .action(async (options: Omit<StatusOptions, 'q'> & { query?: string }) => {
      const flags: StatusOptions = { ...options, ...(options.query !== undefined ? { q: options.query } : {}) };
      const query = statusQuery(flags);
      // The default file is read only when it is there (else the default URL): said only then.
      const readsDefault = flags.url === undefined && flags.config === undefined && existsSync(DEFAULT_CONFIG);
      const url = await agentUrl(readsDefault ? { config: configPath(io, undefined) } : flags, DEFAULT_CONFIG);
      if (flags.watch) await watch(io, url, query, flags.json);
      else io.out(await render(url, query, flags.json));
      io.exitCode = EXIT.ok;
    });
}
