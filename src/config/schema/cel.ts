import { parse } from '@bufbuild/cel';
import { z } from 'zod';
import { errorMessage } from '../../errors.js';

/** Why a CEL expression does not parse, or undefined when it does. */
export function celProblem(expression: string): string | undefined {
  try {
    parse(expression);
    return undefined;
  } catch (err) {
    return `must be a valid CEL expression: ${errorMessage(err).split('\n')[0] ?? ''}`;
  }
}

/** A CEL expression over `body` (the response body parsed as JSON); checked to parse at load. */
export const celExpression = z.string().superRefine((expression, ctx) => {
  const problem = celProblem(expression);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
