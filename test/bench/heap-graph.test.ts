/**
 * Tests of the heap benchmark's analysis on hand-made graphs: dominators and retained
 * sizes (against known answers and against a brute-force definition), attribution to
 * owners, root paths, the streaming snapshot reader, and the per-check comparison.
 * Run with: npm run build && node dist/test/run.js bench/heap
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attribute } from './heap/attribute.js';
import { compare, type HeapRun } from './heap/compare.js';
import { dominatorTree, retainedSizes } from './heap/dominators.js';
import type { HeapGraph } from './heap/graph.js';
import { EDGE_TYPES, makeGraph, type EdgeSpec, type NodeSpec } from './heap/test-graphs.js';
import { findRoots, parseRootPath } from './heap/root-paths.js';

/**
 * root ─> A ─> C ─> D      A and B both lead to C, so only the root dominates C.
 *   │     ├──> E ┄┄> F     F is reachable only through a weak edge: retained by no one.
 *   │     ├──> G <┄┄ B     B's weak edge to G does not count: A dominates G.
 *   │     └┈┈> D           A's shortcut to D does not count (only the root's do).
 *   ├──> B ─> C
 *   └┈┈> H                 the root's shortcut to H counts.
 */
const SAMPLE = makeGraph(
  [
    ['synthetic', '', 0],
    ['object', 'A', 10],
    ['object', 'B', 20],
    ['object', 'C', 30],
    ['object', 'D', 40],
    ['object', 'E', 50],
    ['object', 'F', 60],
    ['object', 'G', 70],
    ['object', 'H', 80],
  ],
  [
    [0, 1, 'property', 'a'],
    [0, 2, 'property', 'b'],
    [0, 8, 'shortcut', 'h'],
    [1, 3, 'property', 'c'],
    [1, 5, 'property', 'e'],
    [1, 7, 'element', 0],
    [1, 4, 'shortcut', 'd'],
    [2, 3, 'internal', 'c'],
    [2, 7, 'weak', 'g'],
    [3, 4, 'property', 'd'],
    [5, 6, 'weak', 'f'],
  ],
);

describe('dominators and retained sizes', () => {
  test('a hand-made graph: two paths, weak edges and shortcuts', () => {
    const tree = dominatorTree(SAMPLE);
    assert.deepEqual([...tree.idom], [0, 0, 0, 0, 3, 1, 0, 1, 0]);
    assert.equal(tree.reachableCount, 8);
    assert.deepEqual([...retainedSizes(SAMPLE, tree)], [360, 130, 20, 70, 40, 50, 60, 70, 80]);
  });

  test('random graphs agree with the definition (d dominates v when removing d cuts v off)', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 40; round++) {
      const n = 2 + Math.floor(random() * 25);
      const edges: EdgeSpec[] = [];
      for (let e = 0; e < n * 2; e++)
        edges.push([Math.floor(random() * n), Math.floor(random() * n), random() < 0.15 ? 'weak' : 'property', 'x']);
      const graph = makeGraph(
        Array.from({ length: n }, (_, i) => ['object', `N${i}`, 1 + i] as NodeSpec),
        edges,
      );
      const retained = retainedSizes(graph, dominatorTree(graph));
      const reach = (without: number) => reachable(graph, without);
      const all = reach(-1);
      for (let d = 1; d < n; d++) {
        if (!all[d]) continue;
        const cut = reach(d);
        // d retains itself and everything reachable only through it.
        const expected = all.reduce((sum, r, v) => sum + (r && (v === d || !cut[v]) ? (graph.selfSize[v] ?? 0) : 0), 0);
        assert.equal(retained[d], expected, `round ${round}, node ${d}`);
      }
    }
  });
});

/** Nodes reachable from the root along non-weak edges, never entering `without`. */
function reachable(graph: HeapGraph, without: number): boolean[] {
  const seen = Array.from({ length: graph.nodeCount }, () => false);
  const stack = [0];
  seen[0] = true;
  while (stack.length > 0) {
    const v = stack.pop() ?? 0;
    for (let e = graph.firstEdge[v] ?? 0; e < (graph.firstEdge[v + 1] ?? 0); e++) {
      const w = graph.edgeTo[e] ?? 0;
      if (w === without || seen[w] || EDGE_TYPES[graph.edgeType[e] ?? 0] === 'weak') continue;
      seen[w] = true;
      stack.push(w);
    }
  }
  return seen;
}

describe('attribution', () => {
  test('each byte goes to the nearest owner root above it; retained counts nested owners', () => {
    const result = attribute(SAMPLE, [
      { owner: 'outer', roots: ['A'] },
      { owner: 'inner', roots: ['A.e'] },
      { owner: 'missing', roots: ['Nope'] },
    ]);
    const [outer, inner, missing] = result.owners;
    assert.deepEqual([outer?.bytes, outer?.retainedBytes, outer?.rootObjects], [80, 130, 1]);
    assert.deepEqual([inner?.bytes, inner?.retainedBytes, inner?.rootObjects], [50, 50, 1]);
    assert.deepEqual([missing?.bytes, missing?.rootObjects], [0, 0]);
    assert.equal(result.heapBytes, 360);
    assert.equal(result.unreachableBytes, 60);
    assert.equal(result.unattributedBytes, 20 + 30 + 40 + 80);
    assert.deepEqual(
      result.unattributed.slice(0, 4).map((k) => k.kind),
      ['H', 'D', 'C', 'B'],
    );
  });

  test('root paths: syntax, and typos refused', () => {
    assert.deepEqual(parseRootPath('Agent(#scheduler)'), {
      nodeType: 'object',
      name: 'Agent',
      having: '#scheduler',
      steps: [],
    });
    assert.deepEqual(parseRootPath('Scheduler.#slots{}.timer'), {
      nodeType: 'object',
      name: 'Scheduler',
      having: undefined,
      steps: ['.#slots', '{}', '.timer'],
    });
    assert.deepEqual(parseRootPath('closure:native_bind').nodeType, 'closure');
    assert.deepEqual(parseRootPath('Agent.#checks[]').steps, ['.#checks', '[]']);
    assert.deepEqual(parseRootPath('Agent.#checks[]{weak}').steps, ['.#checks', '[]', '{weak}']);
    assert.throws(() => parseRootPath('Agent..x'), /cannot read/);
    assert.throws(() => parseRootPath('.x'), /class name first/);
  });
});

describe('root paths on a graph', () => {
  // Holder ─items─> Array ─element─> P, P            a plain array
  //        ─frozen─> Array ─elements─> (object elements) ─0─> P   a frozen one
  //        ─#map─> Map ─table─> (table) ─5─> "key", ─6─> V          a Map
  //   P (the first) ─part of key─> W                                a WeakMap keyed by P
  const graph = makeGraph(
    [
      ['synthetic', '', 0],
      ['object', 'Holder', 8],
      ['object', 'Array', 8],
      ['object', 'P', 8],
      ['object', 'P', 8],
      ['object', 'Array', 8],
      ['array', '(object elements)', 8],
      ['object', 'P', 8],
      ['object', 'Map', 8],
      ['array', '', 8],
      ['string', 'key', 8],
      ['object', 'V', 8],
      ['object', 'Holder', 8],
      ['object', 'W', 8],
    ],
    [
      [0, 1, 'property', 'h'],
      [0, 12, 'property', 'other'],
      [1, 2, 'property', 'items'],
      [1, 5, 'property', 'frozen'],
      [1, 8, 'property', '#map'],
      [2, 3, 'element', 0],
      [2, 4, 'element', 1],
      [5, 6, 'internal', 'elements'],
      [6, 7, 'internal', '0'],
      [8, 9, 'internal', 'table'],
      [9, 10, 'internal', '5'],
      [9, 11, 'internal', '6'],
      [3, 13, 'internal', '1 / part of key (Object @7) -> value (Object @27) pair in WeakMap (table @9)'],
    ],
  );

  test('properties, array items (both layouts), Map contents, WeakMap values, and the having filter', () => {
    const found = findRoots(graph, [
      'Holder',
      'Holder(#map)',
      'Holder.items[]',
      'Holder.frozen[]',
      'Holder.#map{}',
      'P',
      'Holder.items[]{weak}',
      'Holder.nothing',
    ]);
    assert.deepEqual(Object.fromEntries(found), {
      Holder: [1, 12],
      'Holder(#map)': [1],
      'Holder.items[]': [3, 4],
      'Holder.frozen[]': [7],
      'Holder.#map{}': [11],
      P: [3, 4, 7],
      'Holder.items[]{weak}': [13],
      'Holder.nothing': [],
    });
  });
});

describe('comparison', () => {
  test('bytes per added check between the smallest and the largest run', () => {
    const run = (checks: number, owned: number, heap: number) =>
      ({
        snapshot: { checks, heapUsedBytes: heap, rssBytes: 2 * heap, peakRssBytes: 3 * heap },
        attribution: {
          heapBytes: heap,
          unattributedBytes: heap - owned,
          unreachableBytes: 0,
          owners: [{ owner: 'x', bytes: owned, retainedBytes: owned, rootObjects: checks }],
          unattributed: [{ kind: '(string)', bytes: heap - owned, count: 1 }],
        },
      }) as unknown as HeapRun;
    const c = compare([run(10_000, 5_000_000, 9_000_000), run(1_000, 500_000, 1_800_000)]);
    assert.deepEqual(c.checks, [1_000, 10_000]);
    assert.equal(c.owners[0]?.perAddedCheck, 500);
    assert.deepEqual(c.owners[0]?.roots, [1_000, 10_000]);
    assert.equal(c.unattributed[0]?.perAddedCheck, (4_000_000 - 1_300_000) / 9_000);
    assert.equal(c.totals.find((t) => t.name.startsWith('heap snapshot'))?.perAddedCheck, 800);
  });
});
