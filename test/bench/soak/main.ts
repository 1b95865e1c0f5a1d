/**
 * `npm run soak`: the agent for a long stretch under a partly hostile load, with reloads,
 * chaos against the lab and Prometheus scrapes, judged on growth of its memory, descriptors
 * and sockets. See SOAK_HELP in options.ts, and stats.ts for the verdict.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentEnv, agentNodeFlags } from '../agent-env.js';
import { cliPath, repoRoot } from '../agent-run.js';
import { atExit, start, stop, waitFor, type Started } from '../children.js';
import { freePort, startTarget, type Target } from '../ipc.js';
import { errorMessage } from '../../../src/errors.js';
import { agentConfig, chaosConfig, experiment, probeFile } from './config.js';
import { startHostileTargets, type HostileTargets } from './hostile.js';
import { killLabProcesses, startSoakLab, type SoakLab } from './lab.js';
import { chaosLoop, reloadLoop, sampleLoop, type LoopContext, type SoakState } from './loops.js';
import { parseSoakOptions, sampleIntervalMs, SoakUsageError, SOAK_HELP, type SoakOptions } from './options.js';
import { buildResult, markdown, type SoakResult } from './report.js';
import { scrape } from './sample.js';

/** Check interval: 1,000 checks every 20 s is 50 probes a second, a moderate load on 2 cores. */
const CHECK_INTERVAL_S = 20;

/** What runs around the agent. */
interface Surroundings {
  dir: string;
  target: Target;
  hostile: HostileTargets;
  lab: SoakLab;
}

async function surroundings(options: SoakOptions, log: (line: string) => void): Promise<Surroundings> {
  const dir = mkdtempSync(join(tmpdir(), 'canary-soak-'));
  atExit(() => {
    // Killed or interrupted: `canary lab` is SIGKILLed with every child, so its own children are ended here.
    killLabProcesses(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  // The target ends itself after its lifetime (in case the harness dies): the whole soak and then some.
  const target = await startTarget(5_000, options.durationMs + 10 * 60_000);
  const hostile = await startHostileTargets(log);
  const lab = await startSoakLab(dir);
  return { dir, target, hostile, lab };
}

/** Writes the files and starts `canary run`; resolves once it is ready. */
async function startAgent(options: SoakOptions, s: Surroundings): Promise<{ agent: Started; base: string }> {
  const port = await freePort();
  const probes = join(s.dir, 'soak-probes.yaml');
  writeFileSync(probes, probeFile(0, s.target.origin));
  const targets = { healthy: s.target.origin, hostile: s.hostile.targets, labFrontend: s.lab.frontend };
  const config = join(s.dir, 'agent.yaml');
  const stateDir = join(s.dir, 'state');
  const listen = `127.0.0.1:${port}`;
  const intervalS = CHECK_INTERVAL_S;
  writeFileSync(
    config,
    agentConfig({ total: options.checks, targets, intervalS, listen, probeFile: probes, stateDir }),
  );
  const agent = await start(process.execPath, [...agentNodeFlags(), cliPath, 'run', '--config', config], {
    cwd: repoRoot,
    env: agentEnv(),
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    `agent ready on ${base}`,
    async () => {
      if (agent.child.exitCode !== null) throw new Error(`agent exited before it was ready: ${agent.output()}`);
      return await scrape(base)
        .then(() => true)
        .catch(() => false);
    },
    60_000,
    500,
  );
  return { agent, base };
}

/** Runs the loops for the whole duration (or until something fatal) and returns what they saw. */
async function soak(options: SoakOptions, s: Surroundings, log: (line: string) => void): Promise<SoakResult> {
  const { agent, base } = await startAgent(options, s);
  const chaosFile = join(s.dir, 'soak.chaos.yaml');
  const chaosCfg = join(s.dir, 'chaos.yaml');
  writeFileSync(chaosFile, experiment(s.lab.control));
  writeFileSync(chaosCfg, chaosConfig(s.lab.frontend, join(s.dir, 'chaos-state')));
  const state: SoakState = {
    samples: [],
    rewrites: 0,
    reloadsObserved: 0,
    reloadFailuresSeen: 0,
    chaos: [],
    problems: [],
  };
  const stopping = new AbortController();
  const startedAt = Date.now();
  const ctx: LoopContext = {
    startedAt,
    endAt: startedAt + options.durationMs,
    signal: stopping.signal,
    state,
    log,
    fail(problem) {
      state.problems.push(problem);
      stopping.abort();
    },
  };
  let stoppedOnPurpose = false;
  void agent.exited.then(() => {
    const { exitCode, signalCode } = agent.child;
    if (!stoppedOnPurpose)
      ctx.fail(`the agent exited (code ${exitCode}, signal ${signalCode}): ${agent.output().slice(-2000)}`);
  });
  void s.lab.process.exited.then(() => {
    if (!stoppedOnPurpose) ctx.fail(`canary lab exited: ${s.lab.process.output().slice(-2000)}`);
  });
  const reloadEvery = Math.min(60_000, options.durationMs / 6);
  const chaosEvery = Math.min(180_000, options.durationMs / 3);
  log(
    `soak: ${options.checks} checks every ${CHECK_INTERVAL_S} s for ${options.durationMs / 1000} s; agent pid ${agent.pid}`,
  );
  await Promise.all([
    sampleLoop(ctx, base, agent.pid, sampleIntervalMs(options.durationMs)),
    reloadLoop(ctx, join(s.dir, 'soak-probes.yaml'), s.target.origin, reloadEvery),
    chaosLoop(ctx, chaosFile, chaosCfg, chaosEvery),
  ]);
  stoppedOnPurpose = true;
  await stop(agent, 15_000);
  const stopCode = agent.child.exitCode;
  if (stopCode !== 0 && state.problems.length === 0)
    state.problems.push(
      `the agent did not stop cleanly on SIGTERM (exit ${stopCode}, signal ${agent.child.signalCode})`,
    );
  return buildResult({ options, state, targets: s.hostile.targets, intervalS: CHECK_INTERVAL_S, stopCode });
}

async function main(): Promise<number> {
  let options: SoakOptions | undefined;
  try {
    options = parseSoakOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof SoakUsageError)) throw error;
    console.error(`soak: ${error.message} (see --help)`);
    return 2;
  }
  if (!options) {
    console.log(SOAK_HELP);
    return 0;
  }
  const log = (line: string) => console.error(line);
  const s = await surroundings(options, log);
  try {
    const result = await soak(options, s, log);
    console.log(options.json ? JSON.stringify(result, null, 2) : markdown(result));
    return result.failed ? 1 : 0;
  } finally {
    await stop(s.lab.process, 15_000);
    await stop(s.target.process, 2_000);
    await s.hostile.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak failed: ${errorMessage(error)}`);
    process.exit(1);
  },
);
