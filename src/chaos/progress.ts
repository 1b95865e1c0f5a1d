/**
 * What a run reports while it runs, as it happens: steps, faults, waves and their gates,
 * hypothesis verdicts, the rollback. The journal keeps the full record; these events only
 * tell a watcher (the CLI's progress lines) that something just happened.
 */
import type { HypothesisReport, StepRecord } from './model/journal.js';

export type ChaosProgress =
  | { type: 'step.start'; step: string; action: string }
  | { type: 'step.end'; step: string; status: StepRecord['status']; error?: string | undefined }
  | { type: 'fault.applied' | 'fault.reverted'; step: string; instance?: string; ok: boolean; error?: string }
  | { type: 'wave.start'; step: string; wave: number; waves: number; instances: string[] }
  /** `gate` undefined: the wave was not gated (restore). */
  | { type: 'wave.end'; step: string; wave: number; gate?: boolean }
  | { type: 'hypothesis'; phase: 'before' | 'abort' | 'after'; report: HypothesisReport }
  | { type: 'rollback.start' }
  | { type: 'rollback.call'; step: string; ok: boolean; error?: string }
  | { type: 'rollback.end'; ok: boolean };

export type ProgressListener = (event: ChaosProgress) => void;

/** Tells the listener, if any; a listener that throws must not disturb the run (nor its rollback). */
export function notify(listener: ProgressListener | undefined, event: ChaosProgress): void {
  try {
    listener?.(event);
  } catch {
    // Progress is a view; the journal is the record.
  }
}
