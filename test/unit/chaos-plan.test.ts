import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isCanaryError } from '../../src/errors.js';
import { planStep } from '../../src/chaos/plan.js';
import type { ExecStep, HttpStep, ProcessStep } from '../../src/chaos/model/steps.js';
import type { Instance, Target } from '../../src/chaos/model/target.js';

const dir = mkdtempSync(join(tmpdir(), 'canary-plan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function pidFile(name: string, content: string): string {
  const path = join(dir, `${name}.pid`);
  writeFileSync(path, content);
  return path;
}

const b1: Instance = {
  name: 'b1',
  url: 'http://127.0.0.1:18081',
  pidFile: pidFile('b1', ' 4242\n'),
  vars: { port: '18081', 'zone-id': 'z1' },
};
const b2: Instance = {
  name: 'b2',
  url: 'http://127.0.0.1:18082',
  pidFile: pidFile('b2', '4343'),
  vars: { port: '18082', 'zone-id': 'z2' },
};
const bare: Instance = { name: 'bare', vars: {} };
const backends: Target = { name: 'backends', instances: [b1, b2, bare] };

function exec(argv: string[], extra: Partial<ExecStep> = {}): ExecStep {
  return {
    id: 'method[0]',
    action: 'exec',
    target: 'backends',
    selection: {},
    argv,
    env: { MODE: 'x' },
    timeoutMs: 1000,
    ...extra,
  };
}

/** Asserts the promise rejects with CANARY_ERR_CONFIG and a message matching `pattern`. */
async function rejectsConfig(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'), String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

describe('planStep: exec', () => {
  test('one fault per instance given, every placeholder resolved for its own instance', async () => {
    const step = exec(
      ['tool', '{instance}', '{url}/drain', '--pid={pid}', '{pidFile}', 'port={var.port}', '{var.zone-id}'],
      {
        revert: { argv: ['tool', 'undo', '{instance}', '{pid}'], env: { MODE: 'y' }, timeoutMs: 2000 },
      },
    );
    const faults = await planStep(step, backends, [b1, b2]);
    assert.equal(faults.length, 2);
    assert.deepEqual(faults[0], {
      step: 'method[0]',
      instance: 'b1',
      apply: {
        kind: 'exec',
        argv: ['tool', 'b1', 'http://127.0.0.1:18081/drain', '--pid=4242', b1.pidFile, 'port=18081', 'z1'],
        env: { MODE: 'x' },
        timeoutMs: 1000,
      },
      revert: { kind: 'exec', argv: ['tool', 'undo', 'b1', '4242'], env: { MODE: 'y' }, timeoutMs: 2000 },
    });
    assert.deepEqual(faults[1]?.apply, {
      kind: 'exec',
      argv: ['tool', 'b2', 'http://127.0.0.1:18082/drain', '--pid=4343', b2.pidFile, 'port=18082', 'z2'],
      env: { MODE: 'x' },
      timeoutMs: 1000,
    });
  });

  test('{{ is a literal {, and braces that are not placeholders stay as written', async () => {
    const [fault] = await planStep(
      exec(['{{instance}', '{{{instance}}', '{}', '{"a": 1}', 'a}b', '{ url }']),
      backends,
      [b1],
    );
    assert.deepEqual(fault?.apply.kind === 'exec' && fault.apply.argv, [
      '{instance}',
      '{b1}',
      '{}',
      '{"a": 1}',
      'a}b',
      '{ url }',
    ]);
  });

  test('without target: one fault without instance; instance placeholders are errors', async () => {
    const step = exec(['echo', 'hello'], { target: undefined });
    const faults = await planStep(step, undefined, []);
    assert.deepEqual(faults, [
      { step: 'method[0]', apply: { kind: 'exec', argv: ['echo', 'hello'], env: { MODE: 'x' }, timeoutMs: 1000 } },
    ]);
    await rejectsConfig(
      planStep(exec(['echo', '{instance}'], { target: undefined }), undefined, []),
      /^method\[0\]: placeholder \{instance\}: needs an instance, but the step has no target$/,
    );
  });

  test('an empty selection plans nothing', async () => {
    assert.deepEqual(await planStep(exec(['echo']), backends, []), []);
  });

  test('unknown placeholders and missing values are errors naming step, instance and placeholder', async () => {
    await rejectsConfig(
      planStep(exec(['{instnace}']), backends, [b1]),
      /^method\[0\], instance "b1": placeholder \{instnace\}: unknown placeholder/,
    );
    await rejectsConfig(
      planStep(exec(['{url}']), backends, [bare]),
      /instance "bare": placeholder \{url\}: instance "bare" has no url/,
    );
    await rejectsConfig(
      planStep(exec(['{pid}']), backends, [bare]),
      /placeholder \{pid\}: instance "bare" has no pidFile/,
    );
    await rejectsConfig(
      planStep(exec(['{pidFile}']), backends, [bare]),
      /placeholder \{pidFile\}: instance "bare" has no pidFile/,
    );
    await rejectsConfig(
      planStep(exec(['{var.nope}']), backends, [b1]),
      /placeholder \{var\.nope\}: instance "b1" has no var "nope"/,
    );
    // A placeholder only the revert uses still fails before anything is applied.
    const revertOnly = exec(['ok'], { revert: { argv: ['{var.missing}'], env: {}, timeoutMs: 1 } });
    await rejectsConfig(planStep(revertOnly, backends, [b1]), /var "missing"/);
  });

  test('{pid} reads the pid file now and refuses a garbled one or pid 0/1', async () => {
    const inst = (content: string): Instance => ({ name: 'p', pidFile: pidFile('p', content), vars: {} });
    const t = (i: Instance): Target => ({ name: 'backends', instances: [i] });
    for (const [content, pattern] of [
      ['1', /holds pid 1; refusing/],
      ['0', /holds pid 0; refusing/],
      ['-5', /does not hold a pid/],
      ['12abc', /does not hold a pid/],
      ['', /does not hold a pid/],
    ] as const) {
      const i = inst(content);
      await rejectsConfig(planStep(exec(['{pid}']), t(i), [i]), pattern);
    }
    const gone: Instance = { name: 'g', pidFile: join(dir, 'absent.pid'), vars: {} };
    await rejectsConfig(planStep(exec(['{pid}']), t(gone), [gone]), /absent\.pid does not exist/);
    const later = inst('777');
    const [fault] = await planStep(exec(['{pid}']), t(later), [later]);
    assert.deepEqual(fault?.apply.kind === 'exec' && fault.apply.argv, ['777']);
  });

  test('a step planned against a target it does not name is a bug, not a plan', async () => {
    await assert.rejects(
      planStep(exec(['x'], { target: 'other' }), backends, [b1]),
      /names target "other" but was planned against "backends"/,
    );
  });
});

describe('planStep: http', () => {
  const step: HttpStep = {
    id: 'rollback[1]',
    action: 'http',
    target: 'backends',
    selection: { count: 1 },
    method: 'POST',
    url: '{url}/faults/{instance}',
    headers: { 'x-instance': '{instance}', 'x-port': '{var.port}' },
    body: '{"target": "{instance}", "literal": "{{instance}"}',
    expectStatus: [200, 201],
    timeoutMs: 500,
    revert: { method: 'DELETE', url: '{url}/faults/{instance}', headers: {}, expectStatus: [204], timeoutMs: 700 },
  };

  test('url, header values and body are resolved; the revert has no body key when it has none', async () => {
    const [fault] = await planStep(step, backends, [b2]);
    assert.deepEqual(fault, {
      step: 'rollback[1]',
      instance: 'b2',
      apply: {
        kind: 'http',
        method: 'POST',
        url: 'http://127.0.0.1:18082/faults/b2',
        headers: { 'x-instance': 'b2', 'x-port': '18082' },
        body: '{"target": "b2", "literal": "{instance}"}',
        expectStatus: [200, 201],
        timeoutMs: 500,
      },
      revert: {
        kind: 'http',
        method: 'DELETE',
        url: 'http://127.0.0.1:18082/faults/b2',
        headers: {},
        expectStatus: [204],
        timeoutMs: 700,
      },
    });
    assert.equal(fault?.revert !== undefined && 'body' in fault.revert, false);
  });

  test('a missing url is an error, never an empty string', async () => {
    await rejectsConfig(planStep(step, backends, [bare]), /rollback\[1\], instance "bare": placeholder \{url\}/);
  });
});

describe('planStep: process', () => {
  const stop: ProcessStep = {
    id: 'method[2]',
    action: 'process',
    target: 'backends',
    selection: {},
    signal: 'SIGSTOP',
    kill: false,
  };

  test('SIGSTOP and SIGTSTP are reverted by SIGCONT to the same pid; other signals have no revert', async () => {
    const [fault] = await planStep(stop, backends, [b1]);
    assert.deepEqual(fault, {
      step: 'method[2]',
      instance: 'b1',
      apply: { kind: 'signal', pid: 4242, pidFile: b1.pidFile, signal: 'SIGSTOP' },
      revert: { kind: 'signal', pid: 4242, pidFile: b1.pidFile, signal: 'SIGCONT' },
    });
    const [tstp] = await planStep({ ...stop, signal: 'SIGTSTP' }, backends, [b2]);
    assert.deepEqual(tstp?.revert, { kind: 'signal', pid: 4343, pidFile: b2.pidFile, signal: 'SIGCONT' });
    for (const signal of ['SIGKILL', 'SIGTERM', 'SIGCONT'] as const) {
      const [other] = await planStep({ ...stop, signal }, backends, [b1]);
      assert.equal(other?.revert, undefined, signal);
    }
  });

  test('no target or no pidFile is an error', async () => {
    await rejectsConfig(
      planStep({ ...stop, target: undefined }, undefined, []),
      /method\[2\]: a process step needs a target/,
    );
    await rejectsConfig(
      planStep(stop, backends, [bare]),
      /method\[2\], instance "bare": cannot send SIGSTOP: the instance has no pidFile/,
    );
  });
});
