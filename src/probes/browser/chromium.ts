/**
 * Where the Chromium binary is: `probes.browser.chromium` when set (a path, or a name
 * looked up on PATH), else the first of the usual names on PATH. Checked by
 * `canary validate` and by the probe before it launches anything.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** Names a Chromium goes by on Debian, Ubuntu, Fedora and in Google's packages. */
export const CHROMIUM_NAMES: readonly string[] = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The Chromium to launch, or `undefined` when there is none. `configured` containing a
 * slash is a path (relative to the working directory); otherwise a name on `PATH`.
 */
export function findChromium(configured?: string, path = process.env.PATH ?? ''): string | undefined {
  if (configured !== undefined) {
    if (configured.includes('/')) return executable(configured) ? configured : undefined;
    return onPath(configured, path);
  }
  for (const name of CHROMIUM_NAMES) {
    const found = onPath(name, path);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Why no Chromium was found, in words that say what to do. */
export function noChromiumMessage(configured?: string): string {
  if (configured !== undefined) {
    const what = isAbsolute(configured) || configured.includes('/') ? 'is not an executable file' : 'is not on PATH';
    return `probes.browser.chromium "${configured}" ${what}: browser checks need Chromium (Debian: apt-get install chromium)`;
  }
  return `no Chromium found on PATH (tried ${CHROMIUM_NAMES.join(', ')}): browser checks need it; install it (Debian: apt-get install chromium) or set probes.browser.chromium`;
}
