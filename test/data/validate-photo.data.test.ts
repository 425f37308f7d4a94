/**
 * validatePhoto on the real photos of ../shared/data (VERIFY_DATA_DIR overrides): floors pinned
 * from `npm run eval`, so that a change that makes the checks worse on real faces fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, dataAvailable } from '../../eval/data.js';
import { encodeJpegInBand } from '../../src/image/encode.js';
import { type CheckId, type PhotoValidation, validatePhoto } from '../../src/index.js';

const INSIGHTFACE = 'asia/insightface/cpp-package/inspireface/test_res/data';

beforeAll(() => {
  if (!dataAvailable()) {
    throw new Error(`The evaluation data is missing: expected labels.csv and asia/labels.csv in ${DATA_DIR}. Put ../shared/data beside the repository or set VERIFY_DATA_DIR.`);
  }
});

/** The photo as an upload that is already right in size, dpi and bytes (cover crop to 480×640). */
async function asUpload(relative: string, crop?: { left: number; top: number; width: number; height: number }): Promise<Buffer> {
  let pipeline = sharp(readFileSync(join(DATA_DIR, relative))).rotate();
  if (crop) pipeline = pipeline.extract(crop);
  const { data, info } = await pipeline.resize(480, 640, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const encoded = await encodeJpegInBand({ data, width: info.width, height: info.height }, { minBytes: 24 * 1024, maxBytes: 36 * 1024, dpi: 300 });
  return encoded!.buffer;
}

const failed = (r: PhotoValidation) => r.checks.filter((c) => c.status === 'failed').map((c) => c.id);
const check = (r: PhotoValidation, id: CheckId) => r.checks.find((c) => c.id === id)!;

describe('real ID photos', () => {
  it('a real blue-background Chinese ID photo passes every check', async () => {
    const result = await validatePhoto(await asUpload('asia/ID_photo_background_color/test.jpg'), { filename: 'test.jpg' });
    expect(failed(result)).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it.each([
    ['asia/IDPhotos/figures/white.jpg', 'white'],
    ['asia/IDPhotos/figures/red.jpg', 'red'],
  ])('the same portrait re-coloured %s fails the background check, naming the colour', async (relative, colour) => {
    const result = await validatePhoto(await asUpload(relative));
    expect(check(result, 'background').status).toBe('failed');
    expect(check(result, 'background').message.en).toContain(colour);
    for (const id of ['faceCount', 'pose', 'eyesOpen', 'sharpness', 'exposure', 'faceColour', 'headCovering'] as CheckId[]) {
      expect(check(result, id).status, id).toBe('passed');
    }
  });

  it('the pure #0000FE re-colouring of that portrait is blue, but too far from the ID blue: background fails saying so', async () => {
    const result = await validatePhoto(await asUpload('asia/IDPhotos/figures/blue.jpg'));
    const background = check(result, 'background');
    expect(background.status).toBe('failed');
    expect(background.id === 'background' && background.measured.nearestReference!.deltaE).toBeGreaterThan(90);
    expect(background.message.en).toContain('too far from the standard');
  });

  it('the real blue ID photos sit well inside the reference-colour limit', async () => {
    for (const relative of ['asia/ID_photo_background_color/test.jpg', 'asia/IDPhotos/figures/image.jpg']) {
      const background = check(await validatePhoto(await asUpload(relative)), 'background');
      expect(background.status, relative).toBe('passed');
      expect(background.id === 'background' && background.measured.nearestReference!.deltaE, relative).toBeLessThan(20);
    }
  });
});

describe('labelled defects are caught', () => {
  it.each([
    [`${INSIGHTFACE}/reaction/close_eyes.jpeg`, 'eyesOpen'],
    [`${INSIGHTFACE}/pose/left_face.jpeg`, 'pose'],
    [`${INSIGHTFACE}/pose/right_face.png`, 'pose'],
    [`${INSIGHTFACE}/pose/lower_face.jpeg`, 'pose'],
    [`${INSIGHTFACE}/pose/left_wryneck.png`, 'pose'],
  ] as const)('%s fails %s', async (relative, id) => {
    const result = await validatePhoto(await asUpload(relative));
    expect(check(result, id).status).toBe('failed');
  });

  it('a red beret (LFW Hugo_Chavez_0009) fails headCovering', async () => {
    const result = await validatePhoto(await asUpload('faces/krasserm-face-recognition/images/Hugo_Chavez/Hugo_Chavez_0009.jpg'));
    expect(check(result, 'headCovering').status).toBe('failed');
  });
});

describe('few false rejects on open-eyed, bareheaded, in-focus faces', () => {
  // Frontal, well-lit portraits of the East-Asian set and the Debian astronaut: none of the face
  // checks that do not depend on framing may reject them.
  it.each([
    'asia/asian_faces/DCleaning_tool/target_images/105/105_1.jpg',
    'asia/asian_faces/DCleaning_tool/target_images/107/107_17.jpg',
    'faces/hivision/demo/images/test2.jpg',
    'faces/hivision/demo/images/test3.jpg',
    'asia/IDPhotos/figures/image.jpg',
  ])('%s: eyesOpen, sharpness, headCovering pass', async (relative) => {
    const result = await validatePhoto(await asUpload(relative));
    for (const id of ['faceCount', 'eyesOpen', 'sharpness', 'faceColour', 'headCovering'] as CheckId[]) expect(check(result, id).status, id).toBe('passed');
  });

  it.each([
    ['black and white', [[0.299, 0.587, 0.114], [0.299, 0.587, 0.114], [0.299, 0.587, 0.114]]],
    ['sepia', [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]]],
  ])('the real blue ID photo in %s (a three-channel JPEG) fails faceColour', async (_, matrix) => {
    const upload = await asUpload('asia/ID_photo_background_color/test.jpg');
    const toned = await sharp(upload).recomb(matrix as [[number, number, number], [number, number, number], [number, number, number]]).jpeg({ quality: 85 }).toBuffer();
    const result = await validatePhoto(toned);
    expect(check(result, 'faceColour').status).toBe('failed');
    expect(check(result, 'format').status).toBe('passed');
  });
});
