import { bandwidthToxic } from './bandwidth.js';
import { httpDelayToxic } from './http-delay.js';
import { httpStatusToxic } from './http-status.js';
import { latencyToxic } from './latency.js';
import { limitDataToxic } from './limit-data.js';
import { resetPeerToxic } from './reset-peer.js';
import { slicerToxic } from './slicer.js';
import { slowCloseToxic } from './slow-close.js';
import { timeoutToxic } from './timeout.js';
import type { ToxicKind } from './types.js';

/** Every toxic kind by its `type`; one file each, as Toxiproxy's `toxics/*.go`. */
export const TOXIC_KINDS: ReadonlyMap<string, ToxicKind> = new Map(
  [
    latencyToxic,
    bandwidthToxic,
    slowCloseToxic,
    timeoutToxic,
    resetPeerToxic,
    slicerToxic,
    limitDataToxic,
    httpStatusToxic,
    httpDelayToxic,
  ].map((kind) => [kind.type, kind]),
);
