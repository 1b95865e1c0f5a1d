/**
 * The canary module being written from one blackbox module: every value set remembers the
 * blackbox field it came from, so a problem canary's schema finds in it is reported at the
 * blackbox file's line and column.
 */
import { formatPath, type PathKey } from '../yaml.js';
import type { Fields, Report } from './reader.js';

/** One blackbox module, translated. */
export interface TranslatedModule {
  /** The key under `modules:`. */
  name: string;
  /** Canary module fields (the input of canary's module schema). */
  module: Record<string, unknown>;
  /** For each canary key path written (`http.method`), the blackbox key path it came from. */
  origins: ReadonlyMap<string, readonly PathKey[]>;
  /**
   * The blackbox fields this canary cannot honour, as `path: why`: each was a warning (at
   * FILE:LINE:COL), and probing the module answers an error naming them.
   */
  unsupported: string[];
}

export class Draft {
  readonly module: Record<string, unknown> = {};
  readonly origins = new Map<string, readonly PathKey[]>();
  readonly unsupported: string[] = [];

  constructor(
    readonly name: string,
    readonly report: Report,
  ) {}

  /**
   * A blackbox field this canary cannot honour: a warning at its place, and the module
   * answers an error when probed rather than probing something else than was asked.
   */
  cannot(path: readonly PathKey[], why: string): void {
    this.report.warn(path, `canary cannot honour this: ${why}; /probe answers an error for module ${this.name}`);
    // The field without the file's place: /probe clients see it, and need not see paths of this host.
    this.unsupported.push(`${formatPath(path)}: ${why}`);
  }

  /** A blackbox field canary treats differently without changing the verdict: a warning only. */
  note(path: readonly PathKey[], message: string): void {
    this.report.warn(path, message);
  }

  /** Sets the canary field at `path` (creating the maps above it) from the blackbox field `from`. */
  set(path: readonly string[], value: unknown, from: readonly PathKey[]): void {
    let node = this.module;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null || typeof next !== 'object') node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1) as string] = value;
    this.origins.set(path.join('.'), from);
  }

  /** Appends to the canary list at `path`. */
  push(path: readonly string[], value: unknown, from: readonly PathKey[]): void {
    const list = this.get(path);
    const items: unknown[] = Array.isArray(list) ? (list as unknown[]) : [];
    this.set(path, [...items, value], from);
    this.origins.set(`${path.join('.')}.${items.length}`, from);
  }

  get(path: readonly string[]): unknown {
    let node: unknown = this.module;
    for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
    return node;
  }

  /** Sets the canary field from a blackbox field when that field is written. */
  copy(
    fields: Fields,
    key: string,
    type: 'str' | 'bool' | 'int' | 'strings' | 'stringMap',
    path: readonly string[],
  ): void {
    const value: unknown = fields[type](key);
    if (value !== undefined) this.set(path, value, fields.at(key));
  }
}
