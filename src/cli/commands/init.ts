import { Command } from 'commander';
import { duration } from '../../config/schema/common.js';
import { describeSkipped } from '../../discovery/openapi/index.js';
import { displayPath } from '../../errors.js';
import { urlSecrets } from '../../secrets/positions.js';
import { registerSecret } from '../../secrets/registry.js';
import { writeStarterConfig, type InitResult } from '../../init/starter.js';
import { EXIT, usageError } from '../exit.js';
import { DEFAULT_CONFIG, type Io } from '../io.js';
import { withScheme } from './probe.js';

interface InitOptions {
  target?: string[];
  openapi?: string;
  baseUrl?: string;
  interval: string;
  out: string;
  force?: boolean;
  json?: boolean;
}

const INIT_HELP = [
  '',
  'Examples:',
  '  canary init --target https://api.example.com/health',
  '  canary init --target api.example.com/health --target https://www.example.com/ --interval 1m',
  '  canary init --openapi api/openapi.yaml --base-url https://api.example.com/v1 --out config/api.yaml',
  '  canary init --openapi https://api.example.com/openapi.json',
  '',
  'A target without a scheme is taken as http://, as `canary probe` does. A password or a',
  'secret query value in a target (?token=, ?api_key=, ...) is not written into the file: it',
  'becomes a ${VAR} reference, named in the output, to set in the environment of the agent.',
  '--openapi writes a check per GET/HEAD operation that can be probed safely, as',
  '`canary discover openapi` does; a document fetched by URL is read alone (no $refs into',
  'other documents) and its relative servers[0].url is read against its URL.',
  '',
  'Exit: 0 written, 2 bad input or the file exists (nothing written; --force overwrites).',
].join('\n');

/** Repeatable options collect into a list instead of the last one winning. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `canary init`: a starter agent config for one or a few URLs, or an OpenAPI document. */
export function initCommand(io: Io): Command {
  return new Command('init')
    .description('write a starter agent config with checks for your URLs or an OpenAPI document')
    .option('-t, --target <url>', 'an http(s) URL to check (repeatable)', collect)
    .option('--openapi <file|url>', 'an OpenAPI 3.0/3.1 document: a check per safe GET/HEAD operation')
    .option('-b, --base-url <url>', "with --openapi: base URL of the API (default: the spec's servers[0].url)")
    .option('-i, --interval <duration>', 'how often each check runs (probes.defaults.interval)', '30s')
    .option('-o, --out <file>', 'where to write the config', DEFAULT_CONFIG)
    .option('-f, --force', 'overwrite the file if it exists')
    .option('--json', 'print {path, checks, skipped, variables} as JSON')
    .addHelpText('after', INIT_HELP)
    .action(async (options: InitOptions) => {
      const targets = (options.target ?? []).map((t) => withScheme(t, 'http'));
      // Typed on a command line that may land in a CI log: never shown back.
      for (const text of [...(options.target ?? []), ...targets, options.openapi ?? '']) {
        for (const secret of urlSecrets(text)) registerSecret(secret);
      }
      (options.target ?? []).forEach((typed, i) => {
        if (targets[i] !== typed) io.err(`canary: no scheme in ${typed}: writing ${targets[i]}`);
      });
      if (targets.length === 0 && options.openapi === undefined)
        throw usageError('nothing to check: give --target URL (repeatable) or --openapi FILE|URL');
      if (options.baseUrl !== undefined && options.openapi === undefined)
        throw usageError('--base-url: applies to --openapi only');
      const interval = duration({ min: 100, minText: '100ms' }).safeParse(options.interval);
      if (!interval.success)
        throw usageError(`--interval ${options.interval}: ${interval.error.issues[0]?.message ?? 'invalid'}`);
      const result = await writeStarterConfig({
        targets,
        openapi: options.openapi,
        baseUrl: options.baseUrl,
        interval: options.interval,
        out: options.out,
        force: options.force === true,
      });
      if (options.json) io.out(JSON.stringify(result, null, 2));
      else io.out(summary(result));
      io.exitCode = EXIT.ok;
    });
}

/** A path as a shell word: quoted when it has characters a shell would split or expand. */
function shellWord(path: string): string {
  return /^[\w./:@%+=,-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

/** What a person reads: the file, its checks, what was left out, and the commands to run next. */
function summary(result: InitResult): string {
  const file = shellWord(displayPath(result.path));
  const width = Math.max(...result.checks.map((c) => c.name.length));
  const lines = [
    `wrote ${displayPath(result.path)}: ${result.checks.length} check${result.checks.length === 1 ? '' : 's'}`,
    // As written: a credential typed on the command line is a ${VAR} there already.
    ...result.checks.map((c) => `  ${c.name.padEnd(width)}  ${c.target}`),
    ...result.skipped.map((s) => `  skipped ${describeSkipped(s)}`),
  ];
  if (result.variables.length > 0) {
    lines.push('', 'The file reads these from the environment instead of the credentials you typed:');
    for (const v of result.variables) lines.push(`  ${v.name}  (${v.from})`);
  }
  lines.push('', 'Next:', `  npx canary validate --config ${file}`, `  npx canary run --config ${file}`);
  return lines.join('\n');
}
