/**
 * Cross-field rules of a flow check, checked at load time so a misspelt placeholder is a
 * config error with its place rather than a failing probe at 3 a.m.
 */
import { PLACEHOLDER, PLACEHOLDER_NAME, placeholdersIn } from './flow-placeholders.js';
import type { FlowStep } from './flow-step.js';

// Re-exported: the flow probe fills the placeholders these rules check.
export { PLACEHOLDER, PLACEHOLDER_NAME, placeholdersIn };

/** A rule violation, relative to the check. */
export interface FlowIssue {
  path: (string | number)[];
  message: string;
}

/** Where each field of a step's request that may hold placeholders sits, with its text. */
function templated(step: FlowStep): [(string | number)[], string | undefined][] {
  return [
    [['http', 'url'], step.http.url],
    ...Object.entries(step.http.headers).map(([name, value]): [(string | number)[], string] => [
      ['http', 'headers', name],
      value,
    ]),
    [['http', 'body'], step.http.body],
  ];
}

function placeholderIssues(step: FlowStep, at: (string | number)[], known: ReadonlyMap<string, string>): FlowIssue[] {
  const issues: FlowIssue[] = [];
  const available = known.size === 0 ? 'none' : [...known.keys()].join(', ');
  for (const [path, text] of templated(step)) {
    for (const name of new Set(placeholdersIn(text))) {
      if (known.has(name)) continue;
      issues.push({
        path: [...at, ...path],
        message: `{{${name}}} is not extracted by an earlier step (extracted before "${step.name}": ${available})`,
      });
    }
  }
  return issues;
}

/**
 * Step names are unique; extraction names are unique in the flow; every `{{name}}` in a
 * step's url, headers or body is extracted by an earlier step.
 */
export function flowRules(steps: readonly FlowStep[]): FlowIssue[] {
  const issues: FlowIssue[] = [];
  const stepAt = new Map<string, number>();
  /** Extraction name -> the step that extracts it. */
  const extracted = new Map<string, string>();
  steps.forEach((step, i) => {
    const at = ['flow', 'steps', i];
    const first = stepAt.get(step.name);
    if (first !== undefined)
      issues.push({
        path: [...at, 'name'],
        message: `duplicate step name "${step.name}", first used by flow.steps[${first}]`,
      });
    else stepAt.set(step.name, i);
    issues.push(...placeholderIssues(step, at, extracted));
    for (const name of Object.keys(step.extract)) {
      const by = extracted.get(name);
      if (by !== undefined)
        issues.push({
          path: [...at, 'extract', name],
          message: `"${name}" is already extracted by step "${by}": extraction names must be unique in a flow`,
        });
      else extracted.set(name, step.name);
    }
  });
  return issues;
}
