import { FAILURE_REASONS } from '../../results/reasons.js';
import type { TlsFacts } from '../../results/types.js';
import type { Failure } from '../http/classify.js';

/**
 * Whether a completed handshake counts as a `tls` failure: an untrusted chain or a name
 * the certificate does not cover, unless the check is `insecure`. The connection is made
 * without enforcing either so their facts are known; this is where they are enforced.
 */
export function tlsVerdict(tls: TlsFacts, insecure: boolean): Failure | undefined {
  if (insecure) return undefined;
  if (tls.verified === false)
    return { reason: FAILURE_REASONS.tls, message: `certificate not trusted: ${tls.verifyError ?? 'unknown reason'}` };
  if (tls.hostnameMatch === false)
    return {
      reason: FAILURE_REASONS.tls,
      message: `certificate does not match the server name${tls.subject ? ` (subject ${tls.subject})` : ''} (ERR_TLS_CERT_ALTNAME_INVALID)`,
    };
  return undefined;
}
