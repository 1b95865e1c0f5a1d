import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliProcess } from '../helpers/cli.js';
import { holdLabPorts } from '../helpers/fixed-ports.js';
import { eventually } from '../helpers/wait.js';

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
