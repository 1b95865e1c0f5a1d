/**
 * Loads a web config file and everything it names (certificate, key, client CA) into what
 * the HTTPS server takes, so a broken file or a key that does not match its certificate
 * is a problem at load time, never a failed handshake later.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { configError } from '../../config/load.js';
import { errorMessage, type Problem } from '../../errors.js';
import { parseWebConfig, type PemSource, type TlsSettings, type WebSettings } from './parse.js';

/** A loaded web config: its settings, the TLS context options, and the files to watch. */
export interface WebConfig {
  settings: WebSettings;
  /** What `tls.createServer` and `setSecureContext` take; undefined without TLS. */
  secureContext: SecureContextOptions | undefined;
  /** The web config file and every certificate file it names, absolute. */
  files: readonly string[];
}

/**
 * Reads and validates a web config file and the files it names.
 * @throws CanaryError `CANARY_ERR_CONFIG` listing every problem as `FILE:LINE:COL: key: message`.
 */
export async function loadWebConfig(path: string): Promise<WebConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
    throw configError([{ file, line: 0, col: 0, path: '', message: `cannot read web config file: ${code}` }]);
  }
  const { settings, problems } = parseWebConfig(file, text);
  if (!settings) throw configError(problems);
  if (!settings.tls) return { settings, secureContext: undefined, files: [file] };
  const tls = await secureContextOptions(file, settings.tls);
  if (!tls.options) throw configError(tls.problems);
  return { settings, secureContext: tls.options, files: [file, ...tls.files] };
}

/** The PEMs read and checked, as secure context options. */
async function secureContextOptions(
  file: string,
  tls: TlsSettings,
): Promise<{ options?: SecureContextOptions; files: string[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const problem = (pem: PemSource, message: string) => problems.push({ file, ...pem.at, message });
  const read = async (pem: PemSource): Promise<string | undefined> => {
    if ('inline' in pem) return pem.inline;
    try {
      return await readFile(pem.file, 'utf8');
    } catch (err) {
      problem(pem, `cannot read ${pem.file}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
      return undefined;
    }
  };
  const [cert, key, ca] = await Promise.all([read(tls.cert), read(tls.key), tls.clientCa && read(tls.clientCa)]);
  const files = [tls.cert, tls.key, tls.clientCa].flatMap((pem) => (pem && 'file' in pem ? [pem.file] : []));
  if (cert === undefined || key === undefined || (tls.clientCa && ca === undefined)) return { files, problems };
  if (tls.clientCa && ca !== undefined && !isCertificate(ca))
    problem(tls.clientCa, 'the client CA is not a PEM certificate');
  const options: SecureContextOptions = {
    cert,
    key,
    ca,
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    honorCipherOrder: tls.honorCipherOrder,
    ...(tls.ecdhCurve ? { ecdhCurve: tls.ecdhCurve } : {}),
  };
  try {
    createSecureContext(options);
  } catch (err) {
    problem(tls.cert, `the certificate and key cannot be used together: ${errorMessage(err)}`);
  }
  return problems.length > 0 ? { files, problems } : { options, files, problems };
}

function isCertificate(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}
