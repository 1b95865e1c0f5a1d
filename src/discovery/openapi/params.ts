import { asArray, asObject, asString } from './json.js';
import type { RefResolver } from './refs.js';

/** Where a parameter goes, as in the OpenAPI `in` field. */
export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** A parameter of an operation, its `$ref`s followed and its example value found. */
export interface Parameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  /** Serialization style; OpenAPI's default for the location when absent. */
  style: string;
  explode: boolean;
  /** The value to send, when the description gives one; `undefined` when it does not. */
  value?: { value: unknown };
}

/** Nested schema combinators are searched this deep; recursive schemas end here. */
const MAX_SCHEMA_DEPTH = 8;

const DEFAULT_STYLE: Record<ParameterLocation, string> = {
  path: 'simple',
  query: 'form',
  header: 'simple',
  cookie: 'form',
};

/** A value that can be sent; `null` is not one (it has no text form every server reads alike). */
function found(value: unknown): { value: unknown } | undefined {
  return value === undefined || value === null ? undefined : { value };
}

/** The first value of an Examples map (`{ name: { value } }`), following `$ref`s. */
function fromExamples(examples: unknown, file: string, refs: RefResolver): { value: unknown } | undefined {
  for (const example of Object.values(asObject(examples) ?? {})) {
    const value = found(asObject(refs.deref(example, file).value)?.value);
    if (value) return value;
  }
  return undefined;
}

/**
 * A value from a schema: `example`, `examples[0]` (3.1), `default`, `enum[0]`, `const`, then
 * array items and the members of `allOf`/`oneOf`/`anyOf`, bounded in depth.
 */
export function schemaValue(
  schema: unknown,
  file: string,
  refs: RefResolver,
  depth = 0,
): { value: unknown } | undefined {
  if (depth > MAX_SCHEMA_DEPTH) return undefined;
  const located = refs.deref(schema, file);
  const s = asObject(located.value);
  if (s === undefined) return undefined;
  const direct =
    found(s.example) ??
    found(asArray(s.examples)[0]) ??
    found(s.default) ??
    found(asArray(s.enum)[0]) ??
    found(s.const);
  if (direct) return direct;
  if (s.type === 'array' || s.items !== undefined) {
    const item = s.items === undefined ? undefined : schemaValue(s.items, located.file, refs, depth + 1);
    if (item) return { value: [item.value] };
  }
  for (const member of [...asArray(s.allOf), ...asArray(s.oneOf), ...asArray(s.anyOf)]) {
    const value = schemaValue(member, located.file, refs, depth + 1);
    if (value) return value;
  }
  return undefined;
}

/**
 * A value from a Media Type object (parameters with `content` instead of `schema`). The
 * value is sent as one string in that media type: JSON for JSON types, else as written.
 */
function contentValue(content: unknown, file: string, refs: RefResolver): { value: unknown } | undefined {
  const [type, raw] = Object.entries(asObject(content) ?? {})[0] ?? [];
  const media = asObject(raw);
  if (type === undefined || media === undefined) return undefined;
  const value =
    found(media.example) ??
    fromExamples(media.examples, file, refs) ??
    (media.schema === undefined ? undefined : schemaValue(media.schema, file, refs));
  if (value === undefined || typeof value.value === 'string') return value;
  return { value: /json/i.test(type) ? JSON.stringify(value.value) : text(value.value) };
}

/** Reads a Parameter object (already dereferenced) into a {@link Parameter}, or undefined when it is not one. */
export function readParameter(raw: unknown, file: string, refs: RefResolver): Parameter | undefined {
  const p = asObject(raw);
  const name = asString(p?.name);
  const location = asString(p?.in);
  if (
    p === undefined ||
    name === undefined ||
    !(location === 'path' || location === 'query' || location === 'header' || location === 'cookie')
  ) {
    return undefined;
  }
  const style = asString(p.style) ?? DEFAULT_STYLE[location];
  const value =
    found(p.example) ??
    fromExamples(p.examples, file, refs) ??
    contentValue(p.content, file, refs) ??
    (p.schema === undefined ? undefined : schemaValue(p.schema, file, refs));
  return {
    name,
    in: location,
    required: location === 'path' || p.required === true,
    style,
    explode: typeof p.explode === 'boolean' ? p.explode : style === 'form',
    ...(value ? { value } : {}),
  };
}

/** Text of a primitive; objects and arrays are expanded by the callers. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/** Name/value pairs of an object or the items of an array, as OpenAPI styles flatten them. */
function parts(value: unknown): { list?: string[]; pairs?: [string, string][] } {
  if (Array.isArray(value)) return { list: value.map(text) };
  const object = asObject(value);
  if (object) return { pairs: Object.entries(object).map(([k, v]) => [k, text(v)]) };
  return {};
}

/** A path or header value in `simple` style (the only style those locations use in practice). */
export function simpleValue(p: Parameter, value: unknown, encode: (s: string) => string): string {
  const { list, pairs } = parts(value);
  if (list) return list.map(encode).join(',');
  if (pairs)
    return pairs.map(([k, v]) => (p.explode ? `${encode(k)}=${encode(v)}` : `${encode(k)},${encode(v)}`)).join(',');
  return encode(text(value));
}

/** Query string pairs (already encoded) for a query parameter in its style. */
export function queryPairs(p: Parameter, value: unknown): string[] {
  const e = encodeURIComponent;
  const { list, pairs } = parts(value);
  const name = e(p.name);
  if (list) {
    if (p.explode) return list.map((v) => `${name}=${e(v)}`);
    const separator = p.style === 'spaceDelimited' ? '%20' : p.style === 'pipeDelimited' ? '|' : ',';
    return [`${name}=${list.map(e).join(separator)}`];
  }
  if (pairs) {
    if (p.style === 'deepObject') return pairs.map(([k, v]) => `${name}%5B${e(k)}%5D=${e(v)}`);
    if (p.explode) return pairs.map(([k, v]) => `${e(k)}=${e(v)}`);
    return [`${name}=${pairs.map(([k, v]) => `${e(k)},${e(v)}`).join(',')}`];
  }
  return [`${name}=${e(text(value))}`];
}
