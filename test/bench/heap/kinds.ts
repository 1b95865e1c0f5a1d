/**
 * What a heap node is, in the words of a memory report: a constructor name for objects
 * (`SampleRing`, `Object`), and a bracketed kind for everything else (`(string)`,
 * `(bound function)`, `(array) (object elements)`, `(hidden) system / Context`). Self
 * sizes are tallied by that label to show what the bytes no owner claims are made of.
 */
import { nodeName, nodeTypeName, type HeapGraph } from './graph.js';

/** Bytes and node count of one kind. */
export interface KindBytes {
  kind: string;
  bytes: number;
  count: number;
}

/** Node types labelled without their name. */
const NAMELESS_TYPES = new Set(['number', 'string', 'concatenated string', 'sliced string', 'code']);

/** The label of node `n`. */
export function kindOf(graph: HeapGraph, n: number): string {
  const type = nodeTypeName(graph, n);
  const name = nodeName(graph, n);
  switch (type) {
    case 'object':
      return name;
    case 'closure':
      return name === 'native_bind' ? '(bound function)' : '(closure)';
    case 'number':
      return '(heap number)';
    case 'string':
    case 'concatenated string':
    case 'sliced string':
    case 'code':
      // A string's name is its text and a code object's its function: too many to list.
      return `(${type})`;
    default:
      return name === '' ? `(${type})` : `(${type}) ${name}`;
  }
}

/**
 * Self sizes tallied by (group, kind). Labels are built once per distinct (type, name)
 * pair, not once per node, so a few million nodes cost a few million integer lookups.
 */
export class KindTally {
  readonly #graph: HeapGraph;
  readonly #labels = new Map<number, string>();
  readonly #groups = new Map<number, Map<string, KindBytes>>();
  readonly #nameless: boolean[];

  constructor(graph: HeapGraph) {
    this.#graph = graph;
    this.#nameless = graph.nodeTypeNames.map((t) => NAMELESS_TYPES.has(t));
  }

  /** Adds node `n` to `group`. */
  add(group: number, n: number): void {
    const g = this.#graph;
    const type = g.nodeType[n] ?? 0;
    // Strings and code are labelled by type alone: keying them by name too would cache a label per distinct text.
    const key = type * 2 ** 32 + (this.#nameless[type] === true ? 0 : (g.nodeName[n] ?? 0));
    let label = this.#labels.get(key);
    if (label === undefined) this.#labels.set(key, (label = kindOf(g, n)));
    let kinds = this.#groups.get(group);
    if (!kinds) this.#groups.set(group, (kinds = new Map<string, KindBytes>()));
    let entry = kinds.get(label);
    if (!entry) kinds.set(label, (entry = { kind: label, bytes: 0, count: 0 }));
    entry.bytes += g.selfSize[n] ?? 0;
    entry.count++;
  }

  /** The `limit` largest kinds of `group`, largest first. */
  top(group: number, limit: number): KindBytes[] {
    return [...(this.#groups.get(group)?.values() ?? [])].sort((a, b) => b.bytes - a.bytes).slice(0, limit);
  }
}
