/**
 * "Did you mean ...?" for a misspelt key or kind: the nearest word by edit distance, or
 * none when nothing is close enough to be a plausible typo.
 */

/**
 * Edit distance with adjacent transpositions (optimal string alignment): `intreval` is
 * one edit from `interval`, as a typist sees it, not two.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Longer than this, a word is not a typo of a key; the table above stays small. */
const MAX_WORD = 64;

/**
 * The candidate nearest to `word`, case aside, when it is within about a third of the
 * word's length (at least one edit, and fewer than either word has letters): `htp` → `http`, `tiemout` → `timeout`, but `colour`
 * suggests nothing among `region` and `labels`. Ties go to the earlier candidate.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length === 0 || word.length > MAX_WORD) return undefined;
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === word || candidate.length > MAX_WORD) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    // A candidate that shares nothing with the word (`x` for `y`) is no suggestion.
    const plausible = distance <= limit && distance < Math.min(word.length, candidate.length);
    if (plausible && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** ` (did you mean "X"?)` for the nearest candidate, or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
