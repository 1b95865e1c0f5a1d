/**
 * Assertions: pure functions from (check, observation, moment) to outcomes. The logic is
 * in `evaluate.ts`; this file only names the public surface.
 */
export { compileExpectations, evaluate } from './evaluate.js';
export { STATUS_OUTCOME } from './status.js';
export type { EvaluationContext } from './types.js';
