/**
 * Query parameters whose values are secrets, compared without case: tokens and keys
 * (OAuth, API gateways), signatures of pre-signed URLs (S3, GCS, Azure SAS) and passwords.
 * `redact.queryParams` in the agent config adds names to these; it never removes one.
 */
export const DEFAULT_SECRET_QUERY_PARAMS: readonly string[] = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'secret',
  'client_secret',
  'password',
  'passwd',
  'pass',
  'auth',
  'sig',
  'signature',
  'awsaccesskeyid',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
];

let names = new Set(DEFAULT_SECRET_QUERY_PARAMS);

/**
 * Sets the names added to the defaults (`redact.queryParams`); a reload passes the new
 * list, which replaces the previous one.
 */
export function setExtraSecretQueryParams(extra: readonly string[]): void {
  names = new Set([...DEFAULT_SECRET_QUERY_PARAMS, ...extra.map((n) => n.toLowerCase())]);
}

/** The names added by config, for handing to worker threads. */
export function extraSecretQueryParams(): string[] {
  const defaults = new Set(DEFAULT_SECRET_QUERY_PARAMS);
  return [...names].filter((n) => !defaults.has(n));
}

/** Whether a query parameter's value is redacted wherever a URL is shown. */
export function isSecretQueryParam(name: string): boolean {
  return names.has(name.toLowerCase());
}
