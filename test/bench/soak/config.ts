/**
 * What the soak writes for the agent and the chaos runs: the agent's config (the generated
 * checks), the probe file rewritten every minute, the chaos config and the experiment. Pure
 * text builders, so the shapes can be checked without starting anything.
 */
import { stringify } from 'yaml';
import type { HostileTarget } from './hostile.js';

/** Every tenth generated check probes a hostile target. */
const HOSTILE_EVERY = 10;

/** Checks of the probe file: one always there, one present every other rewrite. */
const PROBE_FILE_CHECKS = 2;

/** What the generated checks point at. */
export interface SoakTargets {
  /** The healthy HTTP target's origin. */
  healthy: string;
  hostile: readonly HostileTarget[];
  /** The lab balancer's URL, probed by `lab-frontend`. */
  labFrontend: string;
}

/** The generated checks: `total` minus the lab check and the probe file's. */
export function generatedChecks(total: number, targets: SoakTargets): unknown[] {
  const count = total - 1 - PROBE_FILE_CHECKS;
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => {
    const name = `soak-${String(i).padStart(width, '0')}`;
    const hostile =
      i % HOSTILE_EVERY === HOSTILE_EVERY - 1
        ? targets.hostile[Math.floor(i / HOSTILE_EVERY) % targets.hostile.length]
        : undefined;
    if (!hostile) return { name, kind: 'http', target: `${targets.healthy}/${name}` };
    return {
      name: `${name}-${hostile.kind}`,
      kind: hostile.checkKind,
      target: hostile.target,
      labels: { hostile: hostile.kind },
    };
  });
}

/** How many of the generated checks probe each hostile kind. */
export function hostileCounts(total: number, hostile: readonly HostileTarget[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const check of generatedChecks(total, { healthy: '', hostile, labFrontend: '' }) as {
    labels?: { hostile: string };
  }[]) {
    const kind = check.labels?.hostile;
    if (kind !== undefined) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** The agent's config: the generated checks inline, the probe file by name, chaos on for the lab runs. */
export function agentConfig(options: {
  total: number;
  targets: SoakTargets;
  intervalS: number;
  listen: string;
  probeFile: string;
  stateDir: string;
}): string {
  const { total, targets, intervalS } = options;
  return stringify({
    agent: { region: 'soak' },
    server: { listen: options.listen },
    probes: {
      seed: 4321,
      files: [options.probeFile],
      defaults: { interval: `${intervalS}s`, timeout: '5s' },
    },
    checks: [
      ...generatedChecks(total, targets),
      { name: 'lab-frontend', kind: 'http', target: `${targets.labFrontend}/`, interval: '5s', timeout: '2s' },
    ],
    chaos: { enabled: true, stateDir: options.stateDir },
    exporters: { log: { level: 'warn' } },
  });
}

/** The probe file for rewrite number `n`: a label that flips every time, and a check present every other time. */
export function probeFile(n: number, healthy: string): string {
  const checks: unknown[] = [
    {
      name: 'soak-reload-steady',
      kind: 'http',
      target: `${healthy}/reload-steady`,
      labels: { flip: n % 2 === 0 ? 'even' : 'odd' },
    },
  ];
  if (n % 2 === 1)
    checks.push({ name: 'soak-reload-coming-going', kind: 'http', target: `${healthy}/reload-coming-going` });
  return `# rewrite ${n}\n${stringify({ checks })}`;
}

/** The config `canary chaos run` reads: chaos on, the lab check it probes for the hypothesis. */
export function chaosConfig(labFrontend: string, stateDir: string): string {
  return stringify({
    agent: { region: 'soak-chaos' },
    server: { listen: '127.0.0.1:0' },
    checks: [{ name: 'lab-frontend', kind: 'http', target: `${labFrontend}/`, interval: '1s', timeout: '1s' }],
    chaos: { enabled: true, stateDir },
    exporters: { log: { level: 'warn' } },
  });
}

/** A short experiment against the lab: kill one backend through its control API, wait, start it again. */
export function experiment(control: string): string {
  return stringify({
    name: 'soak-kill-one-backend',
    description: 'the soak test kills one lab backend and starts it again',
    targets: { backends: { lab: { control } } },
    steadyState: [{ check: 'lab-frontend', successRatio: '>= 0.5', window: '10s', minSamples: 3 }],
    blastRadius: { maxInstances: 1 },
    method: [
      { action: 'kill', target: 'backends', count: 1, signal: 'SIGKILL' },
      { pause: '5s' },
      { action: 'restore', target: 'backends' },
    ],
    maxDuration: '1m',
    recoveryTimeout: '30s',
  });
}
