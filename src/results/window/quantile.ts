/**
 * The q-quantile of ascending-sorted values, interpolating linearly between the two
 * nearest ranks (numpy's default, "type 7"). Interpolation keeps small windows honest:
 * the p95 of 10 samples moves smoothly instead of jumping to the maximum.
 *
 * @param sorted - values in ascending order, at least one
 * @param q - between 0 and 1
 * @example quantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const below = sorted[lo] as number;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return below + (h - lo) * (above - below);
}
