/**
 * Unix socket paths as `/probe` targets and `server.probe.allow` entries. A path is
 * compared as written, so only absolute paths without `.`/`..` segments, doubled or
 * trailing slashes are accepted: what an entry matches is then the file that is opened.
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';

/** An allow entry that is a path: exact, or a glob whose `*` stays within one directory. */
export interface PathEntry {
  kind: 'path';
  text: string;
  matches: (path: string) => boolean;
}

/** Whether `text` is an absolute, normal path (see the file comment). */
export function isNormalPath(text: string): boolean {
  return (
    text.length > 1 &&
    text.startsWith('/') &&
    !text.endsWith('/') &&
    !text.includes('\0') &&
    posix.normalize(text) === text
  );
}

/** Compiles an allow entry that starts with `/`; `undefined` when it is no normal path. */
export function parsePathEntry(text: string): PathEntry | undefined {
  if (!isNormalPath(text)) return undefined;
  const matches = /[*?[{]/.test(text) ? picomatch(text, { dot: false }) : (path: string) => path === text;
  return { kind: 'path', text, matches };
}

/**
 * Why probing the unix socket at `path` is refused, or `undefined` when an allow entry
 * that is a path matches it. Refused without such an entry, whether or not there is an
 * allow list: network targets being open to all does not open the machine's own sockets
 * (a container runtime's, a database's admin socket).
 */
export function pathRefusal(allow: readonly { kind: string }[] | undefined, path: string): string | undefined {
  if (!isNormalPath(path))
    return `${JSON.stringify(path)} is not an absolute unix socket path without . or .. segments`;
  const listed = (allow ?? []).some((e) => e.kind === 'path' && (e as PathEntry).matches(path));
  if (listed) return undefined;
  return `unix socket ${path} is not in server.probe.allow; unix socket paths are probed only when an entry lists them (an exact path or a glob such as /run/app/*.sock)`;
}
