import { displayPath, type Problem } from '../../errors.js';
import type { Config } from '../../config/types.js';
import { formatPath, positionAt, type YamlSource } from '../../config/yaml.js';
import type { Experiment } from '../model/experiment.js';
import type { ActionStep } from '../model/steps.js';
import type { Target } from '../model/target.js';
import { placeholderProblems } from './placeholders.js';
import { checkEntryIndex } from './promql.js';

type Path = (string | number)[];

/** Where a problem is and what it says; turned into a Problem once its position is known. */
interface Finding {
  at: Path;
  message: string;
}

function plural(n: number): string {
  return `${n} instance${n === 1 ? '' : 's'}`;
}

function percentText(value: number): string {
  return `${+value.toFixed(1)}%`;
}

/**
 * Checks an experiment against itself and the agent config before anything runs: step
 * targets exist, checks exist, selections fit their target and the blast radius, and
 * placeholders can be resolved. Problems point at the key they are about.
 */
export function checkReferences(
  experiment: Experiment,
  source: YamlSource,
  config: Config,
  fromPidFiles: ReadonlySet<string>,
): Problem[] {
  const findings: Finding[] = [
    ...toleranceFindings(experiment, config, source.doc.toJS()),
    ...budgetFindings(experiment, config),
  ];
  for (const [list, steps] of [
    ['method', experiment.method],
    ['rollback', experiment.rollback],
  ] as const) {
    for (const [index, step] of steps.entries()) {
      if (step.action === 'pause') continue;
      if (step.action === 'failback' || step.action === 'restore') {
        if (!(step.target in experiment.targets))
          findings.push({ at: [list, index, 'target'], message: `target "${step.target}" is not defined in targets` });
        continue;
      }
      const target = step.target === undefined ? undefined : experiment.targets[step.target];
      const context: StepContext = {
        experiment,
        step,
        target,
        fromPidFiles: target !== undefined && fromPidFiles.has(target.name),
      };
      const inStep = [...stepFindings(context), ...(list === 'method' ? blastRadiusFindings(context) : [])];
      findings.push(...inStep.map((f) => ({ ...f, at: [list, index, ...f.at] })));
    }
  }
  return findings.map(({ at, message }) => ({
    file: source.file,
    ...positionAt(source, at, true),
    path: formatPath(at),
    message,
  }));
}

/** `requireErrorBudget.slo` names a check of the agent config that has an `slo:`. */
function budgetFindings(experiment: Experiment, config: Config): Finding[] {
  const gate = experiment.requireErrorBudget;
  if (gate === undefined) return [];
  const check = config.checks.find((c) => c.name === gate.slo);
  if (check?.slo !== undefined) return [];
  const message = check
    ? `check "${gate.slo}" has no slo: in ${displayPath(config.file)}, so it has no error budget`
    : `check "${gate.slo}" is not a check of the agent config ${displayPath(config.file)}`;
  return [{ at: ['requireErrorBudget', 'slo'], message }];
}

function toleranceFindings(experiment: Experiment, config: Config, raw: unknown): Finding[] {
  const known = new Set(config.checks.map((c) => c.name));
  return (['steadyState', 'abortWhen'] as const).flatMap((list) =>
    experiment[list].flatMap((entry, i): Finding[] =>
      known.has(entry.check)
        ? []
        : [
            {
              at: [list, checkEntryIndex(raw, list, i), 'check'],
              message: `check "${entry.check}" is not a check of the agent config ${displayPath(config.file)}`,
            },
          ],
    ),
  );
}

interface StepContext {
  experiment: Experiment;
  step: ActionStep;
  /** The step's target; undefined when it has none or names one that does not exist. */
  target: Target | undefined;
  fromPidFiles: boolean;
}

function stepFindings({ experiment, step, target, fromPidFiles }: StepContext): Finding[] {
  const findings: Finding[] = [];
  if (step.target !== undefined && target === undefined) {
    const names = Object.keys(experiment.targets);
    const defined = names.length === 0 ? 'no targets are defined' : `defined: ${names.join(', ')}`;
    findings.push({ at: ['target'], message: `target "${step.target}" is not defined in targets (${defined})` });
  }
  const n = target?.instances.length ?? 0;
  const { count } = step.selection;
  // A pid file glob matching nothing yet is left to the runner; its size is unknown here.
  if (target !== undefined && count !== undefined && n > 0 && count > n) {
    findings.push({ at: ['count'], message: `selects ${plural(count)}, but target "${target.name}" has ${n}` });
  }
  // A kill through the target's driver (exec, http, lab) needs no pid file.
  if (step.action === 'process' && target !== undefined && !(step.kill && target.driver !== undefined)) {
    const lacking = target.instances.find((i) => i.pidFile === undefined);
    if (lacking) {
      findings.push({
        at: ['target'],
        message: `instance "${lacking.name}" of target "${target.name}" has no pidFile, which a process step needs`,
      });
    }
  }
  findings.push(...placeholderProblems(step, target, fromPidFiles));
  return findings;
}

/**
 * A method step that would fault more than the blast radius allows, on its own. Counting
 * across steps depends on which instances the runner picks, so it guards that at run time.
 */
function blastRadiusFindings({ experiment, step, target }: StepContext): Finding[] {
  if (target === undefined) return [];
  const { maxInstances, maxPercent } = experiment.blastRadius;
  const n = target.instances.length;
  const { count, percent } = step.selection;
  const key = count !== undefined ? 'count' : percent !== undefined ? 'percent' : 'target';
  // The runner's rounding: percent is rounded up, so any percent picks at least one instance.
  const selected = count ?? (percent !== undefined ? Math.ceil((percent * n) / 100) : n);
  if (maxInstances !== undefined && selected > maxInstances) {
    const what =
      count !== undefined
        ? `selects ${plural(count)}`
        : percent !== undefined
          ? `selects ${selected} of ${plural(n)} (${percent}%)`
          : `selects all ${plural(n)}`;
    return [{ at: [key], message: `${what}, over blastRadius.maxInstances (${maxInstances})` }];
  }
  if (maxPercent === undefined) return [];
  if (n === 0) {
    return percent !== undefined && percent > maxPercent
      ? [{ at: [key], message: `selects ${percent}% of the instances, over blastRadius.maxPercent (${maxPercent}%)` }]
      : [];
  }
  const share = Math.min(selected, n);
  // Compared without dividing, so 2 of 4 is exactly 50%.
  if (share * 100 <= maxPercent * n) return [];
  return [
    {
      at: [key],
      message: `selects ${share} of ${plural(n)} (${percentText((share * 100) / n)}), over blastRadius.maxPercent (${maxPercent}%)`,
    },
  ];
}
