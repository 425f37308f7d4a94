import { describe, expect, it } from 'vitest';
import type { DetectedFace } from '../../src/models/detect.js';
import type { PersonMask } from '../../src/models/segment.js';
import { shoulderRollDeg } from '../../src/photo/checks/shoulders.js';
import { validatePhoto } from '../../src/index.js';
import { photo } from '../helpers.js';

// A drawn person: a head (a disc) on a neck and shoulders (a slab whose top leans `lean` degrees), and
// the face's 68 points where a detector would put them (only the jaw ends and the chin are read).
function person(lean: number, hairOverRight = false): { mask: PersonMask; face: DetectedFace } {
  const width = 480;
  const height = 640;
  const data = new Float32Array(width * height);
  const cx = 240;
  const faceTop = 150;
  const faceWidth = 180;
  const chin = 380;
  const slope = Math.tan((lean * Math.PI) / 180);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const head = (x - cx) ** 2 / 110 ** 2 + (y - 260) ** 2 / 150 ** 2 <= 1;
      const neck = Math.abs(x - cx) < 60 && y > 300;
      const shoulders = y > 450 + (x - cx) * slope;
      const hair = hairOverRight && x > cx + 90 && x < cx + 260 && y > 200;
      data[y * width + x] = head || neck || shoulders || hair ? 1 : 0;
    }
  }
  const landmarks = Array.from({ length: 68 }, () => ({ x: cx, y: 300 }));
  landmarks[0] = { x: cx - faceWidth / 2, y: 300 };
  landmarks[16] = { x: cx + faceWidth / 2, y: 300 };
  landmarks[8] = { x: cx, y: chin };
  return { mask: { data, width, height }, face: { box: { x: cx - 90, y: faceTop, width: faceWidth, height: chin - faceTop }, score: 1, landmarks } };
}

describe('shoulderRollDeg: the lean of the shoulder line, from the person mask', () => {
  it.each([0, 5, -12, 20])('shoulders leaning %d° measure within 1°', (lean) => {
    const { mask, face } = person(lean);
    expect(shoulderRollDeg(mask, face)).toBeCloseTo(lean, 0);
  });

  it('is undefined where hair covers one shoulder, rather than a guess', () => {
    const { mask, face } = person(0, true);
    expect(shoulderRollDeg(mask, face)).toBeUndefined();
  });

  it('validatePhoto reports it in the pose check, within its limit on the compliant fixture', async () => {
    const pose = (await validatePhoto(photo('compliant.jpg'))).checks.find((c) => c.id === 'pose')!;
    expect(pose.status).toBe('passed');
    expect(Math.abs(pose.measured.shoulderRollDeg as number)).toBeLessThan(pose.limit.maxShoulderRollDeg);
  });
});
