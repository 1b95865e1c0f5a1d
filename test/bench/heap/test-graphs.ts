/**
 * Hand-made heap graphs for the heap benchmark's tests, and a writer of the V8
 * `.heapsnapshot` format so the reader can be tested on files whose content is known.
 */
import type { HeapGraph } from './graph.js';

/** V8's node types, in its order. */
export const NODE_TYPES = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'regexp',
  'number',
  'native',
  'synthetic',
];
/** V8's edge types, in its order. */
export const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

/** A node: type, name, self size. */
export type NodeSpec = [type: string, name: string, size: number];
/** An edge: from, to, type, name (or index for element and hidden edges). */
export type EdgeSpec = [from: number, to: number, type: string, name: string | number];

/** A graph laid out as V8 lays one out: edges grouped by their source, names in a string table. */
export function makeGraph(nodes: NodeSpec[], edges: EdgeSpec[]): HeapGraph {
  const strings: string[] = [''];
  const intern = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  const sorted = [...edges].sort((a, b) => a[0] - b[0]);
  const firstEdge = new Uint32Array(nodes.length + 1);
  for (const [from] of sorted) firstEdge[from + 1] = (firstEdge[from + 1] ?? 0) + 1;
  for (let n = 0; n < nodes.length; n++) firstEdge[n + 1] = (firstEdge[n + 1] ?? 0) + (firstEdge[n] ?? 0);
  return {
    nodeCount: nodes.length,
    edgeCount: sorted.length,
    nodeTypeNames: NODE_TYPES,
    edgeTypeNames: EDGE_TYPES,
    nodeType: Uint8Array.from(nodes.map(([type]) => NODE_TYPES.indexOf(type))),
    nodeName: Uint32Array.from(nodes.map(([, name]) => intern(name))),
    selfSize: Float64Array.from(nodes.map(([, , size]) => size)),
    firstEdge,
    edgeType: Uint8Array.from(sorted.map(([, , type]) => EDGE_TYPES.indexOf(type))),
    edgeName: Uint32Array.from(sorted.map(([, , , name]) => (typeof name === 'number' ? name : intern(name)))),
    edgeTo: Uint32Array.from(sorted.map(([, to]) => to)),
    strings,
  };
}

/** The graph in V8's `.heapsnapshot` JSON, laid out as V8 writes it (one node or edge per line). */
export function toSnapshotJson(graph: HeapGraph): string {
  const nodeFields = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
  const meta = {
    node_fields: nodeFields,
    node_types: [graph.nodeTypeNames, 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [graph.edgeTypeNames, 'string_or_number', 'node'],
    trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
  };
  const header = { meta, node_count: graph.nodeCount, edge_count: graph.edgeCount, trace_function_count: 0 };
  const nodes = Array.from({ length: graph.nodeCount }, (_, n) =>
    [
      graph.nodeType[n],
      graph.nodeName[n],
      2 * n + 1,
      graph.selfSize[n],
      (graph.firstEdge[n + 1] ?? 0) - (graph.firstEdge[n] ?? 0),
      0,
      0,
    ].join(','),
  );
  const edges = Array.from({ length: graph.edgeCount }, (_, e) =>
    [graph.edgeType[e], graph.edgeName[e], (graph.edgeTo[e] ?? 0) * nodeFields.length].join(','),
  );
  return [
    `{"snapshot":${JSON.stringify(header)},`,
    `"nodes":[${nodes.join(',\n')}],`,
    `"edges":[${edges.join(',\n')}],`,
    '"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],',
    `"strings":[${graph.strings.map((s) => JSON.stringify(s)).join(',\n')}]}`,
  ].join('\n');
}
