import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliProcess, eventually } from '../helpers/cli.js';

test('demo: the lab fleet comes up, the agent sees all four checks succeed, Ctrl-C stops everything', async (t) => {
  const demo = new CliProcess(['demo', '--listen', '127.0.0.1:0']);
  t.after(() => demo.kill());
  const url = await demo.url();
  const checks = ['lab-frontend', 'lab-backend-1', 'lab-backend-2', 'lab-backend-3'];
  await eventually(
    async () => {
      const text = await (await fetch(`${url}metrics`)).text();
      return checks.every((c) => new RegExp(`probe_success\\{check="${c}"[^}]*\\} 1`).test(text)) ? true : undefined;
    },
    20_000,
    'probe_success 1 for every lab check',
  );
  assert.match(demo.lines.join('\n'), /balancer {3}http:\/\/127\.0\.0\.1:18080\//);
  assert.match(demo.lines.join('\n'), new RegExp(`metrics {4}${url.replace(/[.]/g, '\\.')}metrics`));
  // The frontend answers through the balancer, round-robin over the backends.
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add(((await (await fetch('http://127.0.0.1:18080/')).json()) as { backend: string }).backend);
  assert.deepEqual([...seen].sort(), ['backend-1', 'backend-2', 'backend-3']);

  demo.child.kill('SIGINT');
  const { code } = await demo.exited;
  assert.equal(code, 0, demo.stderr);
  await assert.rejects(fetch('http://127.0.0.1:18080/'), 'the lab fleet is closed with the demo');
});
