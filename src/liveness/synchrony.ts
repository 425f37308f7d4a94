/**
 * Is the mouth's motion synchronous with the voice? A test, not a threshold on a correlation: the largest
 * correlation over the lags a live recording can have (±0.2 s) is judged against what two independent
 * signals with the same autocorrelation reach by chance.
 *
 * Two slowly varying signals correlate by chance far more than white noise does: over 4 s at 10 fps, the
 * best of five lags of unrelated speech and mouth motion reached r = 0.3 (eval:liveness). Bartlett's
 * effective sample size, N / (1 + 2 Σ ρx(k) ρy(k)), gives the variance of r under independence for such
 * series; Fisher's z of r over it is standard normal under independence, and Šidák's correction accounts
 * for the best of the lags being taken. An empirical null from circular shifts of the voice (≥ 1 s away)
 * was measured too: over a 4 s clip it has about 20 strongly dependent values, its spread is
 * underestimated, and a dubbed video reached z = 7 on it.
 */
import { pearson } from '../core/stats.js';

export interface Synchrony {
  /** Largest correlation within the lags. */
  correlation: number;
  /** Its lag, samples: + means the voice follows the mouth. */
  lag: number;
  /** Bartlett's effective number of independent samples. */
  effectiveSamples: number;
  /** One-sided z of the correlation under independence (before the correction for the lags tried). */
  z: number;
  /** One-sided p-value of the best lag under independence, Šidák-corrected for the lags tried. */
  p: number;
}

/** The synchrony test of `mouth` against `voice` (sampled together) over lags −maxLag…maxLag. */
export function synchrony(mouth: readonly number[], voice: readonly number[], maxLag: number): Synchrony {
  return synchronyAt(mouth, voice, Array.from({ length: 2 * maxLag + 1 }, (_, i) => i - maxLag));
}

/**
 * The same test over any set of lags (samples): the lag whose correlation is most significant (each over
 * its own overlap, n − |lag| samples), Šidák-corrected for the number of lags asked (a lag with under 5
 * samples of overlap is asked but not tried: conservative for a short clip). With lags no live
 * recording has (a voice 0.4–2 s late or early), it asks whether the voice fits the lips there instead.
 */
export function synchronyAt(mouth: readonly number[], voice: readonly number[], lags: readonly number[]): Synchrony {
  const n = mouth.length;
  // Bartlett's sum, over the lags where the autocorrelations are estimated with some precision.
  const mx = centred(mouth);
  const vx = centred(voice);
  let sum = 0;
  for (let k = 1; k < Math.min(n / 4, 30); k++) sum += autocorrelation(mx, k) * autocorrelation(vx, k);
  const inflation = 1 + 2 * Math.max(0, sum);
  let best: Omit<Synchrony, 'p'> = { correlation: 0, lag: 0, effectiveSamples: 4, z: -Infinity };
  for (const lag of lags) {
    if (n - Math.abs(lag) < 5) continue;
    const correlation = pearson(mouth, voice, lag);
    const effectiveSamples = Math.max(4, (n - Math.abs(lag)) / inflation);
    const z = Math.atanh(Math.max(-0.999, Math.min(0.999, correlation))) * Math.sqrt(effectiveSamples - 3);
    if (z > best.z) best = { correlation, lag, effectiveSamples, z };
  }
  if (best.z === -Infinity) return { ...best, z: 0, p: 1 };
  const p = 1 - (1 - upperTail(best.z)) ** lags.length;
  return { ...best, p };
}

function centred(x: readonly number[]): number[] {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  return x.map((v) => v - m);
}

/** Lag-k autocorrelation of a centred series. */
function autocorrelation(x: readonly number[], k: number): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    den += x[i]! ** 2;
    if (i + k < x.length) num += x[i]! * x[i + k]!;
  }
  return den > 0 ? num / den : 0;
}

/** P(Z > z) for a standard normal Z (Numerical Recipes' erfc, relative error < 1.2e-7). */
export function upperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    t *
    Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return (x >= 0 ? y : 2 - y) / 2;
}
