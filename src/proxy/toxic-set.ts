import { ProxyApiError, badRequest } from './api-error.js';
import { toxicBodySchema, toxicUpdateSchema, type ToxicBody } from './schema.js';
import { TOXIC_KINDS } from './toxics/registry.js';
import type { Direction, ToxicKind } from './toxics/types.js';

/**
 * A toxic in place on a proxy. Immutable: an update replaces the object, so connections
 * see a new toxic (and roll its toxicity again), as Toxiproxy does.
 */
export interface Toxic {
  readonly name: string;
  readonly type: string;
  readonly stream: Direction;
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Milliseconds the toxic lives after it was added or last updated; absent: until removed. */
  readonly ttl: number | undefined;
  readonly kind: ToxicKind;
}

/** A toxic as the API shows it (Toxiproxy's shape, plus `ttl` when set). */
export interface ToxicJson {
  name: string;
  type: string;
  stream: Direction;
  toxicity: number;
  attributes: Record<string, unknown>;
  ttl?: number;
}

export function toxicJson(toxic: Toxic): ToxicJson {
  const { name, type, stream, toxicity, attributes, ttl } = toxic;
  return { name, type, stream, toxicity, attributes: { ...attributes }, ...(ttl === undefined ? {} : { ttl }) };
}

/** Options of a {@link ToxicSet}. */
export interface ToxicSetOptions {
  /** TTL in ms given to toxics that set none; absent: they live until removed. */
  defaultTtlMs: number | undefined;
  /** Called after every change, so live connections pick it up. */
  onChange: () => void;
}

/** The toxics of one proxy, in the order they run, each removing itself when its TTL ends. */
export class ToxicSet {
  readonly #toxics = new Map<string, Toxic>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #options: ToxicSetOptions;

  constructor(options: ToxicSetOptions) {
    this.#options = options;
  }

  /** Toxics in pipeline order, optionally of one stream. */
  list(stream?: Direction): Toxic[] {
    const all = [...this.#toxics.values()];
    return stream === undefined ? all : all.filter((t) => t.stream === stream);
  }

  get(name: string): Toxic {
    const toxic = this.#toxics.get(name);
    if (!toxic) throw new ProxyApiError(404, 'toxic not found');
    return toxic;
  }

  /** Adds a toxic from an API body; 400 when invalid, 409 when the name is taken. */
  add(raw: unknown): Toxic {
    const parsed = toxicBodySchema.safeParse(raw);
    if (!parsed.success) throw badRequest(parsed.error.issues);
    const name = parsed.data.name ?? `${parsed.data.type}_${parsed.data.stream}`;
    if (this.#toxics.has(name)) throw new ProxyApiError(409, 'toxic already exists');
    return this.#put(build(name, parsed.data, this.#options.defaultTtlMs));
  }

  /** Changes a toxic: given attributes are merged over the current ones. */
  update(name: string, raw: unknown): Toxic {
    const current = this.get(name);
    const parsed = toxicUpdateSchema.safeParse(raw);
    if (!parsed.success) throw badRequest(parsed.error.issues);
    const body: ToxicBody = {
      name,
      type: current.type,
      stream: parsed.data.stream ?? current.stream,
      toxicity: parsed.data.toxicity ?? current.toxicity,
      attributes: { ...current.attributes, ...parsed.data.attributes },
      ttl: parsed.data.ttl ?? current.ttl,
    };
    return this.#put(build(name, body, this.#options.defaultTtlMs));
  }

  remove(name: string): void {
    this.get(name);
    this.#drop(name);
    this.#options.onChange();
  }

  /** Removes every toxic (`POST /reset`, proxy deletion). */
  clear(): void {
    for (const name of [...this.#toxics.keys()]) this.#drop(name);
    this.#options.onChange();
  }

  #put(toxic: Toxic): Toxic {
    this.#drop(toxic.name);
    this.#toxics.set(toxic.name, toxic);
    if (toxic.ttl !== undefined) {
      const timer = setTimeout(() => {
        if (this.#toxics.get(toxic.name) === toxic) this.remove(toxic.name);
      }, toxic.ttl);
      // A fault must never outlive its owner, but it must not keep a stopping process alive.
      timer.unref();
      this.#timers.set(toxic.name, timer);
    }
    this.#options.onChange();
    return toxic;
  }

  #drop(name: string): void {
    clearTimeout(this.#timers.get(name));
    this.#timers.delete(name);
    this.#toxics.delete(name);
  }
}

/** Checks type, attributes and stream of a parsed body and makes the toxic. */
function build(name: string, body: ToxicBody, defaultTtlMs: number | undefined): Toxic {
  const kind = TOXIC_KINDS.get(body.type);
  if (!kind)
    throw new ProxyApiError(400, `invalid toxic type: ${body.type} (one of ${[...TOXIC_KINDS.keys()].join(', ')})`);
  const attributes = kind.attributes.safeParse(body.attributes);
  if (!attributes.success) throw badRequest(attributes.error.issues, 'attributes');
  if (kind.toxicityPer === 'request' && body.stream !== 'upstream') {
    throw new ProxyApiError(400, `stream: ${body.type} acts on HTTP requests, so stream must be "upstream"`);
  }
  const ttl = body.ttl ?? defaultTtlMs;
  return {
    name,
    type: body.type,
    stream: body.stream,
    toxicity: body.toxicity,
    attributes: attributes.data,
    ttl,
    kind,
  };
}
