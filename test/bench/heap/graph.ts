/**
 * A V8 heap snapshot held as a graph in typed arrays: one entry per node and per edge,
 * a few bytes each, so that a snapshot of millions of objects fits in a few hundred MiB
 * where the same graph as JS objects would not.
 *
 * Nodes are numbered by their position in the snapshot (its "ordinal"); node 0 is the
 * synthetic root. The edges of node `n` are `firstEdge[n]` to `firstEdge[n + 1] - 1`.
 */

/** The graph of one `.heapsnapshot`, as read by {@link readHeapSnapshot}. */
export interface HeapGraph {
  nodeCount: number;
  edgeCount: number;
  /** Node type names by code, from the snapshot's meta (`object`, `closure`, `string`, ...). */
  nodeTypeNames: readonly string[];
  /** Edge type names by code (`context`, `element`, `property`, `internal`, `hidden`, `shortcut`, `weak`). */
  edgeTypeNames: readonly string[];
  /** Type code of each node. */
  nodeType: Uint8Array;
  /** Index into `strings` of each node's name: a constructor name, a function name, a string's text. */
  nodeName: Uint32Array;
  /** Bytes each node occupies itself (shallow size). */
  selfSize: Float64Array;
  /** Index of each node's first edge; `nodeCount + 1` entries, the last one is `edgeCount`. */
  firstEdge: Uint32Array;
  /** Type code of each edge. */
  edgeType: Uint8Array;
  /** Index into `strings` of an edge's name, or the element index for `element` and `hidden` edges. */
  edgeName: Uint32Array;
  /** The node (ordinal) each edge points to. */
  edgeTo: Uint32Array;
  /**
   * The snapshot's string table. Strings only needed as the text of string nodes are
   * left empty when the reader is asked to save memory.
   */
  strings: readonly string[];
}

/** The root node of every V8 heap snapshot. */
export const ROOT = 0;

/** The type code named `name`, or -1 when the snapshot has no such type. */
export function typeCode(names: readonly string[], name: string): number {
  return names.indexOf(name);
}

/** The name of node `n`: a constructor's for objects, a function's for closures. */
export function nodeName(graph: HeapGraph, n: number): string {
  return graph.strings[graph.nodeName[n] ?? 0] ?? '';
}

/** The type name of node `n` (`object`, `closure`, `array`, ...). */
export function nodeTypeName(graph: HeapGraph, n: number): string {
  return graph.nodeTypeNames[graph.nodeType[n] ?? 0] ?? '?';
}

/** Edge types whose `name_or_index` is an element index rather than a string. */
const INDEXED_EDGE_TYPES = new Set(['element', 'hidden']);

/** The name of edge `e` as a property path would spell it: a property name, or an index as text. */
export function edgeLabel(graph: HeapGraph, e: number): string {
  const type = graph.edgeTypeNames[graph.edgeType[e] ?? 0] ?? '';
  const value = graph.edgeName[e] ?? 0;
  return INDEXED_EDGE_TYPES.has(type) ? String(value) : (graph.strings[value] ?? '');
}

/** Whether edges of this type name carry a string (so the reader must keep that string). */
export function edgeTypeHasName(type: string): boolean {
  return !INDEXED_EDGE_TYPES.has(type);
}

/** Node types whose name is the text of a JS string (not needed to attribute memory). */
export const STRING_NODE_TYPES: ReadonlySet<string> = new Set(['string', 'concatenated string', 'sliced string']);

/** Total self size of every node: the heap as the snapshot saw it. */
export function totalSize(graph: HeapGraph): number {
  let total = 0;
  for (let n = 0; n < graph.nodeCount; n++) total += graph.selfSize[n] ?? 0;
  return total;
}
