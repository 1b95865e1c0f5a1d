import { readFile } from 'node:fs/promises';
import { CanaryError, ERROR_CODES, formatProblem, type Problem } from '../errors.js';
import { interpolateDocument } from '../config/env.js';
import { issuesToProblems } from '../config/issues.js';
import { keepStrings } from '../config/retype.js';
import type { Env } from '../config/load.js';
import { parseYaml, yamlData } from '../config/yaml.js';
import { proxyListSchema, type ProxyBody } from './schema.js';
import { TOXIC_KINDS } from './toxics/registry.js';

/**
 * Reads a proxy list file, JSON or YAML (JSON is YAML), the shape of Toxiproxy's `-config`:
 * `[{ name, listen, upstream, enabled?, toxics? }]`. `${VAR}` is read from the environment.
 * Every problem is reported at once, with its FILE:LINE:COL.
 */
export async function loadProxyFile(file: string, env: Env = process.env): Promise<ProxyBody[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fail(file, [
      {
        file,
        line: 0,
        col: 0,
        path: '',
        message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      },
    ]);
  }
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) throw fail(file, problems);
  problems.push(...interpolateDocument(source, env));
  const data = yamlData(source, []);
  if (data.problems.length > 0) throw fail(file, [...problems, ...data.problems]);
  const raw = data.value;
  const parsed = keepStrings(source, raw, (r) => proxyListSchema.safeParse(r));
  if (!parsed.success) problems.push(...issuesToProblems(source, raw, parsed.error.issues));
  else problems.push(...toxicProblems(parsed.data, (path, issues) => issuesToProblems(source, raw, issues, path)));
  if (problems.length > 0 || !parsed.success) throw fail(file, problems);
  return parsed.data;
}

type ToProblems = (path: PropertyKey[], issues: Parameters<typeof issuesToProblems>[2]) => Problem[];

/** Checks each toxic's type and attributes, which the list schema leaves to the toxic kinds. */
function toxicProblems(proxies: readonly ProxyBody[], toProblems: ToProblems): Problem[] {
  return proxies.flatMap((proxy, i) =>
    proxy.toxics.flatMap((toxic, j) => {
      const at = [i, 'toxics', j];
      const kind = TOXIC_KINDS.get(toxic.type);
      if (!kind)
        return toProblems(
          [...at, 'type'],
          [{ code: 'custom', path: [], message: `unknown toxic type "${toxic.type}"`, input: toxic.type }],
        );
      const attributes = kind.attributes.safeParse(toxic.attributes);
      return attributes.success ? [] : toProblems([...at, 'attributes'], attributes.error.issues);
    }),
  );
}

function fail(file: string, problems: readonly Problem[]): CanaryError {
  return new CanaryError(
    ERROR_CODES.config,
    [`invalid proxy file ${file}:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n'),
    { problems },
  );
}
