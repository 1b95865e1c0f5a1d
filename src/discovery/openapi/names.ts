/** Check names the schema accepts: `^[A-Za-z0-9][A-Za-z0-9_.:-]*$`, at most 128 characters. */
const MAX_NAME = 128;
/** Room left for a `-NN` suffix when two operations end up with the same name. */
const SUFFIX_ROOM = 4;

function clean(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.:-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
}

/**
 * The name of the check for an operation: its `operationId` made valid, or else
 * `method-path` as a slug (`GET /pets/{petId}` -> `get-pets-petid`), with an optional prefix.
 * The same spec always gives the same names, so regenerating a file diffs cleanly.
 */
export function checkName(operation: { method: string; path: string; operationId?: string }, prefix = ''): string {
  const own = operation.operationId === undefined ? '' : clean(operation.operationId);
  const slug = own !== '' ? own : clean(`${operation.method}-${operation.path.replace(/[{}]/g, '')}`.toLowerCase());
  const name = clean(prefix === '' ? slug : `${prefix}-${slug}`);
  return (name === '' ? 'operation' : name).slice(0, MAX_NAME - SUFFIX_ROOM);
}

/** Makes names unique in order: the second `x` becomes `x-2`, the third `x-3`. */
export function dedupeNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; used.has(candidate); n++) candidate = `${name}-${n}`;
    used.add(candidate);
    return candidate;
  });
}
