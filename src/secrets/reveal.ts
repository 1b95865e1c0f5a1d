/**
 * Putting secrets back into a call read from the journal. The journal keeps hash markers
 * (redact.ts), so a process that recovers a dead run must know the same secrets: it loads
 * the experiment file with its own environment, which registers them, and each marker is
 * matched by hash. A marker no known secret matches is left as it is and reported.
 */
import { mapStrings, secretHash } from './redact.js';
import { secretValues } from './registry.js';

const MARKER = /<secret (sha256:[0-9a-f]{16})>/g;

/** `value` with every marker of a known secret replaced by that secret, and the hashes of the unknown ones. */
export function revealSecrets<T>(value: T): { value: T; unknown: string[] } {
  const byHash = new Map(secretValues().map((s) => [secretHash(s), s]));
  const unknown = new Set<string>();
  const revealed = mapStrings(value, (text) =>
    text.includes('<secret ')
      ? text.replace(MARKER, (marker, hash: string) => {
          const secret = byHash.get(hash);
          if (secret === undefined) unknown.add(hash);
          return secret ?? marker;
        })
      : text,
  );
  return { value: revealed, unknown: [...unknown] };
}
