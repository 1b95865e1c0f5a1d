/**
 * Moved to src/config/sd-template.ts: the config schema checks a template instantiates,
 * and config sits below discovery. This re-export keeps discovery's own imports as they
 * are until they point there.
 */
export { checkName, fill, fillDeep, groupLabels, instantiate, type TargetGroup, type TemplateValues } from '../../config/sd-template.js';
