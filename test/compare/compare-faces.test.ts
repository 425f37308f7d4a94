import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, compareFaces, loadModels, prepareCard, prepareFrames } from '../../src/index.js';
import { photoBytes, withDeclaredSize } from '../helpers.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');

// fixtures/faces/, made by scripts/make-face-fixtures.ts from @vladmandic/face-api's demo photos.
const face = (file: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/faces/${file}`, import.meta.url)));
const personA = face('person-a.jpg');
const framesOfA = ['person-a-frame-1.jpg', 'person-a-frame-2.jpg', 'person-a-frame-3.jpg'].map(face);
const personB = face('person-b.jpg');
const personC = face('person-c.jpg');
const cardOfA = face('card-person-a.jpg');

beforeAll(async () => {
  await loadModels({ models: ['ssdMobilenetv1', 'faceLandmark68', 'faceEmbedding'] });
});

describe('prepareCard: the card searched once, for several comparisons', () => {
  it('gives compareFaces the same verdict, similarity and card face as the card image, without searching it again', async () => {
    const card = await prepareCard(cardOfA);
    expect(card).toMatchObject({ kind: 'prepared-card', face: { rotation: 0 } });
    expect(card.embedding).toBeInstanceOf(Float32Array);
    expect(card.embedding!.length).toBe(512);
    const fromImage = await compareFaces(cardOfA, framesOfA);
    const fromPrepared = await compareFaces(card, framesOfA);
    expect(fromPrepared).toMatchObject({ match: fromImage.match, similarity: fromImage.similarity, idCardFace: fromImage.idCardFace, reasons: fromImage.reasons });
    expect(fromPrepared.timings.findCard).toBeUndefined();
    expect(fromImage.timings.findCard).toBeGreaterThan(0);
  });

  it('a card without a portrait prepares to face: null, and compares to NO_FACE_ON_CARD', async () => {
    const card = await prepareCard(face('card-no-portrait.jpg'));
    expect(card).toMatchObject({ face: null, embedding: null });
    expect((await compareFaces(card, framesOfA)).reasons.map((r) => r.id)).toContain('NO_FACE_ON_CARD');
  });

  it('refuses a forged prepared card', async () => {
    await expect(compareFaces({ kind: 'prepared-card', face: null, facesOutsideCard: 0, embedding: new Float32Array(512), timings: {} }, framesOfA)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });
});

describe('prepareFrames: frames examined once', () => {
  it('give compareFaces the same verdict, similarities and frame reports as the frames themselves, mixed with unprepared ones', async () => {
    const frames = [...framesOfA, face('person-b.jpg'), photoBytes('no-face.jpg')];
    const prepared = await prepareFrames(frames);
    expect(prepared.map((p) => [p.kind, p.frame.used, p.frame.excluded])).toEqual([
      ...framesOfA.map(() => ['prepared-frame', true, null]),
      ['prepared-frame', true, null],
      ['prepared-frame', false, 'no-face'],
    ]);
    const fromImages = await compareFaces(cardOfA, frames);
    const fromPrepared = await compareFaces(cardOfA, prepared);
    expect(fromPrepared).toMatchObject({ match: fromImages.match, similarity: fromImages.similarity, reasons: fromImages.reasons, frames: fromImages.frames, usedFrames: fromImages.usedFrames });
    // The outlier (person B) is marked in the result, not in the prepared frame, which stays reusable.
    expect(fromPrepared.frames[framesOfA.length]!.excluded).toBe('inconsistent');
    expect(prepared[framesOfA.length]!.frame.excluded).toBeNull();
    const mixed = await compareFaces(cardOfA, [prepared[0]!, ...framesOfA.slice(1)]);
    expect(mixed.similarity).toBe((await compareFaces(cardOfA, framesOfA)).similarity);
  });

  it('refuses a forged prepared frame', async () => {
    const used = { faces: 1, box: null, quality: null, used: true, excluded: null, error: null };
    await expect(compareFaces(cardOfA, [{ kind: 'prepared-frame', frame: used, embedding: null }])).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });
});

describe('compareFaces: verdicts', () => {
  it('the card of person A matches frames of person A, with the result in its documented shape', async () => {
    const r = await compareFaces(cardOfA, framesOfA);
    expect(r.match).toBe(true);
    expect(r.similarity).toBeGreaterThan(r.threshold);
    expect(r.far).toBe(1e-3);
    expect(r.reasons).toEqual([]);
    expect(r.usedFrames).toBe(3);
    expect(r.idCardFace).toMatchObject({ rotation: 0 });
    // The portrait sits on the right half of the card photo.
    expect(r.idCardFace!.box.x).toBeGreaterThan(450);
    // The portrait is upright on a card lying 4° askew.
    expect(Math.abs(r.idCardFace!.rollDeg)).toBeLessThan(12);
    for (const f of r.frames) {
      expect(f).toMatchObject({ faces: 1, used: true, excluded: null, error: null });
      expect(f.similarity).toBeGreaterThan(r.threshold);
    }
  });

  it('the card of person A does not match person B or person C', async () => {
    for (const other of [personB, personC]) {
      const r = await compareFaces(cardOfA, [other]);
      expect(r.match).toBe(false);
      expect(r.similarity).toBeLessThan(r.threshold);
      expect(r.usedFrames).toBe(1);
    }
  });

  it('a stricter FAR raises the threshold', async () => {
    const loose = await compareFaces(personA, [framesOfA[0]!], { far: 1e-2 });
    const strict = await compareFaces(personA, [framesOfA[0]!], { far: 1e-4 });
    expect(strict.threshold).toBeGreaterThan(loose.threshold);
    expect(strict.similarity).toBe(loose.similarity);
  });

  it('finds the portrait on a card turned by 90, 180 and 270 degrees and says how it turned it back', async () => {
    for (const turn of [90, 180, 270] as const) {
      const turned = await sharp(cardOfA).rotate(turn).jpeg({ quality: 90 }).toBuffer();
      const r = await compareFaces(turned, framesOfA);
      expect(r.idCardFace?.rotation, `card turned ${turn}°`).toBe((360 - turn) % 360);
      expect(r.match, `card turned ${turn}°`).toBe(true);
    }
  });

  it('one frame of another person among frames of A is left out and reported, and the verdict stands', async () => {
    const r = await compareFaces(cardOfA, [...framesOfA, personA, personB]);
    expect(r.match).toBe(true);
    expect(r.frames[4]).toMatchObject({ used: false, excluded: 'inconsistent' });
    expect(r.reasons.map((x) => x.id)).toEqual(['FRAMES_INCONSISTENT']);
    expect(r.reasons[0]).toMatchObject({ id: 'FRAMES_INCONSISTENT', severity: 'warning', measured: { frames: [4] } });
    expect(r.usedFrames).toBe(4);
  });

  it('frames showing two different people in equal numbers give no verdict', async () => {
    const r = await compareFaces(cardOfA, [personA, personB]);
    expect(r.match).toBe(false);
    expect(r.similarity).toBe(0);
    expect(r.reasons.map((x) => x.id)).toContain('FRAMES_INCONSISTENT');
  });
});

describe('compareFaces: failure reasons', () => {
  it('NO_FACE_ON_CARD for a card without a portrait', async () => {
    const r = await compareFaces(face('card-no-portrait.jpg'), framesOfA);
    expect(r).toMatchObject({ match: false, similarity: 0, idCardFace: null });
    expect(r.reasons.map((x) => x.id)).toEqual(['NO_FACE_ON_CARD']);
    expect(r.reasons[0]!.message.zh).toMatch(/人像/);
    // The frames are still examined and reported.
    expect(r.frames.every((f) => f.used)).toBe(true);
  });

  it('frames that are not images are reported in frames[i]; with none usable, NO_USABLE_FRAME', async () => {
    const r = await compareFaces(cardOfA, [Buffer.from('not an image at all'), Buffer.alloc(10)]);
    expect(r.match).toBe(false);
    expect(r.frames.map((f) => f.excluded)).toEqual(['unreadable', 'unreadable']);
    expect(r.frames.map((f) => f.error?.code)).toEqual([ErrorCode.UNSUPPORTED_FORMAT, ErrorCode.UNSUPPORTED_FORMAT]);
    expect(r.reasons.map((x) => x.id)).toEqual(['FRAME_UNREADABLE', 'NO_USABLE_FRAME']);
  });

  it('an unreadable frame among good ones is not fatal', async () => {
    const r = await compareFaces(cardOfA, [...framesOfA, Buffer.from('garbage')]);
    expect(r.match).toBe(true);
    expect(r.frames[3]).toMatchObject({ excluded: 'unreadable', used: false });
    expect(r.reasons.map((x) => x.id)).toEqual(['FRAME_UNREADABLE']);
  });

  it('a frame without a face, and a frame with two faces, are left out with their reasons', async () => {
    const r = await compareFaces(cardOfA, [photoBytes('no-face.jpg'), photoBytes('two-faces.jpg'), ...framesOfA]);
    expect(r.frames[0]).toMatchObject({ faces: 0, excluded: 'no-face' });
    expect(r.frames[1]).toMatchObject({ excluded: 'multiple-faces' });
    expect(r.frames[1]!.faces).toBeGreaterThanOrEqual(2);
    expect(r.reasons.map((x) => x.id)).toEqual(['MULTIPLE_FACES']);
    expect(r.match).toBe(true);
  });

  it('TOO_FEW_USABLE_FRAMES when fewer frames have a face than minFrames', async () => {
    const r = await compareFaces(cardOfA, [framesOfA[0]!, photoBytes('no-face.jpg'), photoBytes('no-face.jpg')]);
    expect(r.match).toBe(false);
    expect(r.reasons.map((x) => x.id)).toEqual(['TOO_FEW_USABLE_FRAMES']);
    const lenient = await compareFaces(cardOfA, [framesOfA[0]!, photoBytes('no-face.jpg'), photoBytes('no-face.jpg')], { minFrames: 1 });
    expect(lenient.match).toBe(true);
  });

  it('accepts frames as returned by extractFramesFromReadingVideo, JPEG or raw RGB', async () => {
    const raw = await sharp(framesOfA[0]!).raw().toBuffer({ resolveWithObject: true });
    const r = await compareFaces(cardOfA, [
      { timestamp: 1.5, image: framesOfA[1]!, width: 0, height: 0 },
      { timestamp: 2.5, image: raw.data, width: raw.info.width, height: raw.info.height },
    ]);
    expect(r.frames.map((f) => f.used)).toEqual([true, true]);
    expect(r.match).toBe(true);
  });
});

describe('compareFaces: bad input', () => {
  const compliant = photoBytes('compliant.jpg');
  it.each([
    ['an empty frame list', cardOfA, [], ErrorCode.INVALID_ARGUMENT],
    ['frames that are not an array', cardOfA, 'frame.jpg', ErrorCode.INVALID_ARGUMENT],
    ['an empty card buffer', Buffer.alloc(0), framesOfA, ErrorCode.INPUT_EMPTY],
    ['a card that is not an image', Buffer.from('%PDF-1.4 not an image'), framesOfA, ErrorCode.UNSUPPORTED_FORMAT],
    ['a card header of 30000×30000 px', withDeclaredSize(compliant, 30000, 30000), framesOfA, ErrorCode.IMAGE_TOO_LARGE],
    ['a card path that does not exist', '/nonexistent/card.jpg', framesOfA, ErrorCode.INPUT_NOT_FOUND],
  ])('%s: %s', async (_name, card, frames, code) => {
    await expect(compareFaces(card as Buffer, frames as Buffer[])).rejects.toMatchObject({ name: 'VerifyError', code });
  });

  it.each([
    [{ far: 0.05 }],
    [{ minFrames: 0 }],
    [{ flip: 'yes' }],
    [{ detector: 'yolo' }],
  ])('refuses options %j with INVALID_ARGUMENT', async (options) => {
    await expect(compareFaces(cardOfA, framesOfA, options as never)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it('a 30000×30000 frame is reported in its row, not thrown', async () => {
    const r = await compareFaces(cardOfA, [withDeclaredSize(compliant, 30000, 30000), ...framesOfA]);
    expect(r.frames[0]).toMatchObject({ excluded: 'unreadable', error: { code: ErrorCode.IMAGE_TOO_LARGE } });
    expect(r.match).toBe(true);
  });
});

describe('compareFaces: resources', () => {
  it('leaks no tensor over repeated calls, matches and failures alike', async () => {
    await compareFaces(cardOfA, framesOfA);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) {
      await compareFaces(cardOfA, [...framesOfA, personB, Buffer.from('x')]);
      await compareFaces(face('card-no-portrait.jpg'), [photoBytes('two-faces.jpg')]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
