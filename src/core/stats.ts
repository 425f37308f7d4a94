/** The few statistics the features share: one median, one quantile, one rounding. */

/** Rounds for reporting: measurements are not more precise than this. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

/** The q-quantile (0–1) by linear interpolation between the nearest ranks; 0 for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const at = Math.min(1, Math.max(0, q)) * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

/** The median: the middle value, or the mean of the two middle ones. */
export const median = (values: readonly number[]): number => quantile(values, 0.5);

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length ? sum / values.length : 0;
}

/** Index of the largest value (the first of equals). */
export const argmax = (values: readonly number[]): number => values.reduce((best, v, i) => (v > values[best]! ? i : best), 0);

/** Pearson correlation of a[i] with b[i + lag], over the pairs that exist; 0 under 5 pairs or without spread. */
export function pearson(a: readonly number[], b: readonly number[], lag = 0): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const j = i + lag;
    if (j >= 0 && j < b.length) xs.push(a[i]!), ys.push(b[j]!);
  }
  if (xs.length < 5) return 0;
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    dx += (xs[i]! - mx) ** 2;
    dy += (ys[i]! - my) ** 2;
  }
  return dx > 0 && dy > 0 ? num / Math.sqrt(dx * dy) : 0;
}
