/**
 * Check templates of service discovery: one check per discovered target, from a template
 * written in the agent config with `{{address}}` and `{{labels.NAME}}` placeholders.
 */

/** One Prometheus target group, as file_sd and http_sd serve it. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** What a placeholder can be filled with. */
export interface TemplateValues {
  address: string;
  labels: Readonly<Record<string, string>>;
}

/** The check name pattern of `checkBase.name`, and its length limit. */
const NAME_CHAR = /[^A-Za-z0-9_.:-]/g;
const NAME_MAX = 128;

const PLACEHOLDER = /\{\{\s*(address|labels\.([A-Za-z_][A-Za-z0-9_]*))\s*\}\}/g;

/**
 * The name of a discovered check, `<source>-<address>`, made to fit the check-name
 * pattern: characters it does not allow become `_`, and it is cut to 128 characters.
 *
 * @example
 * checkName('api', '[::1]:8080') // 'api-_::1_:8080'
 */
export function checkName(source: string, address: string): string {
  return `${source}-${address}`.replace(NAME_CHAR, '_').slice(0, NAME_MAX);
}

/** Fills the placeholders of one string; a label the group does not have is empty. */
export function fill(text: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (_match, what: string, label: string | undefined) =>
    label === undefined ? values.address : (values.labels[label] ?? ''),
  );
}

/** Fills every string below `value` (keys are left alone), returning a copy. */
export function fillDeep(value: unknown, values: TemplateValues): unknown {
  if (typeof value === 'string') return fill(value, values);
  if (Array.isArray(value)) return value.map((item) => fillDeep(item, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, fillDeep(child, values)]));
  }
  return value;
}

/**
 * Labels a target group adds to its checks. Prometheus' `__`-prefixed meta labels are for
 * relabelling, not for series, so they are left out (they still fill `{{labels.__x}}`).
 */
export function groupLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => !name.startsWith('__')));
}

/**
 * The raw check a target becomes: the template with placeholders filled, its name, and
 * the group's labels under the template's own (the template wins where both set one).
 * The result is still to be validated like any configured check.
 */
export function instantiate(
  source: string,
  template: Readonly<Record<string, unknown>>,
  values: TemplateValues,
): Record<string, unknown> {
  const filled = fillDeep(template, values) as Record<string, unknown>;
  const own = (filled.labels ?? {}) as Record<string, unknown>;
  const labels = typeof own === 'object' && !Array.isArray(own) ? { ...groupLabels(values.labels), ...own } : own;
  return { ...filled, name: checkName(source, values.address), labels };
}
