/**
 * Test certificates made with the `openssl` CLI in a temporary directory: a long-lived
 * CA, a short-lived CA, and leaves signed by them. EC keys keep generation fast.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A key pair on disk and in memory. */
export interface CertFiles {
  /** Path of the PEM certificate (for leaves signed by a CA: leaf then CA, a full chain). */
  certPath: string;
  keyPath: string;
  /** PEM of `certPath`. */
  cert: string;
  key: string;
  /** notAfter of the first certificate in `cert`, as Unix seconds. */
  notAfter: number;
}

/** Everything the TLS tests need. */
export interface TestCerts {
  /** Long-lived CA (10 years) that signs `localhost`, `otherName` and `expired`. */
  ca: CertFiles;
  /** A CA that expires in 10 days; signs `chained`, which outlives it. */
  shortCa: CertFiles;
  /** Leaf for DNS `localhost` and IP 127.0.0.1, valid 30 days. */
  localhost: CertFiles;
  /** Leaf for DNS `canary.test` only. */
  otherName: CertFiles;
  /** Leaf for `localhost` + 127.0.0.1 whose notAfter has passed. */
  expired: CertFiles;
  /** Leaf for `localhost` + 127.0.0.1 valid 365 days, signed by `shortCa`; `cert` holds the chain. */
  chained: CertFiles;
  /** Client certificate (CN `canary-client`, clientAuth) signed by `ca`, for mutual TLS. */
  client: CertFiles;
  /** Removes the temporary directory. */
  cleanup(): Promise<void>;
}

const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
`;

const LOCALHOST_SAN = 'DNS:localhost,IP:127.0.0.1';

/** Whether the openssl CLI can be run. */
export async function haveOpenssl(): Promise<boolean> {
  try {
    await run('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
}

async function files(dir: string, name: string, chainWith?: CertFiles): Promise<CertFiles> {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  const own = await readFile(certPath, 'utf8');
  const cert = chainWith === undefined ? own : own + chainWith.cert;
  if (chainWith !== undefined) await writeFile(certPath, cert);
  const notAfter = Math.floor(Date.parse(new X509Certificate(own).validTo) / 1000);
  return { certPath, keyPath, cert, key: await readFile(keyPath, 'utf8'), notAfter };
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string, days: number): Promise<CertFiles> {
  const config = join(dir, 'openssl.cnf');
  await run('openssl', [
    'req',
    '-x509',
    '-config',
    config,
    '-extensions',
    'ca_ext',
    ...EC,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.pem`),
    '-days',
    String(days),
    '-subj',
    `/CN=${name}`,
  ]);
  return files(dir, name);
}

let serial = 1000;

interface LeafSpec {
  cn: string;
  san: string;
  days: number;
  usage?: 'serverAuth' | 'clientAuth';
}

async function makeLeaf(dir: string, name: string, spec: LeafSpec, ca: CertFiles): Promise<CertFiles> {
  const { cn, san, days, usage = 'serverAuth' } = spec;
  const ext = join(dir, `${name}.ext`);
  await writeFile(
    ext,
    `basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = ${usage}\nsubjectAltName = ${san}\n`,
  );
  const csr = join(dir, `${name}.csr`);
  await run('openssl', [
    'req',
    '-new',
    '-config',
    join(dir, 'openssl.cnf'),
    ...EC,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    csr,
    '-subj',
    `/CN=${cn}`,
  ]);
  // A negative -days puts notAfter in the past: how the expired leaf is made.
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certPath,
    '-CAkey',
    ca.keyPath,
    '-set_serial',
    String(serial++),
    '-days',
    String(days),
    '-extfile',
    ext,
    '-out',
    join(dir, `${name}.pem`),
  ]);
  return files(dir, name, ca);
}

/** Generates the test certificates; call `cleanup` in `after`. */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-certs-'));
  try {
    await writeFile(join(dir, 'openssl.cnf'), CONFIG);
    const ca = await makeCa(dir, 'canary-test-ca', 3650);
    const shortCa = await makeCa(dir, 'canary-short-ca', 10);
    const [localhost, otherName, expired, chained, client] = await Promise.all([
      makeLeaf(dir, 'localhost', { cn: 'localhost', san: LOCALHOST_SAN, days: 30 }, ca),
      makeLeaf(dir, 'other', { cn: 'canary.test', san: 'DNS:canary.test', days: 30 }, ca),
      makeLeaf(dir, 'expired', { cn: 'localhost', san: LOCALHOST_SAN, days: -1 }, ca),
      makeLeaf(dir, 'chained', { cn: 'localhost', san: LOCALHOST_SAN, days: 365 }, shortCa),
      makeLeaf(dir, 'client', { cn: 'canary-client', san: 'DNS:canary-client', days: 30, usage: 'clientAuth' }, ca),
    ]);
    return {
      ca,
      shortCa,
      localhost,
      otherName,
      expired,
      chained,
      client,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
