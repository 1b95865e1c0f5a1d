/**
 * Tests of the heap benchmark's snapshot side: the streaming reader on files whose content
 * is known (cut into chunks of every size), and a real heap snapshot of a child Node
 * process holding a structure of known size (test/bench/heap/fixture.ts).
 * Run with: npm run build && node dist/test/run.js bench/heap
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stop, type Started } from './children.js';
import { ask, benchScript, nextMessage, startNode } from './ipc.js';
import { attribute } from './heap/attribute.js';
import { PAYLOAD_BYTES, PROBES } from './heap/fixture.js';
import { readHeapSnapshot } from './heap/read-snapshot.js';
import { heapSnapshotFlags, takeHeapSnapshot } from './heap/signal-snapshot.js';
import { makeGraph, toSnapshotJson } from './heap/test-graphs.js';

const dir = mkdtempSync(join(tmpdir(), 'canary-heap-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshot reader', () => {
  const graph = makeGraph(
    [
      ['synthetic', '', 0],
      ['object', 'Café "quoted" \\ back\nslash', 123456789],
      ['string', 'text of a string €', 32],
      ['closure', 'native_bind', 48],
    ],
    [
      [0, 1, 'property', 'ünïcode key'],
      [0, 2, 'element', 7],
      [1, 3, 'internal', 'bound'],
      [3, 2, 'weak', 'w'],
    ],
  );
  const file = join(dir, 'made.heapsnapshot');
  writeFileSync(file, toSnapshotJson(graph));

  test('reads back every field, whatever the chunk boundaries', async () => {
    for (const chunkBytes of [1, 2, 3, 7, 64, undefined]) {
      const read = await readHeapSnapshot(file, { keepStringText: true, ...(chunkBytes ? { chunkBytes } : {}) });
      for (const field of [
        'nodeType',
        'nodeName',
        'selfSize',
        'firstEdge',
        'edgeType',
        'edgeName',
        'edgeTo',
      ] as const) {
        assert.deepEqual([...read[field]], [...graph[field]], `${field} with ${chunkBytes ?? 'default'}-byte chunks`);
      }
      assert.deepEqual(read.strings, graph.strings);
      assert.deepEqual(
        [read.nodeCount, read.edgeCount, read.nodeTypeNames, read.edgeTypeNames],
        [4, 4, graph.nodeTypeNames, graph.edgeTypeNames],
      );
    }
  });

  test('leaves out the text of strings unless asked, and refuses a cut-off file', async () => {
    const read = await readHeapSnapshot(file);
    assert.equal(read.strings[read.nodeName[2] ?? 0], '');
    assert.equal(read.strings[read.nodeName[1] ?? 0], 'Café "quoted" \\ back\nslash');
    const cut = join(dir, 'cut.heapsnapshot');
    const text = toSnapshotJson(graph);
    writeFileSync(cut, text.slice(0, text.indexOf('"strings"') + 15));
    await assert.rejects(readHeapSnapshot(cut), /ends early/);
  });
});

describe('a real heap snapshot of a child process', { timeout: 60_000 }, () => {
  let child: Started;
  let file: string;
  let heapUsed: { before: number; after: number };

  before(async () => {
    child = await startNode(benchScript('heap/fixture.js'), [], heapSnapshotFlags(dir));
    await nextMessage(child, 20_000);
    const dropped = await ask<{ heapUsed: number }>(child, 'drop');
    file = await takeHeapSnapshot(child, { dir, timeoutMs: 30_000, roundTrip: () => ask(child, 'ping') });
    heapUsed = { before: dropped.heapUsed, after: (await ask<{ heapUsed: number }>(child, 'memory')).heapUsed };
  });
  after(() => stop(child, 2_000));

  test('taking the snapshot collected the garbage the child had let go of', () => {
    // About 20 MB of objects and strings, promoted to the old generation: only a full GC frees them.
    assert.ok(heapUsed.before - heapUsed.after > 8e6, `heapUsed ${heapUsed.before} before, ${heapUsed.after} after`);
  });

  test('retained sizes of the known structure', async () => {
    const result = attribute(await readHeapSnapshot(file), [
      { owner: 'probes', roots: ['Probe42'] },
      { owner: 'tags', roots: ['Holder42.#tags{}'] },
      { owner: 'holder', roots: ['Holder42'] },
    ]);
    const [probes, tags, holder] = result.owners;
    assert.ok(probes && tags && holder);
    assert.equal(probes.rootObjects, PROBES);
    // Each: its payload's bytes (outside V8's heap, counted by the snapshot), the ArrayBuffer and the object.
    const perProbe = probes.bytes / PROBES;
    assert.ok(perProbe > PAYLOAD_BYTES + 50 && perProbe < PAYLOAD_BYTES + 400, `bytes per Probe42: ${perProbe}`);
    assert.equal(tags.rootObjects, PROBES);
    assert.ok(tags.bytes / PROBES >= 16 && tags.bytes / PROBES < 200, `bytes per tag: ${tags.bytes / PROBES}`);
    // The holder keeps its array, its Map and the labels (shared by the Map's keys and the tags).
    assert.ok(holder.bytes > PROBES * 8 && holder.bytes < 200_000, `holder's own bytes: ${holder.bytes}`);
    // All of it, Probe42 number 0 included although a WeakRef points at it too.
    assert.equal(holder.retainedBytes, holder.bytes + probes.bytes + tags.bytes);
    assert.ok(result.heapBytes > holder.retainedBytes && result.unattributedBytes > 0);
  });
});
