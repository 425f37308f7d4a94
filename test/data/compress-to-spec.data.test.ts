/**
 * compressToSpec on real photos of ../shared/data: the outputs pass validatePhoto, land in the byte
 * band under both readings of "KB", and faces too small for 480×640 are refused with FACE_TOO_SMALL.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, dataAvailable } from '../../eval/data.js';
import { ErrorCode, compressToSpec } from '../../src/index.js';

beforeAll(() => {
  if (!dataAvailable()) {
    throw new Error(`The evaluation data is missing: expected labels.csv and asia/labels.csv in ${DATA_DIR}. Put ../shared/data beside the repository or set VERIFY_DATA_DIR.`);
  }
});

describe('compressToSpec on real photos', () => {
  it.each([
    ['asia/ID_photo_background_color/test.jpg', 'a real 286×401 ID photo (enlarged 1.72×)'],
    ['asia/IDPhotos/figures/white.jpg', 'an ID portrait on white'],
    ['asia/IDPhotos/figures/red.jpg', 'an ID portrait on red'],
    ['asia/asian_faces/DCleaning_tool/target_images/105/105_1.jpg', 'a 1024×768 web photo'],
    ['faces/hivision/demo/images/test2.jpg', 'a portrait on a studio background'],
    ['faces/compreface/embedding-calculator/sample_images/001_A.jpg', 'a 4912×7360 camera photo'],
  ])('%s (%s) comes out passing', async (relative) => {
    const result = await compressToSpec(join(DATA_DIR, relative));
    expect(result.report.checks.filter((c) => c.status === 'failed').map((c) => c.id)).toEqual([]);
    expect(result.buffer.length).toBeGreaterThanOrEqual(20_480);
    expect(result.buffer.length).toBeLessThanOrEqual(40_000);
    expect(result.encodes).toBeLessThanOrEqual(3);
  });

  it('refuses a 250×250 LFW photo whose face would need 2.5× enlargement', async () => {
    const error = await compressToSpec(join(DATA_DIR, 'faces/krasserm-face-recognition/images/Colin_Powell/Colin_Powell_0001.jpg')).catch((e) => e);
    expect(error.code).toBe(ErrorCode.FACE_TOO_SMALL);
    expect(error.details.upscale).toBeGreaterThan(2);
  });
});
