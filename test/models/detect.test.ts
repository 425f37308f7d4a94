import { createRequire } from 'node:module';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type Box, type DetectorName, detectFaces, landmarkBox } from '../../src/models/detect.js';
import { decodeRgb } from '../../src/image/decode.js';
import { photoBytes } from '../helpers.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');

// fixtures/photos (scripts/make-fixtures.ts, from face-api's demo sample6.jpg).
const image = (file: string) => decodeRgb(photoBytes(file), 'jpeg', 1e8);

const iou = (a: Box, b: Box) => {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
};

describe("detectFaces: UltraFace ('ultraface', 'auto') beside SSD", () => {
  it.each(['ultraface', 'auto'] as DetectorName[])('%s: the face SSD finds, an SSD-shaped box, 68 landmarks near SSD’s', async (detector) => {
    const photo = await image('compliant.jpg');
    const [ssd] = await detectFaces(photo, { detector: 'ssd' });
    const found = await detectFaces(photo, { detector });
    expect(found).toHaveLength(1);
    expect(found[0]!.score).toBeGreaterThan(0.9);
    expect(iou(found[0]!.box, ssd!.box)).toBeGreaterThan(0.7);
    expect(found[0]!.landmarks).toHaveLength(68);
    // Eye corners within a few pixels of SSD's path (the face is ~160 px wide).
    for (const i of [36, 39, 42, 45]) expect(Math.hypot(found[0]!.landmarks[i]!.x - ssd!.landmarks[i]!.x, found[0]!.landmarks[i]!.y - ssd!.landmarks[i]!.y)).toBeLessThan(8);
  });

  it('finds both faces of two-faces.jpg, and none in no-face.jpg (auto then looks at it turned ±45°, and agrees)', async () => {
    expect(await detectFaces(await image('two-faces.jpg'), { detector: 'ultraface' })).toHaveLength(2);
    expect(await detectFaces(await image('no-face.jpg'), { detector: 'auto' })).toEqual([]);
  });

  it('a face that fills the whole image (a tight crop, as on a card) is found on the padded retry', async () => {
    const photo = await image('compliant.jpg');
    const [face] = await detectFaces(photo, { detector: 'ssd', landmarks: false });
    const b = face!.box;
    const { data, info } = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
      .extract({ left: Math.round(b.x), top: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const tight = await detectFaces({ data, width: info.width, height: info.height }, { detector: 'ultraface', landmarks: false });
    expect(tight).toHaveLength(1);
    expect(tight[0]!.box.width).toBeGreaterThan(info.width * 0.6);
  });

  it("landmarks: 'box' gives the same refined boxes without face-api's landmark net, and no points", async () => {
    for (const file of ['compliant.jpg', 'two-faces.jpg']) {
      const photo = await image(file);
      const full = await detectFaces(photo, { detector: 'auto' });
      const boxes = await detectFaces(photo, { detector: 'auto', landmarks: 'box' });
      expect(boxes.map((f) => f.box)).toEqual(full.map((f) => f.box));
      for (const f of boxes) expect(f.landmarks).toEqual([]);
    }
  });

  it('landmarkBox gives back SSD’s box from face-api’s landmarks (the calibration in detect.ts)', async () => {
    const [ssd] = await detectFaces(await image('compliant.jpg'), { detector: 'ssd' });
    expect(iou(landmarkBox(ssd!.landmarks, { width: 480, height: 640 }), ssd!.box)).toBeGreaterThan(0.8);
  });

  it('leaves no tensor behind', async () => {
    const photos = await Promise.all(['compliant.jpg', 'no-face.jpg', 'two-faces.jpg'].map(image));
    await detectFaces(photos[0]!, { detector: 'auto' });
    const before = tf.memory().numTensors;
    for (const p of photos) await detectFaces(p, { detector: 'auto' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
