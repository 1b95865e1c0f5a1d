/**
 * Moved: one attempt is src/run/execute.ts and its verdict src/run/verdict.ts. This
 * re-export keeps the importers that have not moved yet (probes/flow/step.ts, gate/run.ts,
 * cli/commands/probe.ts) building; it goes once they import from run/. It is the one
 * import from results/ up into run/, allowed by name in eslint.config.js.
 */
export { executeCheck, type ExecuteDeps } from '../run/execute.js';
export { describeFailure, verdict, type Verdict } from '../run/verdict.js';
