/**
 * Turns an action step and the instances selected for it into planned faults: the exact
 * calls that apply and revert each fault, resolved now so they can be journaled before
 * anything runs and replayed later by a process that has never seen the experiment file.
 */
import { CanaryError, ERROR_CODES } from '../errors.js';
import { processStartTicks, readPidFile } from './actions/pid.js';
import { prepareExpand, type Expand } from './actions/placeholders.js';
import type { Call, PlannedFault } from './model/calls.js';
import type { Experiment } from './model/experiment.js';
import type { ActionStep, ExecStep, HttpStep, ProcessStep, ProxyStep } from './model/steps.js';
import type { HttpRequestSpec, Instance, Target, TargetDriver } from './model/target.js';
import { selectInstances, type BlastRadius } from './select.js';

/**
 * Signals whose effect another signal undoes. A stopped process stays stopped until it
 * gets SIGCONT, so those faults must be journaled with their revert.
 */
const REVERSIBLE_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGSTOP', 'SIGTSTP']);

/**
 * Plans one action step.
 *
 * - without a target: one fault, without instance;
 * - with a target: one fault per instance in `instances` (the selection already made),
 *   none when `instances` is empty.
 *
 * Placeholders are resolved per instance; pid files are read now, so the journal names the
 * exact process a signal is meant for.
 *
 * @throws CanaryError `CANARY_ERR_CONFIG` for an unresolvable placeholder, a process step
 *   without target or pid file, or a pid file that is missing, garbled or names pid 0 or 1.
 */
export async function planStep(
  step: ActionStep,
  target: Target | undefined,
  instances: readonly Instance[],
): Promise<PlannedFault[]> {
  if (step.target !== target?.name) {
    throw new CanaryError(
      ERROR_CODES.internal,
      `${step.id}: step names target ${quote(step.target)} but was planned against ${quote(target?.name)}`,
    );
  }
  if (step.action === 'proxy') return planProxy(step);
  if (target === undefined) return [await planOne(step, undefined, undefined)];
  const faults: PlannedFault[] = [];
  for (const instance of instances) faults.push(await planOne(step, target, instance));
  return faults;
}

/**
 * Plans `step` on the instances it selects, the same way for a run and a dry run: target
 * looked up, instances drawn, charged to `radius` when one is given (the method's steps;
 * rollback steps are not charged), then every call resolved.
 *
 * @throws Error for an unknown target or one without instances; whatever `admit` and
 *   `planStep` throw.
 */
export async function planSelected(
  exp: Experiment,
  step: ActionStep,
  random: () => number,
  radius?: BlastRadius,
): Promise<PlannedFault[]> {
  const target = step.target === undefined ? undefined : exp.targets[step.target];
  if (step.target !== undefined && !target) throw new Error(`unknown target ${step.target}`);
  const instances = target ? selectInstances(target, step.selection, random) : [];
  if (target && instances.length === 0)
    throw new Error(`target ${target.name} has no instances${target.unresolved ? `: ${target.unresolved}` : ''}`);
  if (radius && target)
    radius.admit(
      target.name,
      instances.map((i) => i.name),
    );
  return planStep(step, target, instances);
}

/**
 * The rollback list, planned when a run starts so that recovery after a crash needs no
 * experiment file. Rollback steps are not charged to the blast radius: they undo, not do.
 */
export async function planRollback(exp: Experiment, random: () => number): Promise<PlannedFault[]> {
  const planned: PlannedFault[] = [];
  if (exp.rollbackStrategy === 'never') return planned;
  for (const step of exp.rollback) planned.push(...(await planSelected(exp, step, random)));
  return planned;
}

function quote(name: string | undefined): string {
  return name === undefined ? 'none' : `"${name}"`;
}

async function planOne(
  step: Exclude<ActionStep, ProxyStep>,
  target: Target | undefined,
  instance: Instance | undefined,
): Promise<PlannedFault> {
  const calls =
    step.action === 'exec'
      ? await planExec(step, instance)
      : step.action === 'http'
        ? await planHttp(step, instance)
        : step.kill && target?.driver !== undefined
          ? await planDriverKill(step, target.driver, instance)
          : await planSignal(step, target, instance);
  const fault: PlannedFault = { step: step.id, apply: calls.apply };
  if (instance !== undefined) fault.instance = instance.name;
  if (calls.revert !== undefined) fault.revert = calls.revert;
  return fault;
}

interface CallPair {
  apply: Call;
  revert?: Call;
}

async function planExec(step: ExecStep, instance: Instance | undefined): Promise<CallPair> {
  const { revert } = step;
  const expand = await prepareExpand({ step: step.id, instance }, [...step.argv, ...(revert?.argv ?? [])]);
  const apply: Call = { kind: 'exec', argv: step.argv.map(expand), env: { ...step.env }, timeoutMs: step.timeoutMs };
  if (revert === undefined) return { apply };
  return {
    apply,
    revert: { kind: 'exec', argv: revert.argv.map(expand), env: { ...revert.env }, timeoutMs: revert.timeoutMs },
  };
}

/** The strings of an HTTP request that may hold placeholders. */
function httpTemplates(request: { url: string; headers: Record<string, string>; body?: string }): string[] {
  return [request.url, ...Object.values(request.headers), ...(request.body === undefined ? [] : [request.body])];
}

type HttpRequestPart = HttpRequestSpec;

function httpCall(request: HttpRequestPart, expand: Expand): Extract<Call, { kind: 'http' }> {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, expand(value)]));
  const call: Extract<Call, { kind: 'http' }> = {
    kind: 'http',
    method: request.method,
    url: expand(request.url),
    headers,
    expectStatus: [...request.expectStatus],
    timeoutMs: request.timeoutMs,
  };
  // Only set when present: the call is journaled as JSON, where an undefined key is noise.
  if (request.body !== undefined) call.body = expand(request.body);
  return call;
}

async function planHttp(step: HttpStep, instance: Instance | undefined): Promise<CallPair> {
  const { revert } = step;
  const expand = await prepareExpand({ step: step.id, instance }, [
    ...httpTemplates(step),
    ...(revert === undefined ? [] : httpTemplates(revert)),
  ]);
  const apply = httpCall(step, expand);
  return revert === undefined ? { apply } : { apply, revert: httpCall(revert, expand) };
}

async function planSignal(
  step: ProcessStep,
  target: Target | undefined,
  instance: Instance | undefined,
): Promise<CallPair> {
  const fail = (why: string): CanaryError =>
    new CanaryError(
      ERROR_CODES.config,
      `${step.id}${instance === undefined ? '' : `, instance "${instance.name}"`}: ${why}`,
    );
  if (instance === undefined) throw fail(`a process step needs a target whose instances have pid files`);
  const { pidFile } = instance;
  if (pidFile === undefined) throw fail(`cannot send ${step.signal}: the instance has no pidFile`);
  const read = await readPidFile(pidFile);
  if (!read.ok) throw fail(`cannot send ${step.signal}: ${read.error}`);
  const startTicks = await processStartTicks(read.pid);
  const identity = startTicks === undefined ? {} : { startTicks };
  const apply: Call = { kind: 'signal', pid: read.pid, pidFile, signal: step.signal, ...identity };
  if (REVERSIBLE_SIGNALS.has(step.signal))
    return { apply, revert: { kind: 'signal', pid: read.pid, pidFile, signal: 'SIGCONT', ...identity } };
  if (target?.start === undefined || step.signal === 'SIGCONT') return { apply };
  // Whatever the signal did (a kill, a TERM), starting the instance again undoes it.
  const { argv, env, cwd, timeoutMs } = target.start;
  const expand = await prepareExpand({ step: step.id, instance }, argv);
  const revert: Call = {
    kind: 'spawn',
    argv: argv.map(expand),
    env: { ...env },
    pidFile,
    timeoutMs,
    ...(cwd ? { cwd } : {}),
  };
  return { apply, revert };
}

/** A kill through the target's driver: its kill call, reverted by its restore call, `{signal}` filled in. */
async function planDriverKill(
  step: ProcessStep,
  driver: TargetDriver,
  instance: Instance | undefined,
): Promise<CallPair> {
  const extra = { signal: step.signal };
  if (driver.kind === 'exec') {
    const expand = await prepareExpand({ step: step.id, instance, extra }, [
      ...driver.kill.argv,
      ...driver.restore.argv,
    ]);
    const exec = (spec: typeof driver.kill): Call => ({
      kind: 'exec',
      argv: spec.argv.map(expand),
      env: { ...spec.env },
      timeoutMs: spec.timeoutMs,
    });
    return { apply: exec(driver.kill), revert: exec(driver.restore) };
  }
  const expand = await prepareExpand({ step: step.id, instance, extra }, [
    ...httpTemplates(driver.kill),
    ...httpTemplates(driver.restore),
  ]);
  return { apply: httpCall(driver.kill, expand), revert: httpCall(driver.restore, expand) };
}

/**
 * One fault per toxic: added with a POST to the proxy's toxics, removed with a DELETE.
 * Already gone (expired by its ttl, or a proxy reset) counts as removed.
 */
function planProxy(step: ProxyStep): PlannedFault[] {
  const base = `${step.api.replace(/\/+$/, '')}/proxies/${encodeURIComponent(step.proxy)}/toxics`;
  const headers = { 'content-type': 'application/json' };
  return step.toxics.map((toxic) => ({
    step: step.id,
    apply: {
      kind: 'http',
      method: 'POST',
      url: base,
      headers,
      body: JSON.stringify({ ...toxic, ttl: step.ttlMs }),
      expectStatus: [200],
      timeoutMs: step.timeoutMs,
    },
    revert: {
      kind: 'http',
      method: 'DELETE',
      url: `${base}/${encodeURIComponent(toxic.name)}`,
      headers: {},
      expectStatus: [200, 204, 404],
      timeoutMs: step.timeoutMs,
    },
  }));
}
