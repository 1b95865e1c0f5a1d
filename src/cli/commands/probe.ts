import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { CHECK_KINDS, checkSchema } from '../../config/schema/check.js';
import { resolveRetries } from '../../config/resolve.js';
import { agentConfigSchema } from '../../config/schema/agent.js';
import type { ResolvedCheck } from '../../config/types.js';
import { createProbeRegistry } from '../../probes/registry.js';
import { executeCheck } from '../../run/execute.js';
import { urlSecrets } from '../../secrets/positions.js';
import { registerSecret } from '../../secrets/registry.js';
import { EXIT, usageError } from '../exit.js';
import type { Io } from '../io.js';
import { formatResult } from '../format-result.js';

interface ProbeOptions {
  kind: string;
  expectStatus?: string[];
  timeout?: string;
  method?: string;
  header?: string[];
  body?: string;
  insecure?: boolean;
  ca?: string;
  serverName?: string;
  ipFamily?: string;
  followRedirects: boolean;
  json?: boolean;
}

/** Which flag wrote which key, so a schema message names the flag the user typed. */
const FLAG_FOR: Record<string, string> = {
  target: 'TARGET',
  timeout: '--timeout',
  'expect.status': '--expect-status',
  'http.method': '--method',
  'http.headers': '--header',
  'http.ipFamily': '--ip-family',
};

const PROBE_HELP = [
  '',
  'Examples:',
  '  canary probe https://example.com/ --expect-status 200 --timeout 5s',
  '  canary probe http://127.0.0.1:8080/health --json',
  '  canary probe example.com:443 --kind tls',
  '  canary probe 127.0.0.1:50051 --kind grpc',
  '',
  'TARGET: a URL (http; ws:// or wss:// for websocket; browser, loaded in headless Chromium), HOST:PORT',
  '(tcp, tls, grpc), a domain name (dns), a host or IP (icmp). For tcp and grpc, --ca, --server-name or',
  '--insecure also switch TLS on.',
  '',
  'Exit: 0 the probe passed, 1 it failed, 2 bad input.',
].join('\n');

/** `canary probe TARGET`: one probe now, with the same code the agent runs. */
export function probeCommand(io: Io): Command {
  return (
    new Command('probe')
      .description('probe a target once, now, and print the result')
      .argument('<target>', 'what to probe, e.g. https://api.example.com/health or db.example.com:5432')
      // A flow is a list of steps: it only runs from a config file.
      .addOption(
        new Option('-k, --kind <kind>', 'probe kind (flows run from a config file only)')
          .choices(CHECK_KINDS.filter((k) => k !== 'flow'))
          .default('http'),
      )
      .option(
        '-s, --expect-status <codes>',
        'accepted statuses, comma-separated or repeated: 200, 2xx, 200-299 (default 2xx)',
        collect,
      )
      .option('-t, --timeout <duration>', 'attempt timeout, e.g. 5s (default probes.defaults.timeout)')
      .option('-X, --method <method>', 'HTTP method')
      .option('-H, --header <name:value>', 'request header (repeatable)', collect)
      .option('-d, --body <text>', 'request body')
      .option('--ca <file>', 'PEM file of CA certificates to trust')
      .option('--server-name <name>', 'TLS server name (SNI) when it differs from the URL host')
      .option('--insecure', 'do not verify the TLS certificate (facts are still reported)')
      .addOption(new Option('--ip-family <family>', 'preferred address family').choices(['auto', 'ipv4', 'ipv6']))
      .option('--no-follow-redirects', 'report the first response instead of following redirects')
      .option('--json', 'print the full result as JSON')
      .addHelpText('after', PROBE_HELP)
      .action(async (target: string, options: ProbeOptions) => {
        // The output often lands in a CI log: the target's password and secret query values
        // are secrets, as they are in a config file's URL, and the output sinks redact them.
        const full = withScheme(target, options.kind);
        for (const part of [...urlSecrets(target), ...urlSecrets(full)]) registerSecret(part);
        if (full !== target) io.err(`canary: no scheme in ${target}: probing ${full}`);
        const check = buildCheck(full, options);
        const probes = createProbeRegistry();
        try {
          const result = await executeCheck(
            check,
            probes.get(check.kind),
            { signal: AbortSignal.timeout(check.timeoutMs) },
            { region: 'cli' },
          );
          io.out(options.json ? JSON.stringify(result, null, 2) : formatResult(result, check));
          io.exitCode = result.ok ? EXIT.ok : EXIT.failed;
        } finally {
          await probes.close();
        }
      })
  );
}

/** Flags that only an HTTP check has, by the option key commander gives them. */
const HTTP_ONLY: [keyof ProbeOptions, string][] = [
  ['expectStatus', '--expect-status'],
  ['method', '--method'],
  ['header', '--header'],
  ['body', '--body'],
  ['ipFamily', '--ip-family'],
];

/** The kind-specific keys of the check: HTTP's request and statuses, or the TLS switch of tcp and grpc. */
function kindInput(options: ProbeOptions, tls: Record<string, unknown>): Record<string, unknown> {
  if (options.kind === 'http') {
    return {
      http: {
        method: options.method?.toUpperCase(),
        headers: parseHeaders(options.header ?? []),
        body: options.body,
        ipFamily: options.ipFamily,
        followRedirects: options.followRedirects,
      },
      tls,
      expect: {
        status: options.expectStatus?.flatMap((s) => s.split(',')).map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
      },
    };
  }
  if (options.kind === 'icmp') return icmpInput(options, tls);
  const used =
    HTTP_ONLY.find(([key]) => options[key] !== undefined) ??
    (options.followRedirects ? undefined : ['followRedirects', '--no-follow-redirects']);
  if (used !== undefined) throw usageError(`${used[1]}: applies to --kind http only`);
  if (options.kind === 'dns') return {};
  // For tcp and grpc a TLS flag also switches TLS on: there is no URL scheme to say so.
  const wantsTls = Object.values(tls).some((v) => v !== undefined);
  if (options.kind === 'browser') {
    if (wantsTls) throw usageError('--ca, --server-name, --insecure: do not apply to --kind browser');
    return {};
  }
  if (options.kind === 'tcp') return { tcp: { tls: wantsTls }, tls };
  if (options.kind === 'grpc') return { grpc: { tls: wantsTls }, tls };
  return { tls };
}

/** icmp takes the address family and nothing of HTTP or TLS. */
function icmpInput(options: ProbeOptions, tls: Record<string, unknown>): Record<string, unknown> {
  const used =
    HTTP_ONLY.find(([key]) => key !== 'ipFamily' && options[key] !== undefined) ??
    (options.followRedirects ? undefined : ['followRedirects', '--no-follow-redirects']) ??
    (Object.values(tls).some((v) => v !== undefined) ? ['tls', '--ca, --server-name or --insecure'] : undefined);
  if (used !== undefined) throw usageError(`${used[1]}: does not apply to --kind icmp`);
  return { icmp: { ipFamily: options.ipFamily } };
}

/** An http target written without a scheme (`127.0.0.1:8080`) is taken as http://, as blackbox does. */
export function withScheme(target: string, kind: string): string {
  if ((kind !== 'http' && kind !== 'browser') || /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
  return `http://${target}`;
}

function buildCheck(target: string, options: ProbeOptions): ResolvedCheck {
  const tls = { ca: options.ca && resolve(options.ca), serverName: options.serverName, insecure: options.insecure };
  const input = { name: 'cli', kind: options.kind, target, timeout: options.timeout, ...kindInput(options, tls) };
  const parsed = checkSchema.safeParse(JSON.parse(JSON.stringify(input)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.filter((p) => typeof p === 'string').join('.') ?? '';
    const flag = Object.entries(FLAG_FOR).find(([k]) => key.startsWith(k))?.[1] ?? key;
    throw usageError(`${flag}: ${issue?.message ?? 'invalid'}`);
  }
  const { interval: _i, schedule: _s, timeout, ...check } = parsed.data;
  const defaults = agentConfigSchema.parse({}).probes.defaults;
  return {
    ...check,
    // One probe now is one attempt (executeCheck), so the schema's default of no retries fits.
    retries: resolveRetries(undefined, defaults.retries),
    schedule: { kind: 'interval', everyMs: defaults.interval },
    timeoutMs: timeout ?? defaults.timeout,
    source: { file: 'command line', line: 0, col: 0 },
  };
}

/** Repeatable options collect into a list instead of the last one winning. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseHeaders(pairs: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw usageError(`--header ${pair}: must be NAME:VALUE`);
    headers[pair.slice(0, colon).trim().toLowerCase()] = pair.slice(colon + 1).trim();
  }
  return headers;
}
