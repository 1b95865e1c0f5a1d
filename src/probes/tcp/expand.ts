/**
 * Fills a template from a regex match as Go's `regexp.Expand` does, which blackbox_exporter
 * applies to a step's `send` and its `labels` values: `$name` or `${name}`, where a name of
 * digits is a group's number and any other a named group's; `$$` is a literal `$`. A group
 * that did not take part in the match, or does not exist, reads as the empty string; a `$`
 * that starts no valid reference is kept as it is.
 */
const REFERENCE = /\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;

export function expand(template: string, match: RegExpExecArray): string {
  return template.replace(REFERENCE, (all: string, braced?: string, bare?: string) => {
    if (all === '$$') return '$';
    const name = braced ?? bare ?? '';
    if (/^[0-9]+$/.test(name)) return match[Number(name)] ?? '';
    return match.groups?.[name] ?? '';
  });
}
