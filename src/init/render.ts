/**
 * The starter agent config `canary init` writes: every block the agent reads, each with a
 * comment saying what it is for, the checks, and chaos switched off with how to turn it on.
 */
import { Document, isMap, isSeq } from 'yaml';
import type { InitCheck } from './targets.js';

/** What goes into the file beyond the checks. */
export interface StarterOptions {
  checks: readonly InitCheck[];
  /** A comment above each check (its OpenAPI operation, or its `--target`); same order as `checks`. */
  notes: readonly string[];
  /** `probes.defaults.interval` as typed, e.g. `30s`. */
  interval: string;
  /** `$schema` for editors, relative to the file; none when the schema is not found. */
  schema?: string;
  /** Where the checks came from, for the header. */
  sources: readonly string[];
  /** OpenAPI operations left out, each with why (`describeSkipped`). */
  skipped: readonly string[];
  /** `${VAR}`s the file reads in place of credentials typed on the command line. */
  variables: readonly string[];
}

/** `# text` lines. */
function comment(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n');
}

/** The `checks:` list: one check per entry, each preceded by its note, statuses in flow style. */
function checksBlock(checks: readonly InitCheck[], notes: readonly string[]): string {
  const doc = new Document({ checks });
  const list = isMap(doc.contents) ? doc.contents.get('checks', true) : undefined;
  if (isSeq(list)) {
    list.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const note = notes[i];
      if (note) item.commentBefore = ` ${note}`;
      item.spaceBefore = i > 0;
      const status = item.getIn(['expect', 'status'], true);
      if (isSeq(status)) status.flow = true;
    });
  }
  return doc.toString({ lineWidth: 0 }).trimEnd();
}

function header(options: StarterOptions): string[] {
  const lines = [
    ...(options.schema === undefined ? [] : [`yaml-language-server: $schema=${options.schema}`]),
    `canary agent configuration, written by \`canary init\` from ${options.sources.join(', ')}.`,
    'Relative paths are relative to this file. `${VAR}` reads the environment (an error when',
    'unset); `${VAR:-default}` may be unset. `canary validate --config FILE` checks the file.',
  ];
  if (options.skipped.length > 0)
    lines.push('Operations not probed (unsafe, or no documented value for a required parameter):');
  lines.push(...options.skipped.map((s) => `  ${s}`));
  if (options.variables.length > 0)
    lines.push(
      'Credentials typed on the command line are not written here: set these in the environment',
      `of the agent (and of \`canary validate\`): ${options.variables.join(', ')}.`,
    );
  return lines;
}

/** The whole file, ending in a newline. */
export function renderStarterConfig(options: StarterOptions): string {
  const blocks = [
    comment(header(options)),
    comment([
      'Who this agent is: the region is a label on every metric, span and log line, so the',
      'same check probed from several places stays apart.',
    ]),
    'agent:\n  region: ${CANARY_REGION:-local}',
    comment([
      'Where /metrics (Prometheus), /healthz, /readyz and the status page (/) answer.',
      'Loopback only; 0.0.0.0:9464 lets a Prometheus on another machine scrape it.',
    ]),
    'server:\n  listen: 127.0.0.1:9464',
    comment([
      'How checks run: at most `concurrency` probes at once; a check without an interval or',
      'timeout of its own uses these. More probe files: probes.files (globs, relative here).',
    ]),
    `probes:\n  concurrency: 64\n  defaults:\n    interval: ${options.interval}\n    timeout: 10s`,
    comment([
      'What to probe: each check is one request, made every interval; the result is',
      'probe_success{check="NAME"} on /metrics. `expect` says what passes (status, headers,',
      'body, JSON, latency); other kinds (tcp, tls, dns, grpc, icmp, flows): docs/probes.md.',
    ]),
    checksBlock(options.checks, options.notes),
    comment([
      'Chaos experiments (kill, signal or slow down your own services) are off. To turn them',
      'on: list experiment files in `files`, set `enabled: true`, and start the agent with',
      '`canary run --enable-chaos`; `stateDir` keeps their journal (docs/chaos.md).',
    ]),
    'chaos:\n  enabled: false\n  files: []',
    comment([
      'Where results go: Prometheus metrics on /metrics, and logs of state changes on stdout.',
      'OTLP traces are off; exporters.otlp.endpoint turns them on (docs/tracing.md).',
    ]),
    'exporters:\n  prometheus:\n    enabled: true\n  log:\n    level: info',
  ];
  // A comment block and the key it describes stay together; a blank line between blocks.
  const parts: string[] = [blocks[0] ?? ''];
  for (let i = 1; i < blocks.length; i += 2) parts.push(`${blocks[i]}\n${blocks[i + 1]}`);
  return `${parts.join('\n\n')}\n`;
}
