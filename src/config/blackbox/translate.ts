/**
 * blackbox_exporter's configuration file, translated into canary probe modules. A pure
 * function of the parsed file: every refusal blackbox would make is a problem, every field
 * canary treats differently a warning, and each canary field remembers the blackbox field
 * it came from so later checks can point back at FILE:LINE:COL.
 */
import type { Problem } from '../../errors.js';
import type { YamlSource } from '../yaml.js';
import { Draft, type TranslatedModule } from './draft.js';
import { HTTP_FIELDS, translateHttp } from './http.js';
import { DNS_FIELDS, translateDns } from './dns.js';
import { GRPC_FIELDS, ICMP_FIELDS, translateGrpc, translateIcmp } from './others.js';
import { Fields, Report, type FieldType } from './reader.js';
import {
  TCP_FIELDS,
  translateTcp,
  translateUnix,
  translateWebsocket,
  UNIX_FIELDS,
  WEBSOCKET_FIELDS,
} from './sockets.js';
import { parseGoDuration } from './units.js';

export type { TranslatedModule } from './draft.js';

/** The probers blackbox knows, each with its section's fields and translation. */
const PROBERS: Readonly<Record<string, { fields: Readonly<Record<string, FieldType>>; translate: Translate }>> = {
  http: { fields: HTTP_FIELDS, translate: translateHttp },
  tcp: { fields: TCP_FIELDS, translate: translateTcp },
  icmp: { fields: ICMP_FIELDS, translate: translateIcmp },
  dns: { fields: DNS_FIELDS, translate: translateDns },
  grpc: { fields: GRPC_FIELDS, translate: translateGrpc },
  unix: { fields: UNIX_FIELDS, translate: translateUnix },
  websocket: { fields: WEBSOCKET_FIELDS, translate: translateWebsocket },
};

type Translate = (section: Fields, draft: Draft, readText: (path: string) => string) => void;

const MODULE_FIELDS: Readonly<Record<string, FieldType>> = {
  prober: 'string',
  timeout: 'string',
  ...Object.fromEntries(Object.keys(PROBERS).map((name) => [name, 'map' as const])),
};

/** What a translation gives: the modules, and the file's problems (refused) and warnings (loaded). */
export interface Translation {
  modules: TranslatedModule[];
  problems: Problem[];
  warnings: Problem[];
}

/** What a translation may read: the file an http module's body_file names. */
export interface TranslateOptions {
  readText?: (path: string) => string;
}

function timeout(module: Fields, draft: Draft): void {
  const text = module.str('timeout');
  if (text === undefined) return;
  const ms = parseGoDuration(text);
  if (ms === undefined)
    module.report.problem(module.at('timeout'), `${JSON.stringify(text)} is not a duration such as 5s`);
  // 0 is blackbox's "unset": the scrape timeout bounds the probe.
  else if (ms > 0) draft.set(['timeout'], `${Math.max(1, Math.round(ms))}ms`, module.at('timeout'));
}

function translateModule(report: Report, name: string, value: unknown, options: TranslateOptions): TranslatedModule {
  const module = new Fields(report, ['modules', name], value, MODULE_FIELDS);
  const draft = new Draft(name, report);
  const prober = module.str('prober') ?? '';
  const known = PROBERS[prober];
  if (known === undefined)
    report.problem(
      module.at('prober'),
      `prober ${JSON.stringify(prober)} is not valid: one of ${Object.keys(PROBERS).join(', ')}`,
    );
  else draft.set(['prober'], prober, module.at('prober'));
  timeout(module, draft);
  const readText =
    options.readText ??
    (() => {
      throw Object.assign(new Error('no file reader'), { code: 'ENOENT' });
    });
  for (const [section, spec] of Object.entries(PROBERS)) {
    // The prober's own section is translated even when absent: its defaults are blackbox's.
    if (!module.has(section) && section !== prober) continue;
    const fields = module.section(section, spec.fields);
    if (section === prober) spec.translate(fields, draft, readText);
    else
      draft.note(module.at(section), `not used: the module's prober is ${prober} (blackbox_exporter ignores it too)`);
  }
  return { name, module: draft.module, origins: draft.origins, unsupported: draft.unsupported };
}

/** Translates a parsed blackbox_exporter file (`modules:`) into canary modules. */
export function translateBlackbox(source: YamlSource, data: unknown, options: TranslateOptions = {}): Translation {
  const report = new Report(source);
  const top = new Fields(report, [], data, { modules: 'map' });
  const modules = Object.entries(top.raw('modules')).map(([name, value]) =>
    translateModule(report, name, value, options),
  );
  return { modules, problems: report.problems, warnings: report.warnings };
}
