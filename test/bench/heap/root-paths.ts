/**
 * Root paths: how the owner table names the objects an owner starts from, in a few
 * characters a reader can check against the source.
 *
 *   SampleRing                 every object whose constructor is SampleRing
 *   Agent(#scheduler)          ... that also has a property #scheduler (Node's http.Agent has not)
 *   closure:native_bind        every function of that name (V8 names bound functions native_bind)
 *   Agent.#config.checks       follow properties (private fields are spelt with their #)
 *   Agent.#checks[]            the items of an array
 *   Scheduler.#slots{}         the objects in a Map's or Set's table (keys and values)
 *   Agent.#checks[]{weak}      the values WeakMaps hold for these keys (module-level caches
 *                              keyed by an object, which V8 shows as "part of key" edges)
 *
 * Steps never follow weak edges, and `{}` keeps only objects and functions (a Map's string
 * keys belong to whoever else holds them).
 */
import { edgeLabel, nodeName, nodeTypeName, typeCode, type HeapGraph } from './graph.js';

/** A parsed root path. */
interface RootPath {
  /** `object` or `closure`. */
  nodeType: string;
  name: string;
  /** Only nodes with an edge of this name. */
  having: string | undefined;
  /** `.name`, `[]`, `{}` or `{weak}`. */
  steps: string[];
}

const HEAD = /^(?:(closure):)?([^.[{(]+)(?:\(([^)]+)\))?/;
const STEP = /^(?:\.([^.[{]+)|(\[\])|(\{\})|(\{weak\}))/;

/** Parses a root path; throws on anything it cannot read, so a typo in the table fails loudly. */
export function parseRootPath(path: string): RootPath {
  const head = HEAD.exec(path);
  if (!head?.[2]) throw new Error(`root path ${JSON.stringify(path)}: expected a class name first`);
  const steps: string[] = [];
  for (let rest = path.slice(head[0].length); rest !== '';) {
    const step = STEP.exec(rest);
    if (!step) throw new Error(`root path ${JSON.stringify(path)}: cannot read ${JSON.stringify(rest)}`);
    steps.push(step[1] !== undefined ? `.${step[1]}` : (step[2] ?? step[3] ?? step[4] ?? ''));
    rest = rest.slice(step[0].length);
  }
  return { nodeType: head[1] ?? 'object', name: head[2], having: head[3], steps };
}

/** The nodes of a type and name, for every head the paths start from, in one pass over the graph. */
function nodesByHead(graph: HeapGraph, paths: readonly RootPath[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of paths) out.set(`${p.nodeType}:${p.name}`, []);
  const wantedType = new Set(paths.map((p) => typeCode(graph.nodeTypeNames, p.nodeType)));
  for (let n = 0; n < graph.nodeCount; n++) {
    if (!wantedType.has(graph.nodeType[n] ?? -1)) continue;
    out.get(`${nodeTypeName(graph, n)}:${nodeName(graph, n)}`)?.push(n);
  }
  return out;
}

/** Targets of `node`'s edges that `keep` accepts (weak edges never). */
function follow(graph: HeapGraph, node: number, keep: (edge: number, to: number) => boolean): number[] {
  const weak = typeCode(graph.edgeTypeNames, 'weak');
  const out: number[] = [];
  for (let e = graph.firstEdge[node] ?? 0; e < (graph.firstEdge[node + 1] ?? 0); e++) {
    const to = graph.edgeTo[e] ?? 0;
    if (graph.edgeType[e] !== weak && keep(e, to)) out.push(to);
  }
  return out;
}

/** One step from `node`. */
function step(graph: HeapGraph, node: number, how: string): number[] {
  const element = typeCode(graph.edgeTypeNames, 'element');
  if (how === '[]') {
    // V8 lists an array's items as element edges, or (frozen arrays, some others) as the
    // numbered slots of its `elements` backing store.
    const direct = follow(graph, node, (e) => graph.edgeType[e] === element);
    const store = follow(graph, node, (e) => edgeLabel(graph, e) === 'elements');
    return [...direct, ...store.flatMap((s) => follow(graph, s, (e) => edgeLabel(graph, e) !== 'map'))];
  }
  if (how === '{}') {
    const objectLike = new Set(['object', 'closure']);
    return follow(graph, node, (e) => edgeLabel(graph, e) === 'table').flatMap((table) =>
      follow(graph, table, (e, to) => edgeLabel(graph, e) !== 'map' && objectLike.has(nodeTypeName(graph, to))),
    );
  }
  if (how === '{weak}') {
    // V8 draws a WeakMap entry as an internal edge from its key to its value, named
    // "N / part of key (K @id) -> value (V @id) pair in WeakMap (table @id)".
    return follow(graph, node, (e) => edgeLabel(graph, e).includes(' / part of key '));
  }
  const name = how.slice(1);
  return follow(graph, node, (e) => edgeLabel(graph, e) === name);
}

/** The nodes each path names, by path; a path that names nothing gives an empty list. */
export function findRoots(graph: HeapGraph, paths: readonly string[]): Map<string, number[]> {
  const parsed = paths.map(parseRootPath);
  const heads = nodesByHead(graph, parsed);
  const out = new Map<string, number[]>();
  parsed.forEach((p, i) => {
    let nodes = heads.get(`${p.nodeType}:${p.name}`) ?? [];
    if (p.having !== undefined) nodes = nodes.filter((n) => step(graph, n, `.${p.having}`).length > 0);
    for (const how of p.steps) nodes = [...new Set(nodes.flatMap((n) => step(graph, n, how)))];
    out.set(paths[i] ?? '', nodes);
  });
  return out;
}
