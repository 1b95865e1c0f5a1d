/** OpenAPI discovery: probe files from a spec, and how much of a spec the checks cover. */
export { loadOpenApi, openApiFromText, type OpenApiSpec } from './load.js';
export { listOperations, type Operation, type OperationList } from './operations.js';
export {
  discoverChecks,
  type DiscoverOptions,
  type GeneratedCheck,
  type OpenApiChecks,
  type SkippedOperation,
} from './to-checks.js';
export { renderProbeFile, describeSkipped, escapeDollars, type SpecSummary } from './probe-file.js';
export {
  coverage,
  coverageRatio,
  type CoverageCheck,
  type CoverageOperation,
  type CoverageOptions,
  type CoverageReport,
} from './coverage.js';
export { RefError, RefResolver } from './refs.js';
