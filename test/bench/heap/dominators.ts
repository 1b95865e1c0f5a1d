/**
 * The dominator tree of a heap graph and the retained size of every node, as Chrome
 * DevTools computes them: node `d` dominates `n` when every path from the root to `n`
 * passes through `d`, and a node's retained size is what would be freed with it (its own
 * size and that of every node it dominates). Weak edges do not keep anything alive, and
 * shortcut edges only count from the root (they duplicate a path that exists anyway),
 * so neither is followed.
 *
 * Lengauer–Tarjan with path compression (O(E log N)), iterative and over typed arrays, so
 * a graph of millions of nodes needs no recursion and no object per node. Vertices are
 * handled by their depth-first preorder number (1-based, 0 means none).
 */
import { ROOT, typeCode, type HeapGraph } from './graph.js';

/** The dominator tree, by node ordinal. */
export interface DominatorTree {
  /** Immediate dominator of each node; the root's is itself, and so is that of nodes the root cannot reach. */
  idom: Uint32Array;
  /** The reachable nodes in depth-first preorder, root first: a node's dominator always comes before it. */
  preorder: Uint32Array;
  /** Nodes reachable from the root through retaining edges. */
  reachableCount: number;
}

/** Whether an edge of this type, from this node, keeps its target alive. */
function retainingEdgeTest(graph: HeapGraph, root: number): (from: number, type: number) => boolean {
  const weak = typeCode(graph.edgeTypeNames, 'weak');
  const shortcut = typeCode(graph.edgeTypeNames, 'shortcut');
  return (from, type) => type !== weak && (type !== shortcut || from === root);
}

/** Depth-first numbering from the root: `number[node]` (0: unreachable), `vertex[number]`, `parent[number]`. */
function depthFirst(graph: HeapGraph, root: number, retains: (from: number, type: number) => boolean) {
  const number = new Uint32Array(graph.nodeCount);
  const vertex = new Uint32Array(graph.nodeCount + 1);
  const parent = new Uint32Array(graph.nodeCount + 1);
  const stack = new Uint32Array(graph.nodeCount);
  const cursor = new Uint32Array(graph.nodeCount);
  let count = 1;
  number[root] = 1;
  vertex[1] = root;
  stack[0] = root;
  cursor[0] = graph.firstEdge[root] ?? 0;
  for (let top = 0; top >= 0;) {
    const v = stack[top] ?? 0;
    const e = cursor[top] ?? 0;
    if (e >= (graph.firstEdge[v + 1] ?? 0)) {
      top--;
      continue;
    }
    cursor[top] = e + 1;
    const w = graph.edgeTo[e] ?? 0;
    if (number[w] !== 0 || !retains(v, graph.edgeType[e] ?? 0)) continue;
    number[w] = ++count;
    vertex[count] = w;
    parent[count] = number[v] ?? 0;
    stack[++top] = w;
    cursor[top] = graph.firstEdge[w] ?? 0;
  }
  return { number, vertex, parent, count };
}

type Numbering = ReturnType<typeof depthFirst>;

/** Predecessors of each vertex along retaining edges, by preorder number: `list[start[w] .. start[w + 1])`. */
function predecessors(graph: HeapGraph, order: Numbering, retains: (from: number, type: number) => boolean) {
  const { number, vertex, count } = order;
  const start = new Uint32Array(count + 2);
  const each = (visit: (from: number, to: number) => void) => {
    for (let i = 1; i <= count; i++) {
      const v = vertex[i] ?? 0;
      for (let e = graph.firstEdge[v] ?? 0; e < (graph.firstEdge[v + 1] ?? 0); e++) {
        const to = number[graph.edgeTo[e] ?? 0] ?? 0;
        if (to !== 0 && retains(v, graph.edgeType[e] ?? 0)) visit(i, to);
      }
    }
  };
  each((_from, to) => {
    start[to + 1] = (start[to + 1] ?? 0) + 1;
  });
  for (let i = 1; i <= count + 1; i++) start[i] = (start[i] ?? 0) + (start[i - 1] ?? 0);
  const list = new Uint32Array(start[count + 1] ?? 0);
  const fill = start.slice();
  each((from, to) => {
    const at = fill[to] ?? 0;
    list[at] = from;
    fill[to] = at + 1;
  });
  return { start, list };
}

/** The forest of Lengauer–Tarjan's EVAL/LINK, with path compression. */
class Forest {
  readonly ancestor: Uint32Array;
  readonly label: Uint32Array;
  readonly #path: Uint32Array;

  constructor(
    count: number,
    readonly semi: Uint32Array,
  ) {
    this.ancestor = new Uint32Array(count + 1);
    this.label = new Uint32Array(count + 1);
    for (let v = 0; v <= count; v++) this.label[v] = v;
    this.#path = new Uint32Array(count + 1);
  }

  /** The vertex of least semidominator on the forest path above `v` (`v` itself at a tree root). */
  eval(v: number): number {
    const { ancestor, label, semi } = this;
    if (ancestor[v] === 0) return v;
    // Compress the path iteratively: collect it, then fix it from the top down.
    let depth = 0;
    for (let x = v; ancestor[ancestor[x] ?? 0] !== 0; x = ancestor[x] ?? 0) this.#path[depth++] = x;
    while (depth > 0) {
      const x = this.#path[--depth] ?? 0;
      const a = ancestor[x] ?? 0;
      if ((semi[label[a] ?? 0] ?? 0) < (semi[label[x] ?? 0] ?? 0)) label[x] = label[a] ?? 0;
      ancestor[x] = ancestor[a] ?? 0;
    }
    return label[v] ?? 0;
  }
}

/** Immediate dominators by preorder number (Lengauer–Tarjan's main loop). */
function immediateDominators(order: Numbering, preds: ReturnType<typeof predecessors>): Uint32Array {
  const { parent, count } = order;
  const semi = new Uint32Array(count + 1);
  for (let v = 0; v <= count; v++) semi[v] = v;
  const idom = new Uint32Array(count + 1);
  const bucketHead = new Uint32Array(count + 1);
  const bucketNext = new Uint32Array(count + 1);
  const forest = new Forest(count, semi);
  for (let w = count; w >= 2; w--) {
    for (let p = preds.start[w] ?? 0; p < (preds.start[w + 1] ?? 0); p++) {
      const u = forest.eval(preds.list[p] ?? 0);
      if ((semi[u] ?? 0) < (semi[w] ?? 0)) semi[w] = semi[u] ?? 0;
    }
    const s = semi[w] ?? 0;
    bucketNext[w] = bucketHead[s] ?? 0;
    bucketHead[s] = w;
    const pw = parent[w] ?? 0;
    forest.ancestor[w] = pw;
    for (let v = bucketHead[pw] ?? 0; v !== 0; v = bucketNext[v] ?? 0) {
      const u = forest.eval(v);
      idom[v] = (semi[u] ?? 0) < (semi[v] ?? 0) ? u : pw;
    }
    bucketHead[pw] = 0;
  }
  for (let w = 2; w <= count; w++) if (idom[w] !== semi[w]) idom[w] = idom[idom[w] ?? 0] ?? 0;
  return idom;
}

/** Computes the dominator tree of `graph` from its root. */
export function dominatorTree(graph: HeapGraph, root: number = ROOT): DominatorTree {
  const retains = retainingEdgeTest(graph, root);
  const order = depthFirst(graph, root, retains);
  const byNumber = immediateDominators(order, predecessors(graph, order, retains));
  const idom = new Uint32Array(graph.nodeCount).fill(root);
  for (let w = 2; w <= order.count; w++) idom[order.vertex[w] ?? 0] = order.vertex[byNumber[w] ?? 0] ?? root;
  return { idom, preorder: order.vertex.slice(1, order.count + 1), reachableCount: order.count };
}

/**
 * Retained size of every node: its self size plus that of every node it dominates.
 * Nodes the root cannot reach count as dominated by the root, so the root retains the
 * whole heap, as in DevTools.
 */
export function retainedSizes(graph: HeapGraph, tree: DominatorTree): Float64Array {
  const retained = Float64Array.from(graph.selfSize);
  // Children before their dominators: reverse preorder.
  for (let i = tree.preorder.length - 1; i >= 1; i--) {
    const v = tree.preorder[i] ?? 0;
    const d = tree.idom[v] ?? 0;
    retained[d] = (retained[d] ?? 0) + (retained[v] ?? 0);
  }
  const root = tree.preorder[0] ?? ROOT;
  const reached = new Uint8Array(graph.nodeCount);
  for (const v of tree.preorder) reached[v] = 1;
  for (let v = 0; v < graph.nodeCount; v++)
    if (reached[v] === 0) retained[root] = (retained[root] ?? 0) + (graph.selfSize[v] ?? 0);
  return retained;
}
