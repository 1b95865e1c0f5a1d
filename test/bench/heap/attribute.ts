/**
 * Splits a heap between owners (see owners.ts): every live byte goes to the nearest
 * owner root above it in the dominator tree, or to no one. Also measures each owner the
 * DevTools way, as the retained size of its roots taken together, which overlaps with
 * other owners but shows what removing the whole part would free.
 */
import { dominatorTree, type DominatorTree } from './dominators.js';
import { totalSize, type HeapGraph } from './graph.js';
import { KindTally, type KindBytes } from './kinds.js';
import type { OwnerSpec } from './owners.js';
import { findRoots } from './root-paths.js';

/** One owner's share of the heap. */
export interface OwnerBytes {
  owner: string;
  /** Distinct root objects found. */
  rootObjects: number;
  /** Root objects found, by root path (a path may find objects another path of the same owner found). */
  roots: Record<string, number>;
  /** Bytes it holds and no nearer owner claims: the rows of all owners add up without overlap. */
  bytes: number;
  /** Objects (heap nodes) in `bytes`. */
  objects: number;
  /** Retained size of all its roots together: includes what nested owners claim. */
  retainedBytes: number;
  /** What `bytes` is made of, largest first. */
  kinds: KindBytes[];
}

/** A heap split between owners. */
export interface Attribution {
  /** Self size of every node in the snapshot. */
  heapBytes: number;
  nodes: number;
  edges: number;
  /** Bytes held only through weak edges (DevTools counts them at the root too). */
  unreachableBytes: number;
  owners: OwnerBytes[];
  /** Live bytes no owner claims. */
  unattributedBytes: number;
  /** What the unclaimed bytes are made of, largest first. */
  unattributed: KindBytes[];
}

/** How many kinds to keep for the unclaimed bytes (the report shows fewer), and for each owner. */
const TOP_UNATTRIBUTED = 100;
const TOP_PER_OWNER = 6;

/** The root nodes of each owner, and which owner each node is a root of (-1: none; first owner wins). */
function rootsOf(graph: HeapGraph, owners: readonly OwnerSpec[]) {
  const found = findRoots(
    graph,
    owners.flatMap((o) => o.roots),
  );
  const rootOwner = new Int16Array(graph.nodeCount).fill(-1);
  const lists = owners.map((o, k) => {
    const nodes = [...new Set(o.roots.flatMap((path) => found.get(path) ?? []))];
    for (const n of nodes) if (rootOwner[n] === -1) rootOwner[n] = k;
    return nodes;
  });
  const counts = owners.map((o) => Object.fromEntries(o.roots.map((path) => [path, found.get(path)?.length ?? 0])));
  return { rootOwner, lists, counts };
}

/** Owner of every reachable node: its own if it is a root, else its dominator's (preorder puts dominators first). */
function nearestOwner(tree: DominatorTree, rootOwner: Int16Array): Int16Array {
  const owner = new Int16Array(rootOwner.length).fill(-1);
  for (let i = 0; i < tree.preorder.length; i++) {
    const v = tree.preorder[i] ?? 0;
    const own = rootOwner[v] ?? -1;
    owner[v] = own >= 0 || i === 0 ? own : (owner[tree.idom[v] ?? 0] ?? -1);
  }
  return owner;
}

/** Retained size of a set of roots together: self sizes of every node at or under one of them. */
function retainedTogether(
  graph: HeapGraph,
  tree: DominatorTree,
  roots: readonly number[],
  scratch: Uint8Array,
): number {
  scratch.fill(0);
  for (const r of roots) scratch[r] = 1;
  let bytes = 0;
  for (let i = 1; i < tree.preorder.length; i++) {
    const v = tree.preorder[i] ?? 0;
    if (scratch[v] === 0 && scratch[tree.idom[v] ?? 0] === 1) scratch[v] = 1;
    if (scratch[v] === 1) bytes += graph.selfSize[v] ?? 0;
  }
  return bytes;
}

/** Splits `graph` between `owners`. */
export function attribute(
  graph: HeapGraph,
  owners: readonly OwnerSpec[],
  tree: DominatorTree = dominatorTree(graph),
): Attribution {
  const { rootOwner, lists, counts } = rootsOf(graph, owners);
  const owner = nearestOwner(tree, rootOwner);
  const bytes = new Float64Array(owners.length + 1);
  const objects = new Float64Array(owners.length + 1);
  const kinds = new KindTally(graph);
  let live = 0;
  for (const v of tree.preorder) {
    const group = (owner[v] ?? -1) + 1; // 0: unattributed
    const size = graph.selfSize[v] ?? 0;
    bytes[group] = (bytes[group] ?? 0) + size;
    objects[group] = (objects[group] ?? 0) + 1;
    kinds.add(group, v);
    live += size;
  }
  const heapBytes = totalSize(graph);
  const scratch = new Uint8Array(graph.nodeCount);
  return {
    heapBytes,
    nodes: graph.nodeCount,
    edges: graph.edgeCount,
    unreachableBytes: heapBytes - live,
    owners: owners.map((o, k) => ({
      owner: o.owner,
      rootObjects: lists[k]?.length ?? 0,
      roots: counts[k] ?? {},
      bytes: bytes[k + 1] ?? 0,
      objects: objects[k + 1] ?? 0,
      retainedBytes: retainedTogether(graph, tree, lists[k] ?? [], scratch),
      kinds: kinds.top(k + 1, TOP_PER_OWNER),
    })),
    unattributedBytes: bytes[0] ?? 0,
    unattributed: kinds.top(0, TOP_UNATTRIBUTED),
  };
}
