/**
 * `http_headers` of a blackbox http client: each header's `values`, `secrets` and the
 * contents of its `files`, sent as one comma-joined value under `http.headers`. Values
 * from `secrets` and files are registered as secrets at once (they are never written in
 * canary's own config, so nothing else would know them). A file that cannot be read is a
 * warning on its module, as blackbox reads it when it probes.
 */
import { registerSecret } from '../../secrets/registry.js';
import type { Draft } from './draft.js';
import { Fields, type FieldType } from './reader.js';

const HEADER: Readonly<Record<string, FieldType>> = { values: 'strings', secrets: 'strings', files: 'strings' };

export function translateHttpHeaders(client: Fields, draft: Draft, readText: (path: string) => string): void {
  for (const [name, value] of Object.entries(client.raw('http_headers'))) {
    const header = new Fields(client.report, client.at('http_headers', name), value, HEADER);
    const secret = [...(header.strings('secrets') ?? [])];
    for (const [i, path] of (header.strings('files') ?? []).entries()) {
      try {
        secret.push(readText(path).trim());
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
        draft.cannot(header.at('files', i), `cannot read ${path}: ${code}`);
      }
    }
    for (const s of secret) if (s !== '') registerSecret(s);
    const all = [...(header.strings('values') ?? []), ...secret];
    if (all.length > 0) draft.set(['http', 'headers', name], all.join(', '), header.path);
  }
}
