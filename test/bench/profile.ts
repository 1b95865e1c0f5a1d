/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) the way the report needs it: self time
 * by function and by module (a package in node_modules, a folder of the agent, a part of
 * Node's own library), as shares of the time the process was not idle.
 *
 * Standalone: node dist/test/bench/profile.js FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  /** µs on CLOCK_MONOTONIC (V8's TimeTicks), the clock of `process.hrtime`. */
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A row of the summary: a name and its share of busy time. */
export interface Share {
  name: string;
  ms: number;
  share: number;
}

/** The summary of one profile. */
export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: Share[];
  modules: Share[];
}

/** Which module a script URL belongs to: `undici`, `src/probes`, `node:internal/net`, ... */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  const own = /\/dist\/(src\/[^/]+|src|test\/[^/]+)\//.exec(url) ?? /\/dist\/(src)\/[^/]+$/.exec(url);
  if (own?.[1] !== undefined) return own[1].replace(/\.js$/, '');
  const internal = /^node:internal\/((?:deps\/)?[^/]+)/.exec(url);
  if (internal?.[1] !== undefined) return `node:${internal[1].replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^.*\//, '');
}

function shares(totals: Map<string, number>, busyMs: number, top: number): Share[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busyMs > 0 ? ms / busyMs : 0 }));
}

/**
 * Self time per function and per module; `(idle)` is left out of the shares. With
 * `rangeUs` ([from, to] on the profile's clock) only samples taken in that range count.
 */
export function summarise(profile: CpuProfile, top = 20, rangeUs?: readonly [number, number]): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (rangeUs && (at < rangeUs[0] || at > rangeUs[1])) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const ms = us / 1000;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const module = moduleOf(frame.url, frame.functionName);
    const fn = `${frame.functionName || '(anonymous)'} ${module}:${frame.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
    modules.set(module, (modules.get(module) ?? 0) + ms);
  }
  return {
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    functions: shares(functions, busyMs, top),
    modules: shares(modules, busyMs, top),
  };
}

/** Reads and summarises a `.cpuprofile` file, optionally only the samples in `rangeUs`. */
export function summariseFile(file: string, top = 20, rangeUs?: readonly [number, number]): ProfileSummary {
  return summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top, rangeUs);
}

/** The summary as text lines. */
export function formatSummary(summary: ProfileSummary): string {
  const pct = (s: Share) => `${(s.share * 100).toFixed(1).padStart(5)}%  ${s.name}`;
  return [
    `busy ${summary.busyMs} ms, idle ${summary.idleMs} ms (shares are of busy time, self time)`,
    'by module:',
    ...summary.modules.map(pct),
    'by function:',
    ...summary.functions.map(pct),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top, from, to] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/test/bench/profile.js FILE.cpuprofile [TOP] [FROM_US TO_US]');
    process.exit(2);
  }
  const range = from !== undefined && to !== undefined ? ([Number(from), Number(to)] as const) : undefined;
  console.log(formatSummary(summariseFile(file, Number(top ?? 25), range)));
}
