/**
 * `canary init`: a starter agent config from URLs and an OpenAPI document. Builds the
 * checks, then writes the file only when nothing is in the way (or `force` says so).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { dedupeNames } from '../discovery/openapi/names.js';
import { describeSkipped, type SkippedOperation } from '../discovery/openapi/index.js';
import { displayPath, usageError, type CanaryError } from '../errors.js';
import { redactUrl } from '../net/redact-url.js';
import { PACKAGE_ROOT } from '../version.js';
import { isSpecUrl, openApiChecks } from './openapi.js';
import { renderStarterConfig } from './render.js';
import { targetCheck, type InitCheck, type SecretVariable } from './targets.js';

/** What to write, as the command's flags gave it; targets already carry their scheme. */
export interface InitRequest {
  targets: readonly string[];
  openapi?: string;
  baseUrl?: string;
  interval: string;
  out: string;
  force: boolean;
}

/** What was written. */
export interface InitResult {
  /** Absolute path of the file. */
  path: string;
  checks: InitCheck[];
  skipped: SkippedOperation[];
  /** `${VAR}`s the file reads in place of credentials typed on the command line. */
  variables: SecretVariable[];
}

function refuseOverwrite(file: string): CanaryError {
  return usageError(`${displayPath(file)} exists; nothing was written (--force overwrites it)`);
}

/**
 * The JSON schema for editors, relative to the file's folder: only when canary is installed
 * in the project (below the working directory), so the link survives a move of the project
 * and never points into a global or temporary install.
 */
function schemaFor(file: string): string | undefined {
  const schema = join(PACKAGE_ROOT, 'config', 'schema.json');
  const below = (path: string) => {
    const rel = relative(process.cwd(), path);
    return !rel.startsWith('..') && !isAbsolute(rel);
  };
  if (!below(schema) || !below(file) || !existsSync(schema)) return undefined;
  const path = relative(dirname(file), schema).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** Builds the checks and writes the file; a usage error (exit 2) leaves any existing file as it was. */
export async function writeStarterConfig(request: InitRequest): Promise<InitResult> {
  const file = resolve(request.out);
  // Before any fetch: a refusal should not wait on the network.
  if (!request.force && existsSync(file)) throw refuseOverwrite(file);
  const variables: SecretVariable[] = [];
  const checks = request.targets.map((target) => targetCheck(target, variables));
  const notes: (string | undefined)[] = checks.map(() => undefined);
  const sources = request.targets.length > 0 ? ['--target'] : [];
  let skipped: SkippedOperation[] = [];
  if (request.openapi !== undefined) {
    const spec = await openApiChecks(request.openapi, request.baseUrl);
    if (spec.checks.length === 0 && checks.length === 0)
      throw usageError(
        [
          `--openapi ${request.openapi}: no operation can be probed safely; nothing was written`,
          ...spec.skipped.map((s) => `  skipped ${describeSkipped(s)}`),
        ].join('\n'),
      );
    checks.push(...spec.checks);
    notes.push(...spec.operations);
    skipped = spec.skipped;
    // The header is no place for a token in the document's URL.
    const from = isSpecUrl(request.openapi) ? redactUrl(request.openapi) : displayPath(resolve(request.openapi));
    sources.push(`${from} (${spec.title})`);
  }
  const names = dedupeNames(checks.map((c) => c.name));
  const named = checks.map((check, i) => ({ ...check, name: names[i] ?? check.name }));
  const text = renderStarterConfig({
    checks: named,
    notes: notes.map((note) => note ?? ''),
    interval: request.interval,
    schema: schemaFor(file),
    sources,
    skipped: skipped.map(describeSkipped),
    variables: variables.map((v) => v.name),
  });
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text, { flag: request.force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw refuseOverwrite(file);
    throw usageError(`--out ${displayPath(file)}: cannot write: ${code ?? String(err)}`);
  }
  return { path: file, checks: named, skipped, variables };
}
