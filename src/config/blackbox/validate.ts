/**
 * A translated module checked by canary's own module schema. What the schema refuses in a
 * field that came from the blackbox file is something this canary cannot honour (a feature
 * it lacks, a value outside its range): a warning at the blackbox field, the field left
 * out, and the module marked so /probe answers an error instead of probing without it.
 */
import type { z } from 'zod';
import { issuesToProblems } from '../issues.js';
import { moduleSchema, type ParsedModule } from '../schema/module.js';
import { formatPath, type PathKey } from '../yaml.js';
import { Draft, type TranslatedModule } from './draft.js';
import type { Report } from './reader.js';

/** More rounds than fields a module could lose; each round removes at least one. */
const MAX_ROUNDS = 64;

/** The longest prefix of `path` written by the translation, and where it came from. */
function originOf(
  module: TranslatedModule,
  path: readonly PropertyKey[],
): { at: PropertyKey[]; from: readonly PathKey[] } | undefined {
  for (let n = path.length; n > 0; n--) {
    const from = module.origins.get(path.slice(0, n).map(String).join('.'));
    if (from !== undefined) return { at: path.slice(0, n), from };
  }
  return undefined;
}

function remove(root: Record<string, unknown>, path: readonly PropertyKey[]): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) node = (node as Record<PropertyKey, unknown> | undefined)?.[key];
  if (node === null || typeof node !== 'object') return;
  const last = path.at(-1) as PropertyKey;
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else delete (node as Record<PropertyKey, unknown>)[last];
}

function why(issue: z.core.$ZodIssue, at: readonly PropertyKey[], module: TranslatedModule, report: Report): string {
  const field = formatPath([...at] as PathKey[]);
  if (issue.code === 'unrecognized_keys')
    return `canary has no ${formatPath([...issue.path, issue.keys[0] ?? ''] as PathKey[])}`;
  if (at.length === 1 && at[0] === 'prober') return 'this prober is not available in canary';
  // The loader's own words for the issue (its positions are of no use here: the path is canary's).
  const message = issuesToProblems(report.source, module.module, [issue])[0]?.message ?? issue.message;
  return `canary's ${field} ${message}`;
}

/**
 * The module as canary's schema parses it, with the fields it refused left out (each a
 * warning in `report`, and an entry of `module.unsupported`); undefined when the prober
 * itself is not available.
 */
export function checkTranslated(module: TranslatedModule, report: Report): ParsedModule | undefined {
  const draft = new Draft(module.name, report);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const parsed = moduleSchema.safeParse(module.module);
    if (parsed.success) {
      module.unsupported.push(...draft.unsupported);
      return module.unsupported.length > 0 ? undefined : parsed.data;
    }
    for (const issue of parsed.error.issues) {
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
      const origin = originOf(module, path) ?? { at: [], from: ['modules', module.name] };
      draft.cannot(origin.from, why(issue, origin.at, module, report));
      // Without a field to drop (the prober), nothing more can be learnt from the schema.
      if (origin.at.length === 0 || (origin.at.length === 1 && origin.at[0] === 'prober')) {
        module.unsupported.push(...draft.unsupported);
        return undefined;
      }
      remove(module.module, origin.at);
      break;
    }
  }
  module.unsupported.push(...draft.unsupported);
  return undefined;
}
