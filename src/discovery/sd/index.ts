/** Prometheus-style service discovery (file_sd, http_sd): the public surface. */
export { ServiceDiscovery, type DiscoveredChecks, type DiscoveryHooks } from './service-discovery.js';
export { checkName, fill, instantiate, type TargetGroup } from '../../config/sd-template.js';
export { parseGroups, type SdDocument } from './groups.js';
export { readFileSd } from './file-sd.js';
export { HttpSdRefresher } from './http-sd.js';
