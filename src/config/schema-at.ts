/**
 * The zod schema that governs a place in a document, found by walking the schema along a
 * key path beside the data: the keys a map there may have are what an unknown key is
 * compared with ("did you mean ...?"). A union told apart by a key (`kind`, `prober`,
 * `action`) is followed into the member the data names, so a tcp check is offered tcp's
 * keys, not http's.
 */
import type { z } from 'zod';

export type Schema = z.core.$ZodType;

/** The fields of zod's definitions read here; each is present only for its own `type`. */
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  getter?: () => Schema;
  options?: readonly Schema[];
  discriminator?: string;
  left?: Schema;
  right?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  items?: readonly Schema[];
}

function defOf(schema: Schema): Def {
  return schema._zod.def;
}

/** Wrappers whose inner schema judges the value as written. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);

/** Deeper than this, a schema is recursive (lazy) and the walk gives up. */
const MAX_DEPTH = 32;

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether the member `option` of a union told apart by `key` is the one `value` names. */
function named(option: Schema, key: string, value: unknown): boolean {
  return bare(option, undefined).some((s) => defOf(s).shape?.[key]?._zod.values?.has(value as never) === true);
}

/**
 * The schemas that judge `value` with every wrapper, pipe and union taken off: maps,
 * lists, records, tuples and plain values. A union told apart by a key gives the member
 * `value` names when there is one, else every member.
 */
function bare(schema: Schema, value: unknown, depth = 0): Schema[] {
  if (depth > MAX_DEPTH) return [];
  const def = defOf(schema);
  const next = (inner: Schema | undefined): Schema[] => (inner ? bare(inner, value, depth + 1) : []);
  if (WRAPPERS.has(def.type)) return next(def.innerType);
  // A preprocess step (a transform first) takes any input; what it feeds judges the value.
  if (def.type === 'pipe') return next(def.in && defOf(def.in).type === 'transform' ? def.out : def.in);
  if (def.type === 'lazy') return next(def.getter?.());
  if (def.type === 'intersection') return [...next(def.left), ...next(def.right)];
  if (def.type !== 'union') return [schema];
  const options = def.options ?? [];
  const key = def.discriminator;
  const chosen = key !== undefined && isMap(value) ? options.filter((o) => named(o, key, value[key])) : [];
  return (chosen.length > 0 ? chosen : options).flatMap(next);
}

/** The schemas of one step down from `schema` (already bare) by `key`. */
function child(schema: Schema, key: PropertyKey): Schema[] {
  const def = defOf(schema);
  if (def.type === 'object' && typeof key === 'string') return def.shape?.[key] ? [def.shape[key]] : [];
  if (def.type === 'array' && typeof key === 'number') return def.element ? [def.element] : [];
  if (def.type === 'tuple' && typeof key === 'number') return def.items?.[key] ? [def.items[key]] : [];
  if (def.type === 'record' && typeof key === 'string') return def.valueType ? [def.valueType] : [];
  return [];
}

/** The value one step down from `value` by `key`, or undefined where the data ends. */
function step(value: unknown, key: PropertyKey): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
}

/** The schemas (bare) that judge the value at `path` of `data`, which `root` judges. */
export function schemasAt(root: Schema, data: unknown, path: readonly PropertyKey[]): Schema[] {
  let value = data;
  let here = bare(root, value);
  for (const key of path) {
    value = step(value, key);
    here = here.flatMap((s) => child(s, key)).flatMap((s) => bare(s, value));
  }
  return here;
}

/** The keys a map at `path` may have, in the order the schema lists them. */
export function knownKeys(root: Schema, data: unknown, path: readonly PropertyKey[]): string[] {
  const keys = schemasAt(root, data, path).flatMap((s) => Object.keys(defOf(s).shape ?? {}));
  return [...new Set(keys)];
}

/** The member of a union told apart by `key` that `value` names. */
export function memberNamed(options: readonly Schema[], key: string, value: unknown): Schema | undefined {
  return options.find((o) => named(o, key, value));
}

/** `schema` without its optional and default wrappers and the transforms after it. */
function unwrapped(schema: Schema): Schema {
  let s = schema;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const def = defOf(s);
    const inner = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : undefined;
    if (inner === undefined) return s;
    s = inner;
  }
  return s;
}

/** The members of the union at `path`, in order, or none when no union is there. */
export function unionAt(root: Schema, data: unknown, path: readonly PropertyKey[]): readonly Schema[] {
  const last = path.at(-1);
  const here = last === undefined ? [root] : schemasAt(root, data, path.slice(0, -1)).flatMap((s) => child(s, last));
  const union = here.map(unwrapped).find((s) => defOf(s).type === 'union');
  return union === undefined ? [] : (defOf(union).options ?? []);
}
