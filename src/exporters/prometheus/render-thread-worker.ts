/**
 * The render thread of `/metrics`: writes the per-check exposition from a snapshot of the
 * check store, gzips it, and hands it back as one buffer. The agent's thread only copies
 * the store's columns (a few ms at 10,000 checks) and sends the bytes on, so neither
 * probes nor their timings wait behind a render of tens of MiB.
 */
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../../errors.js';
import { BufferShelf, gzipSink, plainSink } from './chunk-sink.js';
import { CheckRenderer, writeExposition } from './check-render.js';
import type { RenderReply, RenderRequest } from './render-thread-protocol.js';
import type { RenderPlan } from './store/plan.js';
import { StoreView, storeArrayBuffers, type StoreBuffers } from './store/views.js';

/**
 * Slices here only let gzip's completions in, so a staging buffer goes back on the shelf
 * for the next batch; nothing else waits on this thread.
 */
const SLICE_MS = 2;

const port = parentPort;
if (!port) throw new Error('the render thread runs only as a worker thread');

const renderer = new CheckRenderer();
const stages = new BufferShelf(2);
const writerBuffers = new BufferShelf(1);
/**
 * The newest plan. The agent's thread renders with its current plan only, so requests come
 * in generation order; a render under way keeps its own reference to an older one.
 */
let latest: { generation: number; plan: RenderPlan } | undefined;

port.on('message', (request: RenderRequest) => {
  void render(request).then(
    ({ body, snapshot }) => reply({ id: request.id, body, snapshot }, [body, ...storeArrayBuffers(snapshot)]),
    (error: unknown) => reply({ id: request.id, error: errorMessage(error), snapshot: request.snapshot }, []),
  );
});

async function render(request: RenderRequest): Promise<{ body: ArrayBuffer; snapshot: StoreBuffers }> {
  if (request.plan) latest = { generation: request.generation, plan: request.plan };
  if (latest?.generation !== request.generation) throw new Error(`no render plan of generation ${request.generation}`);
  const { plan } = latest;
  const sink = request.gzip ? gzipSink(stages) : plainSink();
  const job = { view: new StoreView(request.snapshot), plan, head: request.head, openMetrics: request.openMetrics };
  // How long it holds this thread's loop matters to no one: the agent's thread measures its own hold.
  await writeExposition(renderer, job, sink, SLICE_MS, writerBuffers);
  const { chunks, bytes } = await sink.end();
  return { body: concat(chunks, bytes), snapshot: request.snapshot };
}

/** One buffer of its own for the whole body, so it can be transferred without copying again. */
function concat(chunks: readonly Uint8Array[], bytes: number): ArrayBuffer {
  const body = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body.buffer;
}

function reply(message: RenderReply, transfer: ArrayBuffer[]): void {
  port?.postMessage(message, transfer);
}
