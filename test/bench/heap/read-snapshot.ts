/**
 * Reads a `.heapsnapshot` file (V8's JSON format: `snapshot.meta` describes the fields,
 * `nodes` and `edges` are flat arrays of integers, `strings` the names they index) into
 * a {@link HeapGraph}, a chunk at a time, keeping only the fields attribution needs.
 */
import { open } from 'node:fs/promises';
import { edgeTypeHasName, STRING_NODE_TYPES, type HeapGraph } from './graph.js';
import { TopLevelScanner, type ValueSink } from './json-scan.js';

/** Read size: large enough that the per-chunk overhead vanishes, small enough to be no memory concern. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** The parts of `snapshot.meta` and the counts the reader relies on. */
interface SnapshotHeader {
  meta: {
    node_fields: string[];
    node_types: [string[], ...unknown[]];
    edge_fields: string[];
    edge_types: [string[], ...unknown[]];
  };
  node_count: number;
  edge_count: number;
}

/** Options of {@link readHeapSnapshot}. */
export interface ReadOptions {
  /** Keep the text of string nodes too (default false: only names of objects, functions and edges are kept). */
  keepStringText?: boolean;
  /** Bytes read at a time (default 4 MiB); tests read in tiny chunks to cross every token boundary. */
  chunkBytes?: number;
}

type Column = Uint8Array | Uint32Array | Float64Array;

/** A sink that spreads a flat array of records into one typed array per field (undefined: dropped). */
function columns(what: string, fields: readonly string[], wanted: Record<string, Column>, count: number) {
  const byField = fields.map((f) => wanted[f]);
  for (const name of Object.keys(wanted))
    if (!fields.includes(name)) throw new Error(`heap snapshot ${what} have no ${name} field`);
  const width = fields.length;
  let field = 0;
  let ordinal = 0;
  return {
    sink: {
      kind: 'integers',
      push: (value: number): void => {
        const column = byField[field];
        if (column !== undefined) column[ordinal] = value;
        if (++field === width) {
          field = 0;
          ordinal++;
        }
      },
    } satisfies ValueSink,
    check(): void {
      if (ordinal !== count || field !== 0)
        throw new Error(`heap snapshot ${what}: expected ${count} records, read ${ordinal} and ${field} fields`);
    },
  };
}

/** Builds the graph as the scanner reaches each part of the file. */
class GraphBuilder {
  #header: SnapshotHeader | undefined;
  #graph: HeapGraph | undefined;
  #checks: (() => void)[] = [];
  #strings: string[] = [];
  #wanted: Uint8Array | undefined;
  readonly #keepAll: boolean;

  constructor(options: ReadOptions) {
    this.#keepAll = options.keepStringText === true;
  }

  sinkFor(key: string): ValueSink {
    if (key === 'snapshot') return { kind: 'parse', done: (value) => this.#start(value as SnapshotHeader) };
    const graph = this.#graph;
    if ((key === 'nodes' || key === 'edges' || key === 'strings') && !graph)
      throw new Error(`heap snapshot: "${key}" before "snapshot"`);
    if (!graph || !this.#header) return { kind: 'skip' };
    if (key === 'nodes')
      return this.#track(
        columns(
          'nodes',
          this.#header.meta.node_fields,
          {
            type: graph.nodeType,
            name: graph.nodeName,
            self_size: graph.selfSize,
            edge_count: graph.firstEdge.subarray(1),
          },
          graph.nodeCount,
        ),
      );
    if (key === 'edges')
      return this.#track(
        columns(
          'edges',
          this.#header.meta.edge_fields,
          { type: graph.edgeType, name_or_index: graph.edgeName, to_node: graph.edgeTo },
          graph.edgeCount,
        ),
      );
    if (key === 'strings') return this.#stringSink();
    return { kind: 'skip' };
  }

  #track(table: ReturnType<typeof columns>): ValueSink {
    this.#checks.push(() => table.check());
    return table.sink;
  }

  #start(header: SnapshotHeader): void {
    this.#header = header;
    const nodes = header.node_count;
    const edges = header.edge_count;
    this.#graph = {
      nodeCount: nodes,
      edgeCount: edges,
      nodeTypeNames: header.meta.node_types[0],
      edgeTypeNames: header.meta.edge_types[0],
      nodeType: new Uint8Array(nodes),
      nodeName: new Uint32Array(nodes),
      selfSize: new Float64Array(nodes),
      firstEdge: new Uint32Array(nodes + 1),
      edgeType: new Uint8Array(edges),
      edgeName: new Uint32Array(edges),
      edgeTo: new Uint32Array(edges),
      strings: this.#strings,
    };
  }

  #stringSink(): ValueSink {
    // Strings come last in V8's files, after nodes and edges, so the names in use are known.
    this.#wanted ??= this.#keepAll ? undefined : namesInUse(this.#graph as HeapGraph);
    const wanted = this.#wanted;
    const strings = this.#strings;
    return {
      kind: 'strings',
      wanted: (index) => wanted === undefined || wanted[index] === 1,
      push: (text) => void strings.push(text ?? ''),
    };
  }

  finish(): HeapGraph {
    const graph = this.#graph;
    if (!graph || !this.#header) throw new Error('heap snapshot has no "snapshot" header');
    for (const check of this.#checks) check();
    // Edge counts were stored one place to the right: a running sum makes them start offsets.
    const first = graph.firstEdge;
    for (let n = 0; n < graph.nodeCount; n++) first[n + 1] = (first[n + 1] ?? 0) + (first[n] ?? 0);
    if (first[graph.nodeCount] !== graph.edgeCount)
      throw new Error(`heap snapshot: nodes own ${first[graph.nodeCount]} edges, file has ${graph.edgeCount}`);
    // to_node is an offset into the flat nodes array; the graph wants the node's ordinal.
    const width = this.#header.meta.node_fields.length;
    for (let e = 0; e < graph.edgeCount; e++) graph.edgeTo[e] = (graph.edgeTo[e] ?? 0) / width;
    return graph;
  }
}

/** Which strings are names of nodes (other than string nodes) or of named edges. */
function namesInUse(graph: HeapGraph): Uint8Array {
  let max = 0;
  for (let n = 0; n < graph.nodeCount; n++) max = Math.max(max, graph.nodeName[n] ?? 0);
  for (let e = 0; e < graph.edgeCount; e++) max = Math.max(max, graph.edgeName[e] ?? 0);
  const used = new Uint8Array(max + 1);
  const skipType = graph.nodeTypeNames.map((t) => STRING_NODE_TYPES.has(t));
  for (let n = 0; n < graph.nodeCount; n++) if (!skipType[graph.nodeType[n] ?? 0]) used[graph.nodeName[n] ?? 0] = 1;
  const named = graph.edgeTypeNames.map(edgeTypeHasName);
  for (let e = 0; e < graph.edgeCount; e++) if (named[graph.edgeType[e] ?? 0]) used[graph.edgeName[e] ?? 0] = 1;
  return used;
}

/** Reads `file` into a {@link HeapGraph}; throws on anything that is not a whole V8 heap snapshot. */
export async function readHeapSnapshot(file: string, options: ReadOptions = {}): Promise<HeapGraph> {
  const builder = new GraphBuilder(options);
  const scanner = new TopLevelScanner((key) => builder.sinkFor(key));
  const handle = await open(file, 'r');
  try {
    const size = options.chunkBytes ?? CHUNK_BYTES;
    const buffer = Buffer.allocUnsafe(size);
    for (let read = 1; read > 0;) {
      ({ bytesRead: read } = await handle.read(buffer, 0, size, null));
      scanner.feed(buffer.subarray(0, read));
    }
  } finally {
    await handle.close();
  }
  scanner.end();
  return builder.finish();
}
