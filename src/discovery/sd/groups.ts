import { z } from 'zod';
import type { Problem } from '../../errors.js';
import { issuesToProblems } from '../../config/issues.js';
import { parseYaml, yamlData, type YamlSource } from '../../config/yaml.js';
import type { TargetGroup } from '../../config/sd-template.js';

/** Prometheus' target group list, as file_sd files and http_sd endpoints serve it. */
export const targetGroupsSchema = z.array(
  z.strictObject({
    targets: z.array(z.string().min(1, 'a target must not be empty')),
    labels: z
      .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names must match [a-zA-Z_][a-zA-Z0-9_]*'), z.string())
      .default({}),
  }),
);

/** One file_sd file or http_sd answer, parsed with positions so problems point into it. */
export interface SdDocument {
  source: YamlSource;
  groups: TargetGroup[];
}

/**
 * Parses a target group list; JSON is YAML, so one parser reads both and keeps line
 * numbers. An empty document is an empty list, as Prometheus reads an empty file.
 */
export function parseGroups(file: string, text: string): { doc?: SdDocument; problems: Problem[] } {
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) return { problems };
  const data = yamlData(source, []);
  if (data.problems.length > 0) return { problems: data.problems };
  const raw = data.value;
  const parsed = targetGroupsSchema.safeParse(raw);
  if (!parsed.success) return { problems: issuesToProblems(source, raw, parsed.error.issues, [], targetGroupsSchema) };
  return { doc: { source, groups: parsed.data }, problems: [] };
}
