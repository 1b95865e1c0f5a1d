import type { z } from 'zod';
import { valueAt } from '../../config/issues.js';
import { hypothesisIssues } from './promql.js';

type Issue = z.core.$ZodIssue;

const ACTIONS = '"process", "kill", "exec", "http"';

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function custom(path: PropertyKey[], message: string): Issue {
  return { code: 'custom', path, message, input: undefined };
}

/** A method item that is neither an action nor a pause: what the user forgot is `action`. */
function shapelessStep(raw: unknown, path: readonly PropertyKey[]): number | undefined {
  const [list, index] = path;
  if (list !== 'method' || typeof index !== 'number') return undefined;
  const item = valueAt(raw, [list, index]);
  return isMap(item) && !('action' in item) && !('pause' in item) ? index : undefined;
}

/**
 * Rewrites the zod issues of a step list into what a user needs to read. A method item
 * without `action` is routed to the pause branch (a pause is written `{ pause: 20s }`),
 * whose complaints ("pause is required", every action key unknown) would mislead; it gets
 * one issue naming `action` instead. A missing discriminator is "required", and the
 * pause branch's optional `action` does not show as an allowed `undefined`.
 */
export function tidyIssues(issues: readonly Issue[], raw: unknown): Issue[] {
  const tidy: Issue[] = [];
  const collapsed = new Set<number>();
  for (const issue of issues) {
    const shapeless = shapelessStep(raw, issue.path);
    if (shapeless !== undefined) {
      if (!collapsed.has(shapeless))
        tidy.push(
          custom(['method', shapeless, 'action'], `is required: one of ${ACTIONS}, or write { pause: DURATION }`),
        );
      collapsed.add(shapeless);
      continue;
    }
    const entry = hypothesisIssues(issue, raw);
    if (entry) {
      tidy.push(...entry);
      continue;
    }
    const options = (issue as { options?: unknown }).options;
    if (issue.code !== 'invalid_union' || !Array.isArray(options)) {
      tidy.push(issue);
      continue;
    }
    const allowed = options.filter((o) => o !== undefined && o !== null);
    if (valueAt(raw, issue.path) === undefined) {
      tidy.push(custom([...issue.path], `is required: one of ${allowed.map((o) => JSON.stringify(o)).join(', ')}`));
    } else {
      tidy.push({ ...issue, options: allowed } as Issue);
    }
  }
  return tidy;
}
