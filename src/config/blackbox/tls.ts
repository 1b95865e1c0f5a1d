/** blackbox's `tls_config` (Prometheus' common TLS settings) as canary's `tls:`. */
import type { Draft } from './draft.js';
import type { Fields, FieldType } from './reader.js';

export const TLS_FIELDS: Readonly<Record<string, FieldType>> = {
  ca: 'string',
  ca_file: 'string',
  ca_ref: 'string',
  cert: 'string',
  cert_file: 'string',
  cert_ref: 'string',
  key: 'string',
  key_file: 'string',
  key_ref: 'string',
  server_name: 'string',
  insecure_skip_verify: 'bool',
  min_version: 'string',
  max_version: 'string',
};

const VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'];

function version(tls: Fields, draft: Draft, key: 'min_version' | 'max_version'): void {
  const value = tls.str(key);
  if (value === undefined) return;
  if (!VERSIONS.includes(value)) {
    tls.report.problem(tls.at(key), `unknown TLS version ${JSON.stringify(value)}: one of ${VERSIONS.join(', ')}`);
    return;
  }
  // Node's own bounds are TLS 1.2 to 1.3, Go's default too: only a narrower window needs a setting.
  if ((key === 'min_version' && value === 'TLS12') || (key === 'max_version' && value === 'TLS13')) return;
  draft.cannot(tls.at(key), `${key} ${value}: canary keeps TLS 1.2 to 1.3 for these connections`);
}

/** Checks the pairs Prometheus' TLS settings refuse, then writes canary's `tls:`. */
export function translateTls(tls: Fields, draft: Draft): void {
  for (const kind of ['ca', 'cert', 'key'] as const) {
    const set = [kind, `${kind}_file`, `${kind}_ref`].filter((key) => tls.has(key));
    if (set.length > 1) tls.report.problem(tls.at(set[1] as string), `at most one of ${set.join(', ')} may be set`);
  }
  const hasCert = tls.has('cert') || tls.has('cert_file') || tls.has('cert_ref');
  const hasKey = tls.has('key') || tls.has('key_file') || tls.has('key_ref');
  if (hasCert !== hasKey) {
    tls.report.problem(
      tls.path,
      'a client certificate needs its key, and a key its certificate (cert_file with key_file)',
    );
  }
  draft.copy(tls, 'ca_file', 'str', ['tls', 'ca']);
  draft.copy(tls, 'cert_file', 'str', ['tls', 'cert']);
  draft.copy(tls, 'key_file', 'str', ['tls', 'key']);
  draft.copy(tls, 'server_name', 'str', ['tls', 'serverName']);
  draft.copy(tls, 'insecure_skip_verify', 'bool', ['tls', 'insecure']);
  for (const key of ['ca', 'cert', 'key']) {
    if (tls.has(key)) draft.cannot(tls.at(key), `inline PEM; canary reads certificates from files (${key}_file)`);
    if (tls.has(`${key}_ref`)) draft.cannot(tls.at(`${key}_ref`), 'secret references need a secret manager');
  }
  version(tls, draft, 'min_version');
  version(tls, draft, 'max_version');
}
