/**
 * Verification metrics for the evaluations: genuine/impostor pairs, weighted pools, the threshold at a
 * false-accept rate, the true-accept rate there, and the equal error rate.
 *
 * Scores are similarities: higher means "more alike", and a pair is accepted when score ≥ threshold.
 * Every rate is weighted, so that a source with many pairs can be made to count as a capped number
 * of pairs when sources are pooled (see `capWeight`).
 */
import { cosine } from '../src/models/embed.js';

/** One pair's similarity and how much it counts in a pool (1 unless the pool is capped). */
export interface Scored {
  score: number;
  weight: number;
}

/** Similarities of all same-identity and different-identity pairs of a set. */
export interface PairScores {
  genuine: number[];
  impostor: number[];
  /** Same-identity pairs left out because one side has no embedding (no face found, not decodable). */
  missingGenuine: number;
  /** Different-identity pairs left out for the same reason. */
  missingImpostor: number;
}

/**
 * Every unordered pair of `items`: genuine when `identity` is equal, impostor otherwise. Items whose
 * `embedding` is missing are counted, not scored, so that a model that finds fewer faces cannot look
 * better by dropping its hard cases unnoticed.
 */
export function pairScores<T>(
  items: readonly T[],
  identity: (item: T) => string,
  embedding: (item: T) => Float32Array | null | undefined,
  similarity: (a: Float32Array, b: Float32Array) => number = cosine,
): PairScores {
  const out: PairScores = { genuine: [], impostor: [], missingGenuine: 0, missingImpostor: 0 };
  const vectors = items.map(embedding);
  const ids = items.map(identity);
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const same = ids[i] === ids[j];
      const a = vectors[i];
      const b = vectors[j];
      if (!a || !b) {
        if (same) out.missingGenuine++;
        else out.missingImpostor++;
        continue;
      }
      (same ? out.genuine : out.impostor).push(similarity(a, b));
    }
  }
  return out;
}

/** Scores with one weight each. */
export const weighted = (scores: readonly number[], weight = 1): Scored[] => scores.map((score) => ({ score, weight }));

/**
 * Pooling cap: a source with n pairs of a kind counts as min(n, cap) pairs. 4,500 is LFW's impostor
 * count in the krasserm set, so AT&T's 67,797 impostor pairs weigh as much as LFW's and no more,
 * while small sources keep their natural weight (weighting every source equally lets one pair of a
 * 29-pair source decide the 1e-3 quantile: eval/compare-faces.ts tried it).
 */
export const POOL_CAP = 4500;

/** Weight of each of n pairs under the pooling cap. */
export const capWeight = (n: number, cap = POOL_CAP): number => (n > 0 ? Math.min(n, cap) / n : 0);

/** Several sources' pairs in one weighted pool, each source's genuine and impostor pairs capped separately. */
export function poolCapped(sources: readonly PairScores[], cap = POOL_CAP): { genuine: Scored[]; impostor: Scored[] } {
  const genuine: Scored[] = [];
  const impostor: Scored[] = [];
  for (const s of sources) {
    genuine.push(...weighted(s.genuine, capWeight(s.genuine.length, cap)));
    impostor.push(...weighted(s.impostor, capWeight(s.impostor.length, cap)));
  }
  return { genuine, impostor };
}

const totalWeight = (scores: readonly Scored[]): number => scores.reduce((s, x) => s + x.weight, 0);

/** How many pairs a weighted pool amounts to (the sum of its weights). */
export const effectivePairs = totalWeight;

/** Weighted share of `scores` at or above `threshold` (the accept rate there). */
export function acceptRate(scores: readonly Scored[], threshold: number): number {
  const total = totalWeight(scores);
  if (total === 0) return NaN;
  let above = 0;
  for (const x of scores) if (x.score >= threshold) above += x.weight;
  return above / total;
}

/**
 * The lowest threshold at which at most a `far` weighted share of impostor scores is accepted.
 * Ties at the boundary are refused together (the threshold sits just above them).
 */
export function thresholdAtFar(impostor: readonly Scored[], far: number): number {
  const sorted = [...impostor].sort((a, b) => b.score - a.score);
  const total = totalWeight(sorted);
  let above = 0;
  for (let i = 0; i < sorted.length; ) {
    // All scores equal to this one are accepted or refused together.
    let j = i;
    let w = 0;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) w += sorted[j++]!.weight;
    if ((above + w) / total > far) return sorted[i]!.score + 1e-9;
    above += w;
    i = j;
  }
  return sorted.at(-1)?.score ?? 0;
}

/** True-accept rate at a false-accept rate, with the threshold that gives it. */
export interface TarAtFar {
  far: number;
  /** NaN when the impostor pool is too small to read this FAR off it. */
  threshold: number;
  /** NaN when the impostor pool is too small. */
  tar: number;
}

/**
 * TAR at each FAR. A FAR is only read off a pool with at least 1/far impostor pairs (as in
 * eval/compare-faces.ts): below that the "threshold" is just the top impostor score. In a capped pool
 * the pairs count here by number, not weight, so a 1e-4 threshold there may rest on about one pair's
 * weight (`effectivePairs` says how many the weights amount to).
 */
export function tarAtFar(genuine: readonly Scored[], impostor: readonly Scored[], fars: readonly number[] = [1e-2, 1e-3, 1e-4]): TarAtFar[] {
  return fars.map((far) => {
    if (far * impostor.length < 1 || genuine.length === 0) return { far, threshold: NaN, tar: NaN };
    const threshold = thresholdAtFar(impostor, far);
    return { far, threshold, tar: acceptRate(genuine, threshold) };
  });
}

/**
 * Equal error rate: the smallest max(FRR, FAR) over all thresholds, swept exactly over every score
 * (FRR = weighted share of genuine scores below the threshold, FAR = of impostor scores at or above it).
 */
export function equalErrorRate(genuine: readonly Scored[], impostor: readonly Scored[]): number {
  const g = totalWeight(genuine);
  const im = totalWeight(impostor);
  if (g === 0 || im === 0) return NaN;
  const all = [...genuine.map((x) => ({ ...x, genuine: true })), ...impostor.map((x) => ({ ...x, genuine: false }))].sort((a, b) => a.score - b.score);
  // Threshold below every score: everything accepted, FRR 0, FAR 1.
  let rejectedGenuine = 0;
  let rejectedImpostor = 0;
  let best = 1;
  for (let i = 0; i <= all.length; ) {
    best = Math.min(best, Math.max(rejectedGenuine / g, 1 - rejectedImpostor / im));
    if (i === all.length) break;
    // Raise the threshold past every score equal to all[i].
    const s = all[i]!.score;
    while (i < all.length && all[i]!.score === s) {
      if (all[i]!.genuine) rejectedGenuine += all[i]!.weight;
      else rejectedImpostor += all[i]!.weight;
      i++;
    }
  }
  return best;
}

/** A rate as a percentage with one decimal; 'n/a' for NaN. */
export const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');

/** Clopper–Pearson two-sided 95% upper bound of a proportion with `k` errors in `n` (bisection on the binomial tail). */
export function upperBound95(k: number, n: number): number {
  if (k >= n) return 1;
  // The p at which P(X ≤ k | n, p) = 0.025.
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid) > 0.025) lo = mid;
    else hi = mid;
  }
  return hi;
}

function binomialCdf(k: number, n: number, p: number): number {
  let term = (1 - p) ** n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    sum += term;
  }
  return sum;
}
