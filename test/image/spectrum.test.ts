import { describe, expect, it } from 'vitest';
import { peakProminence, powerSpectrum } from '../../src/image/spectrum.js';

const N = 64;
/** A patch of seeded noise (σ ~ 20), plus `amplitude` of a cosine at (u, v) cycles over the patch. */
function patch(amplitude: number, u: number, v: number, seed = 1): Float32Array {
  let s = seed;
  const noise = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 70;
  return Float32Array.from({ length: N * N }, (_, i) => 128 + noise() + amplitude * Math.cos((2 * Math.PI * (u * (i % N) + v * Math.floor(i / N))) / N));
}

describe('the power spectrum', () => {
  it("puts a cosine's power at its frequency", () => {
    const p = powerSpectrum(patch(40, 21, 5, 3), N);
    let [best, at] = [0, -1];
    for (let i = 1; i < p.length; i++) if (p[i]! > best) [best, at] = [p[i]!, i];
    // (21, 5) or its mirror (−21, −5).
    expect([5 * N + 21, (N - 5) * N + (N - 21)]).toContain(at);
  });

  it('tells a grid from noise: a periodic peak stands far above its neighbourhood', () => {
    const grid = peakProminence(powerSpectrum(patch(25, 27, 3), N), N, 0.15);
    const noise = peakProminence(powerSpectrum(patch(0, 0, 0), N), N, 0.15);
    expect(noise).toBeLessThan(20);
    expect(grid).toBeGreaterThan(5 * noise);
    // Below minFrequency a peak is not looked at.
    expect(peakProminence(powerSpectrum(patch(25, 4, 0), N), N, 0.15)).toBeLessThan(20);
  });
});
