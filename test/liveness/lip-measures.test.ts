/**
 * The two measures of the lipSync signal on signals whose answer is known: the synchrony test's
 * calibration under independence, and the face frame's lip speed on a rigid and a non-rigid motion.
 */
import { describe, expect, it } from 'vitest';
import { FACE_FRAME, LOWER_LIP, NOSE_BASE, NOSE_BRIDGE, UPPER_LIP, faceFrame, verticalShift } from '../../src/liveness/face-frame.js';
import { synchrony, synchronyAt } from '../../src/liveness/synchrony.js';

// A seeded generator: the test's answer does not depend on the run.
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** An AR(1) series: slowly varying, as a mouth's opening and a voice's level are. */
function ar1(n: number, phi: number, next: () => number): number[] {
  const out: number[] = [];
  let v = 0;
  for (let i = 0; i < n; i++) out.push((v = phi * v + (next() - 0.5)));
  return out;
}

describe('synchrony: a test of the mouth against the voice', () => {
  it('is calibrated under independence: slowly varying unrelated series reach p < 0.05 about 5% of the time, not the ~40% a raw correlation test gives', () => {
    const next = random(7);
    let significant = 0;
    const trials = 400;
    for (let i = 0; i < trials; i++) if (synchrony(ar1(60, 0.8, next), ar1(60, 0.8, next), 2).p < 0.05) significant++;
    expect(significant / trials).toBeLessThan(0.1);
    expect(significant / trials).toBeGreaterThan(0.005);
  });

  it('finds a synchronous pair and its lag', () => {
    const next = random(11);
    const mouth = ar1(80, 0.6, next);
    const voice = mouth.map((_, i) => (mouth[i - 1] ?? 0) + 0.3 * (next() - 0.5)); // the voice one sample behind
    const s = synchrony(mouth, voice, 2);
    expect(s.lag).toBe(1);
    expect(s.z).toBeGreaterThan(4);
    expect(s.p).toBeLessThan(1e-3);
  });

  it('finds a voice shifted far off at the lags no live recording has, and is calibrated there too', () => {
    const next = random(13);
    const mouth = ar1(120, 0.6, next);
    // The voice 8 samples late (0.8 s at 10 fps).
    const voice = mouth.map((_, i) => (mouth[i - 8] ?? 0) + 0.3 * (next() - 0.5));
    const far = [4, 5, 6, 7, 8, 9, 10, 11, 12].flatMap((l) => [l, -l]);
    const off = synchronyAt(mouth, voice, far);
    expect(off.lag).toBe(8);
    expect(off.p).toBeLessThan(1e-3);
    expect(off.z).toBeGreaterThan(synchrony(mouth, voice, 2).z);
    // Unrelated series: p < 0.05 about 5% of the time over the far lags, as over the near ones.
    let significant = 0;
    for (let i = 0; i < 400; i++) if (synchronyAt(ar1(80, 0.8, next), ar1(80, 0.8, next), far).p < 0.05) significant++;
    expect(significant / 400).toBeLessThan(0.1);
    expect(significant / 400).toBeGreaterThan(0.005);
  });
});

// A textured face: random grey blobs, the rigid landmarks where face-frame.ts expects them (scaled ×3, moved).
function face(shiftLowerLip: number, dy = 0): { image: { data: Buffer; width: number; height: number }; landmarks: Array<{ x: number; y: number }> } {
  const width = 240;
  const height = 280;
  const next = random(3);
  const grey = new Float32Array(width * height);
  for (let k = 0; k < 400; k++) {
    const cx = next() * width;
    const cy = next() * height;
    const v = next() * 200;
    for (let y = Math.max(0, Math.floor(cy - 6)); y < Math.min(height, cy + 6); y++) for (let x = Math.max(0, Math.floor(cx - 6)); x < Math.min(width, cx + 6); x++) grey[y * width + x] = v;
  }
  // The face frame at ×3 from (30, 20): its lower-lip band's rows moved down by shiftLowerLip face-frame px.
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = (y - 20) / 3;
      const lower = v >= LOWER_LIP.y0 - 1 && v < LOWER_LIP.y1 + 1;
      const from = Math.round(y - dy * 3 - (lower ? shiftLowerLip * 3 : 0));
      const g = grey[Math.min(height - 1, Math.max(0, from)) * width + x]!;
      data.set([g, g, g], (y * width + x) * 3);
    }
  }
  const rigid: Record<number, [number, number]> = { 36: [15.6, 25.7], 39: [24.7, 26.3], 42: [39.3, 26.2], 45: [48.4, 25.8], 27: [31.8, 26.5], 28: [31.8, 31.1], 29: [31.5, 35.3], 30: [31.2, 39.5], 31: [27.7, 42.4], 33: [31.9, 43.6], 35: [36.4, 42.6] };
  const landmarks = Array.from({ length: 68 }, (_, i) => (rigid[i] ? { x: 30 + rigid[i]![0] * 3, y: 20 + (rigid[i]![1] + dy) * 3 } : { x: 0, y: 0 }));
  return { image: { data, width, height }, landmarks };
}

describe('the face frame: the lips against the nose', () => {
  it('a face moved as a whole: registered on its rigid points, its lips and its nose stay put', () => {
    const a = face(0);
    const b = face(0, 2); // the whole face 2 face-frame px lower, landmarks with it
    const fa = faceFrame(a.image, a.landmarks)!;
    const fb = faceFrame(b.image, b.landmarks)!;
    expect(fa).toHaveLength(FACE_FRAME.width * FACE_FRAME.height);
    for (const band of [UPPER_LIP, LOWER_LIP, NOSE_BRIDGE, NOSE_BASE]) expect(Math.abs(verticalShift(fa, fb, band))).toBeLessThanOrEqual(0.25);
  });

  it('the lower lip moved 2 px: the lips move apart by about that, the nose does not', () => {
    const a = face(0);
    const b = face(2);
    const fa = faceFrame(a.image, a.landmarks)!;
    const fb = faceFrame(b.image, b.landmarks)!;
    const apart = verticalShift(fa, fb, LOWER_LIP) - verticalShift(fa, fb, UPPER_LIP);
    expect(apart).toBeGreaterThan(1.25);
    expect(apart).toBeLessThan(2.5);
    expect(verticalShift(fa, fb, NOSE_BASE) - verticalShift(fa, fb, NOSE_BRIDGE)).toBe(0);
  });

  it('a face whose lips are outside the image has no face frame (the edge would read as motion)', () => {
    const a = face(0);
    const cut = { ...a.image, height: 200 }; // the lips (face-frame rows 47–67, image rows 161–221) cut off
    expect(faceFrame({ ...cut, data: a.image.data.subarray(0, a.image.width * 200 * 3) }, a.landmarks)).toBeNull();
  });
});
