/** Prometheus-style service discovery (file_sd, http_sd): the public surface. */
export { ServiceDiscovery, type DiscoveredChecks, type DiscoveryHooks } from './service-discovery.js';
export { checkName, fill, instantiate, type TargetGroup } from './template.js';
export { parseGroups, type SdDocument } from './groups.js';
export { readFileSd } from './file-sd.js';
export { HttpSdRefresher } from './http-sd.js';

/**
 * @deprecated The earlier name of {@link ServiceDiscovery}, kept until the agent's reload
 * imports `ServiceDiscovery` from `service-discovery.ts`; new code uses that.
 */
export { ServiceDiscovery as Discovery } from './service-discovery.js';
