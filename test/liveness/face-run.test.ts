import { describe, expect, it } from 'vitest';
import { median } from '../../src/core/stats.js';
import { changedRun } from '../../src/liveness/signals/face-consistency.js';
import { cosine } from '../../src/models/embed.js';

// A seeded generator: the same vectors on every run.
function generator(seed: number) {
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const unit = (v: Float32Array) => v.map((x) => x / Math.hypot(...v));
  // A person: a direction; a face of them: that direction plus noise of `spread`.
  const person = () => unit(Float32Array.from({ length: 64 }, normal));
  const face = (p: Float32Array, spread: number) => unit(p.map((x) => x + spread * normal() / 8));
  return { uniform, person, face };
}

describe('changedRun: a stretch of the video showing someone else', () => {
  it('gives the median similarity of the run least like the rest, as the plain median over its pairs would', () => {
    const g = generator(7);
    for (const n of [6, 7, 12, 19, 30]) {
      const p = g.person();
      const faces = Array.from({ length: n }, () => g.face(p, 1.5 * g.uniform()));
      const run = changedRun(faces, 3)!;
      let lowest = Infinity;
      for (let from = 0; from < n; from++) {
        for (let to = from + 3; to <= n && n - (to - from) >= 3; to++) {
          const pairs: number[] = [];
          for (let i = from; i < to; i++) for (let j = 0; j < n; j++) if (j < from || j >= to) pairs.push(cosine(faces[i]!, faces[j]!));
          lowest = Math.min(lowest, median(pairs));
        }
      }
      expect(run.similarity).toBeCloseTo(lowest, 10);
    }
  });

  it('finds B between two stretches of A, and one odd face among A is not a run', () => {
    const g = generator(11);
    const a = g.person();
    const b = g.person();
    const switched = [...Array.from({ length: 6 }, () => g.face(a, 0.5)), ...Array.from({ length: 4 }, () => g.face(b, 0.5)), ...Array.from({ length: 5 }, () => g.face(a, 0.5))];
    expect(changedRun(switched, 3)).toMatchObject({ from: 6, length: 4 });
    expect(changedRun(switched, 3)!.similarity).toBeLessThan(0.3);
    // A throughout, but for two faces far off (a turned head, a blur), not side by side: the run's median holds.
    const odd = Array.from({ length: 15 }, (_, i) => (i === 4 || i === 9 ? g.face(b, 0.5) : g.face(a, 0.5)));
    expect(changedRun(odd, 3)!.similarity).toBeGreaterThan(0.6);
    expect(changedRun(odd.slice(0, 5), 3)).toBeNull();
  });
});
