/** The `{{name}}` placeholders of flow steps: what the step schema, the flow rules and the flow probe read alike. */

/** What an extraction may be called, and so what may stand between `{{` and `}}`. */
export const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A `{{name}}` placeholder (spaces inside the braces allowed); distinct from `${VAR}`, which the loader fills from the environment. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The placeholder names in `text`, in order of appearance. */
export function placeholdersIn(text: string | undefined): string[] {
  if (text === undefined || !text.includes('{{')) return [];
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}
