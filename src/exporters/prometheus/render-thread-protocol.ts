/** The messages between the agent's thread and the render thread of `/metrics`. */
import type { RenderPlan } from './store/plan.js';
import type { StoreBuffers } from './store/views.js';

/** A render: a snapshot of the store (transferred, and handed back), its plan, the agent's own metrics. */
export interface RenderRequest {
  id: number;
  /** The plan's generation; the plan itself comes only with the first request of a generation. */
  generation: number;
  plan?: RenderPlan;
  snapshot: StoreBuffers;
  head: Uint8Array;
  openMetrics: boolean;
  gzip: boolean;
}

/** A finished render: its body as one buffer (transferred), and the snapshot handed back. */
export type RenderReply =
  { id: number; body: ArrayBuffer; snapshot: StoreBuffers } | { id: number; error: string; snapshot?: StoreBuffers };
