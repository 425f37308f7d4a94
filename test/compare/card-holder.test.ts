/**
 * Whose face is the card's: person B holding person A's card (the repo's synthetic card of person A, drawn
 * into a photo of person B with sharp) is not B's card. Real parts: sharp, the OCR and face models.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareFaces, loadModels, prepareCard, readIdCard } from '../../src/index.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
const fixture = (path: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url)));
const personB = fixture('faces/person-b.jpg');
const framesOfA = ['faces/person-a-frame-1.jpg', 'faces/person-a-frame-2.jpg', 'faces/person-a-frame-3.jpg'].map(fixture);

/** Person B's photo as a 960 × 1280 scene, A's card (its photo cut to the card) held below the chin. */
async function bHoldingCardOfA(): Promise<Buffer> {
  const scene = await sharp(personB).resize(960, 1280, { fit: 'cover', position: 'top' }).toBuffer();
  // The fixture is a photo of the card on a desk: the card is its middle ~76%.
  const photo = sharp(fixture('cards/synthetic-portrait-person-a.jpg'));
  const { width = 0, height = 0 } = await photo.metadata();
  const card = await photo.extract({ left: Math.round(width * 0.1), top: Math.round(height * 0.2), width: Math.round(width * 0.8), height: Math.round(height * 0.62) }).resize(520).toBuffer();
  return sharp(scene).composite([{ input: card, left: 400, top: 860 }]).jpeg({ quality: 85 }).toBuffer();
}

let holding: Buffer;
beforeAll(async () => {
  await loadModels({ models: ['ocrDetection', 'ocrRecognition', 'ocrDirection', 'faceDetectOnnx', 'faceLandmarkOnnx', 'faceEmbedding'] });
  holding = await bHoldingCardOfA();
});

describe('the card portrait is the face inside the card', () => {
  it("B holding A's card does not match B's own face, and says another face is in the picture", async () => {
    const r = await compareFaces(holding, [personB], { minFrames: 1 });
    expect(r.match).toBe(false);
    expect(r.idCardFace?.onCard).toBe(true);
    expect(r.reasons.map((x) => [x.id, x.severity])).toContainEqual(['FACE_OUTSIDE_CARD', 'warning']);
  });

  it("and matches A's frames: the card's own portrait is the one compared", async () => {
    const r = await compareFaces(holding, framesOfA);
    expect(r.match).toBe(true);
    const card = await prepareCard(holding);
    expect(card.facesOutsideCard).toBeGreaterThanOrEqual(1);
  });

  it('readIdCard puts the portrait inside the card, and warns of the holder', async () => {
    const r = await readIdCard(holding);
    expect(r.side).toBe('portrait');
    expect(r.portrait!.box.y).toBeGreaterThan(860);
    expect(r.reasons.map((x) => x.id)).toContain('FACE_OUTSIDE_CARD');
  });

  it('a bare portrait (no card read) is still compared, and says it was not found on a card', async () => {
    const r = await compareFaces(fixture('faces/person-a.jpg'), framesOfA);
    expect(r.match).toBe(true);
    expect(r.idCardFace?.onCard).toBe(false);
  });

  it('leaks no tensor', async () => {
    await compareFaces(holding, [personB], { minFrames: 1 });
    const before = tf.memory().numTensors;
    await compareFaces(holding, [personB], { minFrames: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
