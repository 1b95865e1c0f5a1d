import { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { coverage, loadOpenApi, type CoverageOperation, type CoverageReport } from '../../discovery/openapi/index.js';
import { displayPath } from '../../errors.js';
import { EXIT, usageError } from '../exit.js';
import { CONFIG_FLAG, configPath, type Io } from '../io.js';

interface CoverageOptions {
  openapi: string;
  config?: string;
  baseUrl?: string;
  minRatio?: string;
  json?: boolean;
}

/** `canary coverage`: which operations of an OpenAPI spec the configured checks probe. */
export function coverageCommand(io: Io): Command {
  return new Command('coverage')
    .description("compare an OpenAPI spec's operations with the configured checks: covered, uncovered, ratio")
    .requiredOption('--openapi <spec>', 'OpenAPI 3.0/3.1 document, YAML or JSON')
    .option(...CONFIG_FLAG)
    .option('-b, --base-url <url>', "base URL of the API; its path is the base path (default: the spec's servers)")
    .option('--min-ratio <ratio>', 'exit 1 below this share of covered operations: 0.8 or 80%')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      [
        '',
        "An operation is covered when an enabled check uses its method and the check's URL path",
        'matches its path template under a server base path; hosts are not compared.',
        '',
        'Example:',
        '  canary coverage --openapi api/openapi.yaml --config config/agent.yaml --min-ratio 80%',
        '',
        'Exit: 0 done (or ratio reached), 1 below --min-ratio, 2 bad input.',
      ].join('\n'),
    )
    .action(async (options: CoverageOptions) => {
      const minRatio = options.minRatio === undefined ? undefined : parseRatio(options.minRatio);
      const spec = await loadOpenApi(options.openapi);
      const config = await loadConfig(configPath(io, options.config));
      const report = coverage(spec, config.checks, { baseUrl: options.baseUrl });
      const passed = minRatio === undefined || report.ratio >= minRatio;
      if (options.json) {
        io.out(
          JSON.stringify(
            {
              spec: displayPath(spec.file),
              title: spec.title,
              ...report,
              ...(minRatio === undefined ? {} : { minRatio }),
              passed,
            },
            null,
            2,
          ),
        );
      } else {
        io.out(formatReport(`${displayPath(spec.file)} (${spec.title})`, report, minRatio));
      }
      io.exitCode = passed ? EXIT.ok : EXIT.failed;
    });
}

/** `0.8`, `80%`; anything else, or outside 0..1, is a usage error. */
export function parseRatio(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(value >= 0 && value <= 1))
    throw usageError(`--min-ratio ${text}: must be a ratio from 0 to 1 (0.8) or a percentage (80%)`);
  return value;
}

function label(op: CoverageOperation): string {
  return `${op.method} ${op.path}${op.operationId ? ` (${op.operationId})` : ''}`;
}

function formatReport(title: string, report: CoverageReport, minRatio: number | undefined): string {
  const percent = (r: number) => `${(r * 100).toFixed(1)}%`;
  const lines = [`${title}: ${report.covered.length} of ${report.total} operations covered (${percent(report.ratio)})`];
  if (minRatio !== undefined)
    lines.push(`minimum ${percent(minRatio)}: ${report.ratio >= minRatio ? 'reached' : 'NOT reached'}`);
  for (const op of report.covered) lines.push(`  covered    ${label(op)} by ${op.checks.join(', ')}`);
  for (const op of report.uncovered) lines.push(`  uncovered  ${label(op)}`);
  return lines.join('\n');
}
