/**
 * The screen measure of the presentationAttack signal on pictures whose answer is known: a real face photo as a
 * camera gives it, the same photo under a screen's moiré (two crossed gratings, as a camera's pixels alias a
 * screen's), and the moiré over a fifth of the picture only (a striped shirt, blinds).
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { LIVENESS_LIMITS } from '../../src/index.js';
import { screenPattern } from '../../src/liveness/signals/presentation-attack.js';

const FACE = new URL('../../fixtures/faces/person-a.jpg', import.meta.url).pathname;
const [W, H] = [640, 480];

/** The face photo as three frames, JPEG as extractFramesFromReadingVideo gives them, under a moiré over `share` of its width. */
async function frames(depth: number, share = 1, periodPx = 9): Promise<Array<{ timestamp: number; image: Buffer; width: number; height: number; sharpness: number }>> {
  const { data } = await sharp(FACE).resize(W, H, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const out = Buffer.from(data);
  // The screen turned 10° to the camera: a moiré along the picture's axes lies where every picture's edges put power, and is not measured.
  const [c, s] = [Math.cos((10 * Math.PI) / 180), Math.sin((10 * Math.PI) / 180)];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W * share; x++) {
      const [u, v] = [(x * c + y * s) / periodPx, (y * c - x * s) / periodPx];
      const k = 1 + depth * (Math.cos(2 * Math.PI * u) + Math.cos(2 * Math.PI * v));
      for (let ch = 0; ch < 3; ch++) out[3 * (y * W + x) + ch] = Math.max(0, Math.min(255, Math.round(data[3 * (y * W + x) + ch]! * k)));
    }
  }
  const jpeg = await sharp(out, { raw: { width: W, height: H, channels: 3 } }).blur(0.8).jpeg({ quality: 85 }).toBuffer();
  return [0, 1, 2].map((t) => ({ timestamp: t, image: jpeg, width: W, height: H, sharpness: 100 }));
}

describe('presentationAttack: a screen replayed, by its moiré', () => {
  it('a camera picture of a face is near chance; under a screen moiré it is far over the limit', async () => {
    const live = await screenPattern(await frames(0));
    const screen = await screenPattern(await frames(0.04));
    expect(live).toBeLessThan(LIVENESS_LIMITS.maxScreenPattern);
    expect(screen).toBeGreaterThan(3 * LIVENESS_LIMITS.maxScreenPattern);
  });

  it('a pattern over a fifth of the picture (a striped shirt) is not a screen: the lower quartile over the patches', async () => {
    const shirt = (await screenPattern(await frames(0.06, 0.2)))!;
    const screen = (await screenPattern(await frames(0.06, 1)))!;
    expect(shirt).toBeLessThan(LIVENESS_LIMITS.maxScreenPattern);
    expect(screen).toBeGreaterThan(4 * shirt);
  });

  it('no frames, or frames smaller than a patch, measure nothing', async () => {
    expect(await screenPattern([])).toBeUndefined();
    const tiny = await sharp(FACE).resize(48, 48).jpeg().toBuffer();
    expect(await screenPattern([{ timestamp: 0, image: tiny, width: 48, height: 48, sharpness: 1 }])).toBeUndefined();
  });
});
