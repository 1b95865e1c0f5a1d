/**
 * `canary demo` as a newcomer runs it. The demo's lab, fault proxy and control API listen on
 * fixed ports (config/demo.yaml and the experiments in chaos/ name them; only the agent's
 * --listen can move), so every test that starts it is in this file: node runs the tests of
 * one file one after another, never two demos at once.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';
import { holdLabPorts } from '../helpers/fixed-ports.js';
import { eventually } from '../helpers/wait.js';
import { alive } from '../helpers/chaos.js';

test(
  'demo: the lab comes up, every check succeeds, the scheduled failback kills and brings back backends, Ctrl-C stops everything',
  { timeout: 180_000 },
  async (t) => {
    const release = await holdLabPorts();
    const demo = new CliProcess(['demo', '--listen', '127.0.0.1:0']);
    t.after(async () => {
      await demo.kill();
      release();
    });
    const url = await demo.url();
    const metrics = async () => (await fetch(`${url}metrics`)).text();
    const checks = ['lab-frontend', 'lab-backend-1', 'lab-backend-2', 'lab-backend-3'];
    await eventually(
      async () =>
        (await metrics()).match(/^probe_success\{check="lab-[^"]+"[^}]*\} 1$/gm)?.length === checks.length
          ? true
          : undefined,
      20_000,
      'probe_success 1 for every lab check',
    );
    const banner = demo.lines.join('\n');
    assert.match(banner, /balancer {3}http:\/\/127\.0\.0\.1:18180\//);
    assert.match(banner, /frontend {3}http:\/\/127\.0\.0\.1:18190\//);
    assert.match(banner, new RegExp(`metrics {4}${url.replace(/[.]/g, '\\.')}metrics`));
    // The frontend answers through the fault proxy and the balancer, round-robin over the backends.
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++)
      seen.add(((await (await fetch('http://127.0.0.1:18190/')).json()) as { backend: string }).backend);
    assert.deepEqual([...seen].sort(), ['backend-1', 'backend-2', 'backend-3']);

    // What a newcomer sees within two minutes: a kill (a backend check down) and the failback completing.
    await eventually(
      async () => (/^probe_success\{check="lab-backend-\d"[^}]*\} 0$/m.test(await metrics()) ? true : undefined),
      110_000,
      'a backend killed by the scheduled experiment',
    );
    await eventually(
      async () =>
        /^canary_chaos_runs_total\{experiment="staggered-failback",status="completed"[^}]*\} 1$/m.test(await metrics())
          ? true
          : undefined,
      90_000,
      'the scheduled staggered failback completed',
    );
    const up = (await metrics()).match(/^probe_success\{check="lab-backend-\d"[^}]*\} 1$/gm) ?? [];
    assert.ok(up.length >= 2, 'the backends are back');

    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    assert.equal(code, 0, demo.stderr);
    await assert.rejects(fetch('http://127.0.0.1:18180/'), 'the lab is stopped with the demo');
    await assert.rejects(fetch('http://127.0.0.1:18190/'), 'and the fault proxy');
  },
);

/** The pids the demo's pid files name, by file. */
function pidFiles(dir: string): Map<string, number> {
  return new Map(readdirSync(dir).map((f) => [f, Number(readFileSync(join(dir, f), 'utf8').trim())]));
}

/** Starts `canary demo` (killed when `t` ends) and resolves once its banner is out: the lab is up by then. */
async function startDemo(t: TestContext): Promise<{ demo: CliProcess; url: string; pidDir: string }> {
  const demo = new CliProcess(['demo', '--listen', '127.0.0.1:0']);
  t.after(() => demo.kill());
  const url = await demo.url();
  const pidDir = await eventually(
    () => /pid files in (\S+)\)/.exec(demo.lines.join('\n'))?.[1],
    10_000,
    "the banner naming the pid files' folder",
  );
  return { demo, url, pidDir };
}

test(
  'demo killed with SIGKILL: its lab children exit by themselves, and a second demo starts cleanly',
  { timeout: 120_000 },
  async (t) => {
    const first = await startDemo(t);
    const children = pidFiles(first.pidDir);
    // The balancer and the three backends at least (a later demo may run more children).
    assert.ok(children.size >= 4, `pid files: ${[...children.keys()].join(', ')}`);
    for (const [file, pid] of children) assert.ok(alive(pid), `${file}: ${pid} runs`);
    t.after(() => {
      for (const pid of children.values()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    });

    first.demo.child.kill('SIGKILL');
    const { signal } = await first.demo.exited;
    assert.equal(signal, 'SIGKILL');
    // Each child watches the demo's pid (--parent-pid): gone, they stop and remove their pid files.
    await eventually(
      () => ([...children.values()].every((pid) => !alive(pid)) ? true : undefined),
      15_000,
      `the lab children ${[...children.values()].join(', ')} to exit after the demo was killed`,
    );
    assert.deepEqual([...pidFiles(first.pidDir).keys()], [], 'every pid file removed');

    const second = await startDemo(t);
    await eventually(
      async () =>
        /^probe_success\{check="lab-frontend"[^}]*\} 1$/m.test(await (await fetch(`${second.url}metrics`)).text())
          ? true
          : undefined,
      20_000,
      'the second demo probing its frontend successfully',
    );
    const restarted = pidFiles(second.pidDir);
    assert.ok(restarted.size >= 4);
    const killed = new Set(children.values());
    for (const [file, pid] of restarted) assert.equal(killed.has(pid), false, `${file}: a new process`);
    second.demo.child.kill('SIGINT');
    const { code } = await second.demo.exited;
    assert.equal(code, 0, second.demo.stderr);
    await assert.rejects(fetch('http://127.0.0.1:18180/'), 'the lab is stopped with the demo');
  },
);
