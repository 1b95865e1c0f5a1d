/** With tracing on, a chaos run is a trace: one span for the run, one per fault call. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';
import { startChaosLab, victimTargets } from '../helpers/chaos.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';

test('chaos run exports a span per run and per apply and per revert', async () => {
  const receiver = await startOtlpReceiver();
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(
        'exporters: { log: { level: info } }',
        `exporters: { log: { level: info }, otlp: { endpoint: "${receiver.url}" } }`,
      ),
    );
    const file = lab.writeExperiment(
      'traced',
      [
        'name: traced-run',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 100ms }',
      ].join('\n'),
    );
    const run = await runCli(['chaos', 'run', file, '--config', config, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const runId = (JSON.parse(run.stdout) as { runId: string }).runId;
    const [root] = await receiver.waitForSpans(1, (s) => s.name === 'chaos traced-run');
    assert.ok(root);
    assert.equal(root.attributes['canary.chaos.run_id'], runId);
    assert.notEqual(root.status.code, 2);
    const children = receiver.spans.filter((s) => s.parentSpanId === root.spanId);
    assert.deepEqual(children.map((s) => s.name).sort(), ['chaos fault.apply', 'chaos fault.revert']);
    const apply = children.find((s) => s.name === 'chaos fault.apply');
    assert.match(String(apply?.attributes['canary.chaos.call']), new RegExp(`kill -STOP ${lab.victims[0]?.pid}`));
  } finally {
    await lab.cleanup();
    await receiver.close();
  }
});
