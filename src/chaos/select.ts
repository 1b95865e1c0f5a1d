/**
 * Which instances a step acts on, and the blast radius that bounds them. Selection is
 * random but reproducible (the caller passes the random source, so a seeded run picks the
 * same instances twice); the blast radius is checked again at every admission, whatever
 * the selection or the loader decided, because it is the last thing between a typo and a
 * fleet-wide outage.
 */
import { CanaryError, ERROR_CODES } from '../errors.js';
import type { Selection } from './model/steps.js';
import type { Instance, Target } from './model/target.js';

/**
 * Picks the instances a step acts on.
 *
 * - `count` N: N distinct instances at random (all of them when fewer exist: instances
 *   may vanish between loading and running).
 * - `percent` P: `ceil(P% of the instances)` at random, so any P > 0 picks at least one
 *   instance of a non-empty target.
 * - neither: every instance.
 *
 * The result keeps the target's order, so journals and logs read the same way each run.
 *
 * @param random - a source of numbers in [0, 1), e.g. `Math.random` or a seeded generator.
 * @example selectInstances(target, { count: 1 }, Math.random) // one instance
 */
export function selectInstances(target: Target, selection: Selection, random: () => number): Instance[] {
  const all = target.instances;
  const wanted = wantedCount(all.length, selection);
  if (wanted >= all.length) return [...all];
  return pickIndexes(all.length, wanted, random)
    .sort((a, b) => a - b)
    .map((i) => all[i] as Instance);
}

/** How many of `total` instances a selection asks for, before capping at `total`. */
function wantedCount(total: number, selection: Selection): number {
  if (selection.count !== undefined) return Math.max(0, Math.floor(selection.count));
  if (selection.percent !== undefined) {
    // Multiply before dividing: `percent * total` is exact for whole percents, so 50% of 4
    // is exactly 2 and never 2.0000000000000004 rounded up to 3.
    return Math.ceil((selection.percent * total) / 100);
  }
  return total;
}

/** `k` distinct indexes below `n`: the first `k` steps of a Fisher-Yates shuffle. */
function pickIndexes(n: number, k: number, random: () => number): number[] {
  const indexes = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    // A generator that returns exactly 1 (or more) would index past the end; clamp it.
    const j = i + Math.min(n - i - 1, Math.floor(random() * (n - i)));
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  return indexes.slice(0, k);
}

/** The limits of `blastRadius:` in an experiment. Both optional; each that is set must hold. */
export interface BlastRadiusLimits {
  /** Most instances faulted at the same time, across all the experiment's targets. */
  maxInstances?: number;
  /** Most instances of one target faulted at the same time, as a percentage of its instances. */
  maxPercent?: number;
}

/**
 * Thrown when admitting instances would exceed the blast radius.
 *
 * Its code is `CANARY_ERR_BLAST_RADIUS`.
 */
export class BlastRadiusError extends CanaryError {
  constructor(
    message: string,
    /** The target whose limit would be exceeded. */
    readonly target: string,
    /** Instances of the target that would be faulted at once, had it been admitted. */
    readonly wouldFault: number,
  ) {
    super(ERROR_CODES.blastRadius, message);
    this.name = 'BlastRadiusError';
  }
}

/**
 * Tracks, per target, which instances are faulted right now, and refuses any admission
 * that would take the faulted set past the limits: `maxInstances` counts every target of
 * the experiment together (an experiment that may take one instance down takes one, not
 * one per target), `maxPercent` is per target. Several steps each selecting one instance
 * of a radius of one: the first is admitted, the second refused, until the first is
 * released.
 */
export class BlastRadius {
  readonly #faulted = new Map<string, Set<string>>();
  readonly #limits: BlastRadiusLimits;
  readonly #targets: Record<string, Target>;

  /**
   * @param limits - the experiment's `blastRadius`.
   * @param targets - the experiment's targets; percentages are of their instance counts.
   */
  constructor(limits: BlastRadiusLimits, targets: Record<string, Target>) {
    this.#limits = limits;
    this.#targets = targets;
  }

  /**
   * Records `instances` of `target` as faulted, or throws a {@link BlastRadiusError} (and
   * records nothing) when the union of the already faulted and the new instances would
   * exceed a limit. Admitting an instance that is already faulted does not count it twice.
   */
  admit(target: string, instances: readonly string[]): void {
    const known = this.#targets[target];
    if (known === undefined) {
      throw new CanaryError(ERROR_CODES.state, `blast radius: unknown target "${target}"`);
    }
    const union = new Set([...this.current(target), ...instances]);
    const elsewhere = [...this.#faulted].filter(([name]) => name !== target).reduce((n, [, set]) => n + set.size, 0);
    const refusal = this.#refusal(known, union.size, elsewhere);
    if (refusal !== undefined) throw new BlastRadiusError(refusal, target, union.size);
    this.#faulted.set(target, union);
  }

  /** Forgets `instances` of `target` (their faults were reverted). Unknown names are ignored. */
  release(target: string, instances: readonly string[]): void {
    const set = this.#faulted.get(target);
    if (set === undefined) return;
    for (const name of instances) set.delete(name);
    if (set.size === 0) this.#faulted.delete(target);
  }

  /** Names of the instances of `target` faulted now, in admission order. */
  current(target: string): string[] {
    return [...(this.#faulted.get(target) ?? [])];
  }

  /** Why `size` faulted instances of `target` would be too many, or undefined when they are not. */
  #refusal(target: Target, size: number, elsewhere: number): string | undefined {
    const { maxInstances, maxPercent } = this.#limits;
    const prefix = `blast radius: target "${target.name}" would have ${size} instance(s) faulted at once`;
    if (maxInstances !== undefined && size + elsewhere > maxInstances) {
      const others = elsewhere > 0 ? ` (and ${elsewhere} of other targets)` : '';
      return `${prefix}${others}, over blastRadius.maxInstances (${maxInstances})`;
    }
    const total = target.instances.length;
    // Compare `size / total > maxPercent / 100` without dividing, so 2 of 4 is exactly 50%.
    if (maxPercent !== undefined && size * 100 > maxPercent * total) {
      const share = total === 0 ? 'of a target with no instances' : `${((size * 100) / total).toFixed(1)}% of ${total}`;
      return `${prefix} (${share}), over blastRadius.maxPercent (${maxPercent}%)`;
    }
    return undefined;
  }
}
