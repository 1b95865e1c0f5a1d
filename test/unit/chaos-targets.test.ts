/** Target drivers (exec, http, lab) and the proxy step: what a kill and a toxic plan into. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadExperiment } from '../../src/chaos/load.js';
import { planStep } from '../../src/chaos/plan.js';
import type { Experiment } from '../../src/chaos/model/experiment.js';
import type { ActionStep } from '../../src/chaos/model/steps.js';
import { loadConfig } from '../../src/config/load.js';
import { isCanaryError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'canary-targets-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'agent.yaml'),
  'agent: { region: t }\nchecks:\n  - { name: front, kind: http, target: "http://127.0.0.1:1/" }\n',
);

async function load(name: string, yaml: string): Promise<Experiment> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nsteadyState: [ { check: front, successRatio: ">= 0.9", window: 5s } ]\nblastRadius: { maxInstances: 2 }\n${yaml}`,
  );
  return loadExperiment(file, await loadConfig(join(dir, 'agent.yaml'), { env: {} }), { env: {} });
}

async function plan(e: Experiment, index = 0) {
  const step = e.method[index] as ActionStep;
  const target = step.target === undefined ? undefined : e.targets[step.target];
  return planStep(step, target, target?.instances.slice(0, 1) ?? []);
}

test('exec target: a kill runs the kill argv with {signal} and {instance}; its revert is the restore argv', async () => {
  const e = await load(
    'exec-kill',
    [
      'targets:',
      '  api:',
      '    instances: [ { name: api-1 }, { name: api-2 } ]',
      '    exec: { kill: [systemctl, kill, --signal, "{signal}", "api@{instance}"], restore: [systemctl, start, "api@{instance}"], timeout: 20s }',
      'method: [ { action: kill, target: api, count: 1, signal: SIGTERM } ]',
    ].join('\n'),
  );
  const [fault] = await plan(e);
  assert.deepEqual(fault?.apply, {
    kind: 'exec',
    argv: ['systemctl', 'kill', '--signal', 'SIGTERM', 'api@api-1'],
    env: {},
    timeoutMs: 20_000,
  });
  assert.deepEqual(fault?.revert, {
    kind: 'exec',
    argv: ['systemctl', 'start', 'api@api-1'],
    env: {},
    timeoutMs: 20_000,
  });
});

test('http target: kill and restore requests per instance, {url} filled in', async () => {
  const e = await load(
    'http-kill',
    [
      'targets:',
      '  pods:',
      '    instances: [ { name: pod-a, url: "http://127.0.0.1:9/pods/a" } ]',
      '    http: { kill: { method: DELETE, url: "{url}?signal={signal}" }, restore: { method: POST, url: "{url}/start", expectStatus: [2xx, 409] } }',
      'method: [ { action: kill, target: pods } ]',
    ].join('\n'),
  );
  const [fault] = await plan(e);
  assert.equal(
    fault?.apply.kind === 'http' && `${fault.apply.method} ${fault.apply.url}`,
    'DELETE http://127.0.0.1:9/pods/a?signal=SIGKILL',
  );
  assert.equal(
    fault?.revert?.kind === 'http' && `${fault.revert.method} ${fault.revert.url}`,
    'POST http://127.0.0.1:9/pods/a/start',
  );
  assert.ok(fault?.revert?.kind === 'http' && fault.revert.expectStatus.includes(409));
});

test('a lab that is not running gives an empty target that says why; its kill goes through the control API', async () => {
  const e = await load(
    'lab-down',
    [
      'targets:',
      '  b: { lab: { control: "http://127.0.0.1:9" } }',
      'method: [ { action: kill, target: b, count: 1 } ]',
    ].join('\n'),
  );
  assert.deepEqual(e.targets.b?.instances, []);
  assert.match(e.targets.b?.unresolved ?? '', /lab control API at http:\/\/127\.0\.0\.1:9 is not reachable/);
  assert.equal(
    e.targets.b?.driver?.kind === 'http' && e.targets.b.driver.kill.url,
    'http://127.0.0.1:9/lab/{instance}/kill?signal={signal}',
  );
});

test('target rules: one source of instances, one way to kill, drivers need instances', async () => {
  const problems = async (target: string) => {
    const err = await load('bad', `targets:\n  t: ${target}\nmethod: [ { pause: 1s } ]`).catch((e: unknown) => e);
    assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'), String(err));
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  };
  assert.deepEqual(await problems('{ exec: { kill: [a], restore: [b] } }'), [
    'targets.t: needs exactly one of instances, pidFiles or lab',
    'targets.t.exec: needs instances: name the instances the exec kill and restore act on',
  ]);
  assert.deepEqual(await problems('{ lab: {}, pidFiles: "*.pid" }'), [
    'targets.t: needs exactly one of instances, pidFiles or lab (got pidFiles and lab)',
  ]);
  assert.deepEqual(
    await problems(
      '{ instances: [ { name: a } ], exec: { kill: [a], restore: [b] }, http: { kill: { url: "http://x/" }, restore: { url: "http://x/" } } }',
    ),
    ['targets.t.http: cannot be combined with exec: a target is killed and restored one way'],
  );
});

test('proxy step: one fault per toxic, added with a ttl, removed by name; already gone counts as removed', async () => {
  const e = await load(
    'proxy',
    [
      'method:',
      '  - { action: proxy, api: "http://127.0.0.1:8474", proxy: front, toxics: [ { type: latency, attributes: { latency: 100 } }, { type: http_status, name: five-oh-three, toxicity: 0.5, attributes: { status: 503 } } ] }',
      '  - { pause: 1s }',
      'maxDuration: 1m',
      'recoveryTimeout: 30s',
    ].join('\n'),
  );
  const faults = await plan(e);
  assert.equal(faults.length, 2);
  const [latency, status] = faults;
  assert.ok(latency?.apply.kind === 'http' && status?.apply.kind === 'http' && status.revert?.kind === 'http');
  assert.deepEqual(JSON.parse(latency.apply.body ?? ''), {
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 100 },
    name: 'canary-0-0',
    ttl: 90_000,
  });
  assert.equal(latency.apply.url, 'http://127.0.0.1:8474/proxies/front/toxics');
  assert.equal(
    `${status.revert.method} ${status.revert.url}`,
    'DELETE http://127.0.0.1:8474/proxies/front/toxics/five-oh-three',
  );
  assert.ok(status.revert.expectStatus.includes(404));
});
