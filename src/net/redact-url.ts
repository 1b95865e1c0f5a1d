/**
 * Targets as they may be shown: in labels, logs, spans and error messages. A URL's
 * user and password, and the values of query parameters that carry secrets, become
 * `REDACTED`; the rest stays, so a reader still knows which endpoint it was.
 */
import { isSecretQueryParam } from '../secrets/query-params.js';

export { isSecretQueryParam };

export const REDACTED = 'REDACTED';

/**
 * `target` with its credentials and secret query values replaced by `REDACTED`. What
 * does not parse as a URL with a scheme (a `host:port`, a domain name) is returned as it
 * is: it has nowhere to carry a secret.
 */
export function redactUrl(target: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return target;
  }
  const secrets = [...new Set(url.searchParams.keys())].filter(isSecretQueryParam);
  if (!url.username && !url.password && secrets.length === 0) return target;
  if (url.username) url.username = REDACTED;
  if (url.password) url.password = REDACTED;
  for (const name of secrets) url.searchParams.set(name, REDACTED);
  return url.toString();
}
