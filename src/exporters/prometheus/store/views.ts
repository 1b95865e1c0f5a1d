/** Typed views over the store's memory: columns of numbers, one value per check slot. */
import { EXEMPLAR_ID_BYTES, EXEMPLARS, F, I } from './columns.js';

/** The memory of a store. */
export interface StoreBuffers {
  /** Slots the columns have room for. */
  capacity: number;
  /** `F.size` Float64 columns of `capacity` values. */
  f64: ArrayBuffer;
  /** `I.size` Int32 columns of `capacity` values. */
  i32: ArrayBuffer;
  /** Flow steps: `STEP.size` floats per step of every flow check, at offsets the render plan gives. */
  flow: ArrayBuffer;
  /** With tracing: per slot and bucket, the latest exemplar's value and time, kind (0 none, 1 trace, 2 trace and span) and ids. */
  exemplars?: { f64: ArrayBuffer; kinds: ArrayBuffer; ids: ArrayBuffer };
}

/** Views over {@link StoreBuffers}. */
export class StoreView {
  readonly capacity: number;
  readonly f: Float64Array;
  readonly i: Int32Array;
  readonly flow: Float64Array;
  readonly exemplarValues: Float64Array | undefined;
  readonly exemplarKinds: Int32Array | undefined;
  readonly exemplarIds: Uint8Array | undefined;

  constructor(readonly buffers: StoreBuffers) {
    this.capacity = buffers.capacity;
    this.f = new Float64Array(buffers.f64);
    this.i = new Int32Array(buffers.i32);
    this.flow = new Float64Array(buffers.flow);
    this.exemplarValues = buffers.exemplars && new Float64Array(buffers.exemplars.f64);
    this.exemplarKinds = buffers.exemplars && new Int32Array(buffers.exemplars.kinds);
    this.exemplarIds = buffers.exemplars && new Uint8Array(buffers.exemplars.ids);
  }

  /** Float column `col` of `slot`. */
  num(col: number, slot: number): number {
    return this.f[col * this.capacity + slot] as number;
  }

  /** Int column `col` of `slot`. */
  int(col: number, slot: number): number {
    return this.i[col * this.capacity + slot] as number;
  }

  /** Whether every bit of `flag` is set for `slot`. */
  has(slot: number, flag: number): boolean {
    return ((this.i[I.flags * this.capacity + slot] as number) & flag) === flag;
  }

  /** Copies `count` float columns from `first` of `slot` into `out`. */
  copy(slot: number, first: number, count: number, out: Float64Array): void {
    for (let k = 0; k < count; k++) out[k] = this.f[(first + k) * this.capacity + slot] as number;
  }

  /** Float column `col` of `slot` set to `value`. */
  set(col: number, slot: number, value: number): void {
    this.f[col * this.capacity + slot] = value;
  }

  /** Adds to float column `col` of `slot`. */
  add(col: number, slot: number, value: number): void {
    this.f[col * this.capacity + slot] = (this.f[col * this.capacity + slot] as number) + value;
  }

  /** Int column `col` of `slot` set to `value`. */
  setInt(col: number, slot: number, value: number): void {
    this.i[col * this.capacity + slot] = value;
  }

  /** Index of the exemplar of `slot` and `bucket` in the exemplar columns. */
  exemplarIndex(slot: number, bucket: number): number {
    return slot * EXEMPLARS + bucket;
  }
}

/** Memory for `capacity` slots, zeroed; exemplar storage only `withExemplars`. */
export function allocateBuffers(capacity: number, flowFloats: number, withExemplars: boolean): StoreBuffers {
  const cells = capacity * EXEMPLARS;
  return {
    capacity,
    f64: new ArrayBuffer(F.size * capacity * 8),
    i32: new ArrayBuffer(I.size * capacity * 4),
    flow: new ArrayBuffer(Math.max(1, flowFloats) * 8),
    ...(withExemplars
      ? {
          exemplars: {
            f64: new ArrayBuffer(cells * 2 * 8),
            kinds: new ArrayBuffer(cells * 4),
            ids: new ArrayBuffer(cells * EXEMPLAR_ID_BYTES),
          },
        }
      : {}),
  };
}

/** Every buffer of a store's memory, e.g. to transfer it to another thread rather than copy it. */
export function storeArrayBuffers(buffers: StoreBuffers): ArrayBuffer[] {
  const out = [buffers.f64, buffers.i32, buffers.flow];
  if (buffers.exemplars) out.push(buffers.exemplars.f64, buffers.exemplars.kinds, buffers.exemplars.ids);
  return out;
}

/** Whether two stores' memories have the same layout, so one can be copied over the other. */
export function sameShape(a: StoreBuffers, b: StoreBuffers): boolean {
  return (
    a.capacity === b.capacity &&
    a.flow.byteLength === b.flow.byteLength &&
    (a.exemplars === undefined) === (b.exemplars === undefined)
  );
}

/** Copies every byte of `from`'s memory over `to`'s, of the same shape (see {@link sameShape}). */
export function copyStore(from: StoreBuffers, to: StoreBuffers): void {
  const targets = storeArrayBuffers(to);
  storeArrayBuffers(from).forEach((buffer, k) => new Uint8Array(targets[k] as ArrayBuffer).set(new Uint8Array(buffer)));
}
