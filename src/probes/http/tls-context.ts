/**
 * TLS client contexts, built once and shared. `tls.connect` without a `secureContext`
 * builds a fresh one (parsing every CA certificate) for each connection, which would be
 * the most expensive line of a probe; files are read once per path for the same reason.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { TlsOptions } from '../../config/schema/http.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure, failureMessage } from './classify.js';

const files = new Map<string, Buffer>();
const contexts = new Map<string, SecureContext>();

/** Reads a PEM file once per path; a file that cannot be read is a `tls` failure of the probe. */
function pem(field: string, path: string): Buffer {
  let data = files.get(path);
  if (data === undefined) {
    try {
      data = readFileSync(path);
    } catch (err) {
      throw new ProbeFailure(FAILURE_REASONS.tls, `tls.${field}: cannot read ${path}: ${failureMessage(err)}`);
    }
    files.set(path, data);
  }
  return data;
}

/**
 * The secure context for a check's `tls.ca`, `tls.cert` and `tls.key` (absent ones mean
 * the system trust store and no client certificate). Throws a ProbeFailure (`tls`) when
 * a file is missing or not valid PEM.
 */
export function secureContextFor(tls: Pick<TlsOptions, 'ca' | 'cert' | 'key'>): SecureContext {
  const key = `${tls.ca ?? ''}\0${tls.cert ?? ''}\0${tls.key ?? ''}`;
  let context = contexts.get(key);
  if (context === undefined) {
    try {
      context = createSecureContext({
        ca: tls.ca === undefined ? undefined : pem('ca', tls.ca),
        cert: tls.cert === undefined ? undefined : pem('cert', tls.cert),
        key: tls.key === undefined ? undefined : pem('key', tls.key),
      });
    } catch (err) {
      if (err instanceof ProbeFailure) throw err;
      throw new ProbeFailure(FAILURE_REASONS.tls, `tls: cannot load certificates: ${failureMessage(err)}`);
    }
    contexts.set(key, context);
  }
  return context;
}
