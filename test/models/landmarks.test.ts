import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fivePoints } from '../../src/models/align.js';
import { detectFaces } from '../../src/models/detect.js';
import { onnxLandmarks, squareBox } from '../../src/models/landmarks.js';
import { decodeRgb } from '../../src/image/decode.js';

// fixtures/faces/, made by scripts/make-face-fixtures.ts from @vladmandic/face-api's demo photos.
const face = (file: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/faces/${file}`, import.meta.url)));

describe('onnxLandmarks (fr_landmark.onnx)', () => {
  it.each(['person-a.jpg', 'person-b.jpg', 'person-c.jpg'])('%s: 68 points on the face box, close to face-api’s five alignment points', async (file) => {
    const image = await decodeRgb(face(file), 'jpeg', 1e8);
    const [found] = await detectFaces(image);
    const points = await onnxLandmarks(image, found!.box);
    expect(points).toHaveLength(68);
    // The jaw line may reach a little beyond the detector's box.
    const square = squareBox(found!.box, image);
    const m = square.width * 0.1;
    for (const p of points) {
      expect(p.x).toBeGreaterThanOrEqual(square.x - m);
      expect(p.x).toBeLessThanOrEqual(square.x + square.width + m);
      expect(p.y).toBeGreaterThanOrEqual(square.y - m);
      expect(p.y).toBeLessThanOrEqual(square.y + square.height + m);
    }
    const five = fivePoints(points);
    const [le, re, nose, lm, rm] = five;
    // Upright face: eyes, then nose, then mouth, left to right in the image.
    expect(le!.x).toBeLessThan(re!.x);
    expect(lm!.x).toBeLessThan(rm!.x);
    expect(nose!.y).toBeGreaterThan((le!.y + re!.y) / 2);
    expect((lm!.y + rm!.y) / 2).toBeGreaterThan(nose!.y);
    // The two landmark models agree to a median 4% of the eye distance on ../shared/data (eval/results/face-models.md).
    const reference = fivePoints(found!.landmarks);
    const eyes = Math.hypot(reference[1]!.x - reference[0]!.x, reference[1]!.y - reference[0]!.y);
    const mean = reference.reduce((s, p, i) => s + Math.hypot(p.x - five[i]!.x, p.y - five[i]!.y), 0) / 5;
    expect(mean / eyes).toBeLessThan(0.15);
  });

  it('a box at the image edge is shifted inside, not cropped short', async () => {
    const image = await decodeRgb(face('person-a.jpg'), 'jpeg', 1e8);
    const points = await onnxLandmarks(image, { x: -40, y: -40, width: 120, height: 120 });
    expect(points).toHaveLength(68);
    for (const p of points) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  });
});
