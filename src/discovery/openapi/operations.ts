import { asArray, asObject, asString } from './json.js';
import type { OpenApiSpec } from './load.js';
import { readParameter, type Parameter } from './params.js';
import { RefError } from './refs.js';

/** Operation keys of a Path Item, in the order operations are listed. */
export const HTTP_METHODS = ['get', 'head', 'options', 'trace', 'put', 'post', 'patch', 'delete'] as const;

/** One operation of the spec, with what discovery and coverage need of it. */
export interface Operation {
  /** Upper case: `GET`, `POST`, ... */
  method: string;
  /** The path template as written in `paths`, e.g. `/pets/{petId}`. */
  path: string;
  operationId?: string;
  /** Path-item parameters merged with the operation's (the operation's win, by name and location). */
  parameters: Parameter[];
  requestBodyRequired: boolean;
  /** Keys of `responses`: `200`, `2XX`, `default`, ... */
  responseCodes: string[];
  /** Security schemes of the first requirement when every alternative needs one; empty when anonymous access is allowed. */
  authentication: string[];
  /** Server URLs in force for this operation (operation, then path item, then spec level), variables filled in. */
  servers: string[];
  /** Why the operation could not be read fully (a `$ref` that cannot be followed). */
  problem?: string;
}

/** The operations of a spec, and the path items that could not be read at all. */
export interface OperationList {
  operations: Operation[];
  problems: { path: string; reason: string }[];
}

/** Server URLs of a `servers` list with `{variables}` replaced by their defaults. */
export function serverUrls(servers: unknown): string[] {
  return asArray(servers).flatMap((raw) => {
    const server = asObject(raw);
    const url = asString(server?.url);
    if (url === undefined) return [];
    const variables = asObject(server?.variables) ?? {};
    return [
      url.replace(/\{([^}]+)\}/g, (whole, name: string) => asString(asObject(variables[name])?.default) ?? whole),
    ];
  });
}

/** The first requirement's scheme names when no alternative is `{}` (anonymous); else none. */
function authentication(security: unknown): string[] {
  const requirements = asArray(security).map((r) => Object.keys(asObject(r) ?? {}));
  if (requirements.length === 0 || requirements.some((names) => names.length === 0)) return [];
  return requirements[0] ?? [];
}

function mergeParameters(spec: OpenApiSpec, lists: { raw: unknown; file: string }[]): Parameter[] {
  const merged = new Map<string, Parameter>();
  for (const { raw, file } of lists) {
    for (const item of asArray(raw)) {
      const located = spec.refs.deref(item, file);
      const parameter = readParameter(located.value, located.file, spec.refs);
      if (parameter) merged.set(`${parameter.in}:${parameter.name}`, parameter);
    }
  }
  return [...merged.values()];
}

function readOperation(
  spec: OpenApiSpec,
  path: string,
  method: string,
  item: Record<string, unknown>,
  file: string,
): Operation {
  const op = asObject(item[method]) ?? {};
  const base = {
    method: method.toUpperCase(),
    path,
    ...(asString(op.operationId) ? { operationId: asString(op.operationId) } : {}),
    responseCodes: Object.keys(asObject(op.responses) ?? {}),
    authentication: authentication(op.security ?? spec.document.security),
    servers: [op.servers, item.servers, spec.document.servers].map(serverUrls).find((urls) => urls.length > 0) ?? [],
  };
  try {
    const body = op.requestBody === undefined ? undefined : asObject(spec.refs.deref(op.requestBody, file).value);
    const parameters = mergeParameters(spec, [
      { raw: item.parameters, file },
      { raw: op.parameters, file },
    ]);
    return { ...base, parameters, requestBodyRequired: body?.required === true };
  } catch (err) {
    if (!(err instanceof RefError)) throw err;
    return { ...base, parameters: [], requestBodyRequired: false, problem: err.message };
  }
}

/** Every operation under `paths`, in document order, methods in {@link HTTP_METHODS} order. */
export function listOperations(spec: OpenApiSpec): OperationList {
  const operations: Operation[] = [];
  const problems: OperationList['problems'] = [];
  for (const [path, raw] of Object.entries(asObject(spec.document.paths) ?? {})) {
    let located;
    try {
      located = spec.refs.deref(raw, spec.file);
    } catch (err) {
      if (!(err instanceof RefError)) throw err;
      problems.push({ path, reason: err.message });
      continue;
    }
    const item = asObject(located.value) ?? {};
    for (const method of HTTP_METHODS) {
      if (asObject(item[method]) !== undefined) operations.push(readOperation(spec, path, method, item, located.file));
    }
  }
  return { operations, problems };
}
