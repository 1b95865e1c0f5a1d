import { dirname, resolve } from 'node:path';
import type { Config, ResolvedCheck } from '../config/types.js';
import { coverageRatio, loadOpenApi, type OpenApiSpec } from '../discovery/openapi/index.js';
import type { SpecCoverage } from '../exporters/prometheus/coverage.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** The loaded specs of `probes.openapi`, by path as written; a spec that failed is absent. */
export type LoadedSpecs = ReadonlyMap<string, OpenApiSpec>;

/** Loads every spec of `probes.openapi` (relative to the config file); failures are logged and skipped. */
export async function loadSpecs(config: Config, logger: Logger): Promise<LoadedSpecs> {
  const specs = new Map<string, OpenApiSpec>();
  for (const spec of config.probes.openapi) {
    try {
      specs.set(spec, await loadOpenApi(resolve(dirname(config.file), spec)));
    } catch (err) {
      logger.warn({ spec, err: errorMessage(err) }, 'OpenAPI spec not loaded: no coverage ratio for it');
    }
  }
  return specs;
}

/** The coverage of every configured spec by `checks`; a spec that did not load has no ratio. */
export function specCoverage(config: Config, specs: LoadedSpecs, checks: readonly ResolvedCheck[]): SpecCoverage[] {
  return config.probes.openapi.map((spec) => {
    const loaded = specs.get(spec);
    return { spec, ratio: loaded ? coverageRatio(loaded, checks) : undefined };
  });
}
