import { dirname, relative, resolve } from 'node:path';
import { asObject, asString } from './json.js';

/** A value and the file it was read from, which is what a relative `$ref` inside it resolves against. */
export interface Located<T = unknown> {
  value: T;
  /** Absolute path of the document the value lives in. */
  file: string;
}

/** A `$ref` that cannot be followed: a cycle, a missing target, a remote URL. */
export class RefError extends Error {
  override readonly name = 'RefError';
}

/** The reference string of a `{ $ref: "..." }` object, or undefined. */
export function refOf(value: unknown): string | undefined {
  return asString(asObject(value)?.$ref);
}

/**
 * Splits a `$ref` into the absolute file it points into and its JSON pointer. Remote
 * (`http:`) references are refused: discovery never fetches anything from the network.
 */
export function parseRef(ref: string, from: string): { file: string; pointer: string } {
  const hash = ref.indexOf('#');
  const location = hash === -1 ? ref : ref.slice(0, hash);
  const pointer = hash === -1 ? '' : ref.slice(hash + 1);
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith('file:')) {
    throw new RefError(`remote $ref "${ref}" is not fetched; use a local file`);
  }
  const path = location.startsWith('file:') ? new URL(location).pathname : decodeURIComponent(location);
  return { file: path === '' ? from : resolve(dirname(from), path), pointer };
}

/** Reads a JSON pointer (RFC 6901, `~1` and `~0` escapes, percent-encoding as in URI fragments). */
function lookup(document: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return pointer === '' ? document : asObject(document)?.[''];
  if (!pointer.startsWith('/')) return undefined;
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) node = /^\d+$/.test(key) ? node[Number(key)] : undefined;
    else node = asObject(node)?.[key];
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * Follows `$ref`s across the documents of one spec (the root file and every file it
 * references, all read before resolution starts, so resolving is synchronous and pure).
 */
export class RefResolver {
  readonly #documents: ReadonlyMap<string, unknown>;
  readonly #root: string;

  constructor(root: string, documents: ReadonlyMap<string, unknown>) {
    this.#root = root;
    this.#documents = documents;
  }

  /**
   * Follows a chain of `$ref`s until a value that is not one. A chain that comes back to a
   * reference it already followed is a cycle and throws; recursive schemas (a `$ref` nested
   * inside properties) are not chains and never reach here as one.
   */
  deref(value: unknown, file: string): Located {
    const seen: string[] = [];
    let current: Located = { value, file };
    for (let ref = refOf(value); ref !== undefined; ref = refOf(current.value)) {
      const target = parseRef(ref, current.file);
      const key = `${this.display(target.file)}#${target.pointer}`;
      if (seen.includes(key)) throw new RefError(`$ref cycle: ${[...seen, key].join(' -> ')}`);
      seen.push(key);
      const document = this.#documents.get(target.file);
      if (document === undefined) throw new RefError(`$ref "${ref}": file ${this.display(target.file)} was not loaded`);
      const found = lookup(document, target.pointer);
      if (found === undefined) throw new RefError(`$ref "${ref}" points at nothing`);
      current = { value: found, file: target.file };
    }
    return current;
  }

  /** A file as users wrote it: relative to the root spec's folder. */
  display(file: string): string {
    return file === this.#root ? '' : relative(dirname(this.#root), file);
  }
}
