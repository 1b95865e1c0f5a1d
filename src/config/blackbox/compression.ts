/**
 * Whether an Accept-Encoding header admits `encoding` with a quality above zero, as
 * blackbox checks `compression:` against the module's own Accept-Encoding header.
 */
export function acceptsCompression(encoding: string, acceptEncoding: string): boolean {
  if (acceptEncoding === '') return true;
  const entries = acceptEncoding.split(',').map((part) => {
    const semi = part.lastIndexOf(';');
    if (semi === -1) return { name: part.trim(), quality: 1 };
    const q = Number(
      part
        .slice(semi + 1)
        .trim()
        .replace(/^q=/, ''),
    );
    return { name: part.slice(0, semi).trim(), quality: Number.isNaN(q) ? 0 : Math.round(q * 1000) / 1000 };
  });
  // Stable sort by quality, highest first: the first entry naming it (or `*`) decides.
  const sorted = entries.map((e, i) => ({ ...e, i })).sort((a, b) => b.quality - a.quality || a.i - b.i);
  const first = sorted.find((e) => e.name === encoding || e.name === '*');
  return first !== undefined && first.quality > 0;
}
