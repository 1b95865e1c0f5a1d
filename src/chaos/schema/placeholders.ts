import { placeholderNames } from '../actions/placeholders.js';
import type { ActionStep } from '../model/steps.js';
import type { Target } from '../model/target.js';

/** A string of a step that may hold placeholders, and its key path inside the step. */
interface Template {
  at: (string | number)[];
  text: string;
}

/** A placeholder that cannot be resolved, at the key path (inside the step) of the string using it. */
export interface PlaceholderProblem {
  at: (string | number)[];
  message: string;
}

const KNOWN = '{instance}, {url}, {pidFile}, {pid}, {var.NAME}';

function requestTemplates(
  request: { url: string; headers: Record<string, string>; body?: string },
  prefix: string[],
): Template[] {
  const templates: Template[] = [{ at: [...prefix, 'url'], text: request.url }];
  for (const [name, value] of Object.entries(request.headers))
    templates.push({ at: [...prefix, 'headers', name], text: value });
  if (request.body !== undefined) templates.push({ at: [...prefix, 'body'], text: request.body });
  return templates;
}

/** The strings of a step in which placeholders are replaced per instance. */
function templatesOf(step: ActionStep): Template[] {
  if (step.action === 'exec') {
    const apply = step.argv.map((text, i) => ({ at: ['argv', i], text }));
    return [...apply, ...(step.revert?.argv ?? []).map((text, i) => ({ at: ['revert', 'argv', i], text }))];
  }
  if (step.action === 'http')
    return [...requestTemplates(step, []), ...(step.revert ? requestTemplates(step.revert, ['revert']) : [])];
  return [];
}

/** What an instance must have for a placeholder to resolve; undefined for an unknown placeholder. */
function requirement(name: string): { what: string; has: (i: Target['instances'][number]) => boolean } | undefined {
  if (name === 'instance') return { what: 'name', has: () => true };
  if (name === 'url') return { what: 'url', has: (i) => i.url !== undefined };
  if (name === 'pid' || name === 'pidFile') return { what: 'pidFile', has: (i) => i.pidFile !== undefined };
  if (name.startsWith('var.')) {
    const key = name.slice('var.'.length);
    return { what: `var "${key}"`, has: (i) => Object.hasOwn(i.vars, key) };
  }
  return undefined;
}

function problemFor(
  name: string,
  step: ActionStep,
  target: Target | undefined,
  fromPidFiles: boolean,
): string | undefined {
  const need = requirement(name);
  if (need === undefined) return `unknown placeholder {${name}} (known: ${KNOWN}; write {{ for a literal {)`;
  if (step.target === undefined) return `uses {${name}}, which needs an instance, but the step has no target`;
  // An unknown target is reported on its own; its instances cannot be judged.
  if (target === undefined) return undefined;
  if (fromPidFiles) {
    return need.what === 'name' || need.what === 'pidFile'
      ? undefined
      : `uses {${name}}, but the instances of target "${target.name}" come from pidFiles and have no ${need.what}`;
  }
  const lacking = target.instances.find((i) => !need.has(i));
  return lacking && `uses {${name}}, but instance "${lacking.name}" of target "${target.name}" has no ${need.what}`;
}

/**
 * Placeholders that could never be resolved, found before anything runs: the runner
 * would refuse them only on reaching the step, after earlier faults were applied.
 */
export function placeholderProblems(
  step: ActionStep,
  target: Target | undefined,
  fromPidFiles: boolean,
): PlaceholderProblem[] {
  const problems: PlaceholderProblem[] = [];
  for (const template of templatesOf(step)) {
    for (const name of placeholderNames([template.text])) {
      const message = problemFor(name, step, target, fromPidFiles);
      if (message !== undefined) problems.push({ at: template.at, message });
    }
  }
  return problems;
}
