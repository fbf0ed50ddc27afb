/** Drift statistics over distributions given as probability vectors of equal length. */

/** Probabilities below this are raised to it in PSI, so that an empty bucket does not give infinity. */
export const PSI_EPSILON = 1e-4;

/** Population stability index: sum over buckets of (actual - expected) * ln(actual / expected). */
export function psi(expected: number[], actual: number[], epsilon = PSI_EPSILON): number {
  checkSameLength(expected, actual);
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], epsilon);
    const a = Math.max(actual[i], epsilon);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Kolmogorov-Smirnov distance of two binned distributions: the largest gap between their CDFs. */
export function ksDistance(expected: number[], actual: number[]): number {
  checkSameLength(expected, actual);
  let ce = 0;
  let ca = 0;
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    ce += expected[i];
    ca += actual[i];
    max = Math.max(max, Math.abs(ca - ce));
  }
  return max;
}

/** Jensen-Shannon distance (square root of the divergence, base 2): 0 for equal, 1 for disjoint. */
export function jsDistance(p: number[], q: number[]): number {
  checkSameLength(p, q);
  const kl = (a: number[], m: number[]) => a.reduce((s, ai, i) => (ai > 0 ? s + ai * Math.log2(ai / m[i]) : s), 0);
  const m = p.map((pi, i) => (pi + q[i]) / 2);
  const divergence = (kl(p, m) + kl(q, m)) / 2;
  return Math.sqrt(Math.max(0, divergence));
}

/** Normalises counts into probabilities (all zeros stay zeros). */
export function normalise(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return total === 0 ? counts.map(() => 0) : counts.map((c) => c / total);
}

/**
 * Index of the bin of `value` given sorted cut points: below the first cut is bin 0, at or above
 * cut i-1 and below cut i is bin i, at or above the last cut is the last bin.
 */
export function binIndex(cuts: number[], value: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value >= cuts[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Histogram (probabilities) of `values` over the bins that `cuts` define (`cuts.length + 1` bins). */
export function histogram(cuts: number[], values: number[]): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (const v of values) counts[binIndex(cuts, v)]++;
  return normalise(counts);
}

/** Cut points at the quantiles of `values` for `bins` bins, without repeats (sorted, ascending). */
export function quantileCuts(values: number[], bins: number): number[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const cuts: number[] = [];
  for (let i = 1; i < bins; i++) {
    const q = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / bins))];
    if (cuts.length === 0 || q > cuts[cuts.length - 1]) cuts.push(q);
  }
  return cuts;
}

function checkSameLength(a: number[], b: number[]): void {
  if (a.length !== b.length) throw new Error(`distributions of different lengths (${a.length} and ${b.length})`);
}
