/**
 * The `timing` phase of `npm run bench`: the timing benchmark (timing/bench.ts), quiet and
 * loaded, on the main bench's fast target, with the main bench's rounds, warm-up and the
 * `--timing-*` options; and its tables as the main bench prints them.
 */
import type { Target } from './ipc.js';
import type { Options } from './options.js';
import { benchTiming, TIMING_DEFAULTS, type TimingOptions, type TimingResult } from './timing/bench.js';
import { medianTable, windowTable } from './timing/report.js';

/** The timing benchmark's options as the main bench sets them. */
export function timingOptions(
  options: Pick<Options, 'timingWindowS' | 'warmupS' | 'timingOthers' | 'timingSequential' | 'repeat'>,
  blackbox: string | undefined,
  python: string | undefined,
  fastTarget?: Target,
): TimingOptions {
  return {
    ...TIMING_DEFAULTS,
    windowS: options.timingWindowS,
    warmupS: options.warmupS,
    others: options.timingOthers,
    scenarios: ['quiet', 'loaded'],
    repeat: options.repeat,
    sequential: options.timingSequential,
    blackbox,
    python,
    ...(fastTarget ? { fastTarget } : {}),
  };
}

/** Runs the phase; progress goes to stderr. */
export function runTimingPhase(
  options: Options,
  blackbox: string | undefined,
  python: string | undefined,
  fastTarget: Target,
): Promise<TimingResult> {
  const timing = timingOptions(options, blackbox, python, fastTarget);
  const mode = timing.sequential ? 'loaded: probers one after the other' : 'loaded: probers together';
  console.error(
    `timing: quiet and loaded (${timing.others} others), window ${timing.windowS}s after ${timing.warmupS}s warm-up, ${mode}`,
  );
  return benchTiming(timing);
}

/** The timing tables: every window, and the medians when there were several rounds. */
export function timingText(result: TimingResult): string {
  const o = result.options;
  const lines = [
    `Timing: what each prober adds to processing (ms; added = processing - hold), ${o.timed} measured probes/s per prober held ${o.holdMs} ms, ` +
      `window ${o.windowS}s after ${o.warmupS}s warm-up; loaded: + ${o.others} others/s per prober, ${o.sequential ? 'probers one after the other' : 'probers together'}` +
      `${o.python ? '; the floor is a blocking-socket client (python3) in every window' : '; no floor (python3 not found)'}`,
    '',
    windowTable(result.windows),
  ];
  if (o.repeat > 1) lines.push('', `Median over ${o.repeat} rounds:`, '', medianTable(result.medians));
  return lines.join('\n');
}
