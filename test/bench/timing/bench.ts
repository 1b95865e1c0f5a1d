/**
 * What a prober adds to the `processing` phase of an HTTP probe, per request: the canary
 * agent and blackbox_exporter probe the same holding target (which holds each request
 * ~50 ms and reports the hold it really made), at the same time, in the same window, and
 * every probe's `processing − hold` is collected. A blocking-socket client (`floor.py`)
 * measures the same beside them, as the machine's floor. `quiet` measures 20 probes a
 * second per prober; `loaded` adds N background probes a second per prober against a
 * separate fast target. Callable from the main bench (`benchTiming`) or alone (`main.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blackboxVersion } from '../blackbox-run.js';
import { atExit, stop } from '../children.js';
import { startTarget, type Target } from '../ipc.js';
import { machineInfo, type MachineInfo } from '../proc.js';
import { describeWindow, medianRows, type MedianRow } from './report.js';
import { startHoldTarget } from './targets.js';
import { runWindow, type Scenario, type TimingWindow, type WindowContext, type WindowPlan } from './window.js';

/** Options of {@link benchTiming}. */
export interface TimingOptions {
  windowS: number;
  warmupS: number;
  /** Background probes a second per prober in the `loaded` scenario. */
  others: number;
  /** How long the target holds each measured request. */
  holdMs: number;
  /** Measured probes a second per prober (one path each). */
  timed: number;
  scenarios: Scenario[];
  repeat: number;
  /** Run the two probers of `loaded` one after the other instead of together. */
  sequential: boolean;
  /** The blackbox_exporter binary; undefined runs the agent alone. */
  blackbox: string | undefined;
  /** python3 for the floor prober; undefined leaves the floor out. */
  python: string | undefined;
  /** A fast target already running (the main bench's), used instead of starting one; left running. */
  fastTarget?: Target;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

/** Everything one run measured. */
export interface TimingResult {
  machine: MachineInfo & { blackboxExporter: string | null; date: string };
  options: Omit<TimingOptions, 'log' | 'fastTarget'>;
  windows: TimingWindow[];
  /** Per scenario and prober, the median of each figure over the rounds. */
  medians: MedianRow[];
}

/** The defaults of the standalone command. */
export const TIMING_DEFAULTS: Omit<TimingOptions, 'blackbox' | 'python' | 'log' | 'fastTarget'> = {
  windowS: 30,
  warmupS: 10,
  others: 1_000,
  holdMs: 50,
  timed: 20,
  scenarios: ['quiet', 'loaded'],
  repeat: 1,
  sequential: false,
};

/**
 * The windows of one scenario in one round: both probers together, or (`loaded` with
 * `sequential`) one after the other, the order alternating by round so neither is always
 * measured on a machine the other has just warmed.
 */
export function windowPlans(
  scenario: Scenario,
  round: number,
  options: Pick<TimingOptions, 'others' | 'sequential'>,
): WindowPlan[] {
  const others = scenario === 'quiet' ? 0 : options.others;
  const both: WindowPlan = { scenario, round, others, agent: true, blackbox: true };
  if (scenario === 'quiet' || !options.sequential) return [both];
  const agentAlone = { ...both, blackbox: false };
  const blackboxAlone = { ...both, agent: false };
  return round % 2 === 1 ? [agentAlone, blackboxAlone] : [blackboxAlone, agentAlone];
}

/** Runs every round of every scenario asked for; see the module comment. */
export async function benchTiming(options: TimingOptions): Promise<TimingResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const workDir = mkdtempSync(join(tmpdir(), 'canary-bench-timing-'));
  atExit(() => rmSync(workDir, { recursive: true, force: true }));
  const date = new Date().toISOString();
  const holdTarget = await startHoldTarget(options.holdMs);
  const windows: TimingWindow[] = [];
  try {
    const fastTarget = options.fastTarget ?? (await startTarget());
    try {
      const ctx: WindowContext = {
        holdTarget,
        fastTarget,
        blackbox: options.blackbox,
        python: options.python,
        timed: options.timed,
        holdMs: options.holdMs,
        warmupMs: options.warmupS * 1000,
        windowMs: options.windowS * 1000,
        workDir,
      };
      for (let round = 1; round <= options.repeat; round++) {
        for (const scenario of options.scenarios) {
          for (const plan of windowPlans(scenario, round, options)) {
            const who = [
              plan.agent ? 'agent' : '',
              plan.blackbox && options.blackbox ? 'blackbox' : '',
              options.python ? 'floor' : '',
            ]
              .filter(Boolean)
              .join(' + ');
            log(
              `round ${round}/${options.repeat}: ${scenario}, ${who}, ${plan.others} others (warm-up ${options.warmupS}s, window ${options.windowS}s)`,
            );
            const window = await runWindow(ctx, plan);
            log(describeWindow(window));
            windows.push(window);
          }
        }
      }
    } finally {
      if (!options.fastTarget) await stop(fastTarget.process, 2_000);
    }
  } finally {
    await stop(holdTarget.process, 2_000);
    rmSync(workDir, { recursive: true, force: true });
  }
  const { log: _log, fastTarget: _fastTarget, ...kept } = options;
  const machine = {
    ...machineInfo(),
    blackboxExporter: options.blackbox ? blackboxVersion(options.blackbox) : null,
    date,
  };
  return { machine, options: kept, windows, medians: medianRows(windows) };
}
