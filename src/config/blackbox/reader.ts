/**
 * Reading blackbox_exporter's YAML the way its Go loader does: unknown fields and wrong
 * types are refused (it decodes with KnownFields), and every place is kept so a problem or
 * a warning names FILE:LINE:COL of the blackbox file.
 */
import type { Problem } from '../../errors.js';
import { formatPath, positionAt, type PathKey, type YamlSource } from '../yaml.js';

/** The value types of blackbox fields, as its Go structs declare them. */
/** `bytes`: a string, or the bytes of a YAML `!!binary` value (as blackbox's `send` takes both). */
export type FieldType = 'string' | 'bool' | 'int' | 'strings' | 'ints' | 'map' | 'list' | 'stringMap' | 'bytes';

/** Problems (the file is refused) and warnings (it loads) of one translation. */
export class Report {
  readonly problems: Problem[] = [];
  readonly warnings: Problem[] = [];

  constructor(readonly source: YamlSource) {}

  private place(path: readonly PathKey[], message: string, onKey = false): Problem {
    return { file: this.source.file, ...positionAt(this.source, path, onKey), path: formatPath(path), message };
  }

  problem(path: readonly PathKey[], message: string, onKey = false): void {
    this.problems.push(this.place(path, message, onKey));
  }

  warn(path: readonly PathKey[], message: string): void {
    this.warnings.push(this.place(path, message));
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeName(type: FieldType): string {
  if (type === 'string') return 'a string';
  if (type === 'bool') return 'true or false';
  if (type === 'int') return 'an integer';
  if (type === 'strings') return 'a list of strings';
  if (type === 'ints') return 'a list of integers';
  if (type === 'list') return 'a list';
  if (type === 'bytes') return 'a string';
  return 'a map';
}

/** Whether a YAML value decodes into a Go field of this type (a scalar decodes into a string). */
function fits(type: FieldType, value: unknown): boolean {
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  switch (type) {
    case 'string':
      return scalar(value);
    case 'bytes':
      return scalar(value) || value instanceof Uint8Array;
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return Number.isInteger(value);
    case 'strings':
      return Array.isArray(value) && value.every(scalar);
    case 'ints':
      return Array.isArray(value) && value.every((v) => Number.isInteger(v));
    case 'list':
      return Array.isArray(value);
    case 'map':
      return isMap(value);
    case 'stringMap':
      return isMap(value) && Object.values(value).every((v) => scalar(v) || v === null);
  }
}

/**
 * One map of the blackbox file with the fields it may have. A field of the wrong type or
 * an unknown one is a problem at its place; reading it then gives `undefined`, so the
 * translation goes on and every problem of the file is reported at once.
 */
export class Fields {
  private readonly value: Record<string, unknown>;

  constructor(
    readonly report: Report,
    readonly path: readonly PathKey[],
    value: unknown,
    private readonly known: Readonly<Record<string, FieldType>>,
  ) {
    // `http:` with nothing after it is an empty section, as Go reads it.
    if (value !== null && value !== undefined && !isMap(value)) report.problem(path, 'must be a map');
    this.value = isMap(value) ? value : {};
    for (const key of Object.keys(this.value)) {
      if (!(key in known)) report.problem([...path, key], 'unknown field (blackbox_exporter refuses it too)', true);
    }
  }

  /** The place of a field, for messages and origins. */
  at(key: PathKey, ...more: PathKey[]): PathKey[] {
    return [...this.path, key, ...more];
  }

  /** Whether the field is written (with a value other than null). */
  has(key: string): boolean {
    return this.read(key) !== undefined;
  }

  private read(key: string): unknown {
    const type = this.known[key];
    const value = this.value[key];
    if (type === undefined || value === undefined || value === null) return undefined;
    if (!fits(type, value)) {
      this.report.problem(this.at(key), `must be ${typeName(type)}`);
      return undefined;
    }
    return value;
  }

  str(key: string): string | undefined {
    const value = this.read(key) as string | number | boolean | undefined;
    return value === undefined ? undefined : String(value);
  }

  /** A `bytes` field: text as a string, a `!!binary` value as its bytes. */
  textOrBytes(key: string): string | Uint8Array | undefined {
    const value = this.read(key) as string | number | boolean | Uint8Array | undefined;
    return value === undefined || value instanceof Uint8Array ? value : String(value);
  }

  bool(key: string): boolean | undefined {
    return this.read(key) as boolean | undefined;
  }

  int(key: string): number | undefined {
    return this.read(key) as number | undefined;
  }

  strings(key: string): string[] | undefined {
    return (this.read(key) as (string | number | boolean)[] | undefined)?.map(String);
  }

  ints(key: string): number[] | undefined {
    return this.read(key) as number[] | undefined;
  }

  list(key: string): unknown[] | undefined {
    return this.read(key) as unknown[] | undefined;
  }

  stringMap(key: string): Record<string, string> | undefined {
    const value = this.read(key) as Record<string, unknown> | undefined;
    if (value === undefined) return undefined;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, v === null ? '' : String(v as string | number | boolean)]),
    );
  }

  /** A nested map with its own fields; an absent one reads as empty. */
  section(key: string, known: Readonly<Record<string, FieldType>>): Fields {
    return new Fields(this.report, this.at(key), this.read(key), known);
  }

  /** The raw value of a `map` field, for maps whose keys are names (headers, modules). */
  raw(key: string): Record<string, unknown> {
    return (this.read(key) as Record<string, unknown> | undefined) ?? {};
  }
}
