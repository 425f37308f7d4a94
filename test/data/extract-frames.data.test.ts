/**
 * extractFramesFromReadingVideo on the real talking videos of ../shared/data/videos: frames upright
 * (a face is found upright in each), timestamps inside the speech, speech activity found.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, dataAvailable } from '../../eval/data.js';
import { detectFaces } from '../../src/models/detect.js';
import { extractFramesFromReadingVideo } from '../../src/index.js';

beforeAll(() => {
  if (!dataAvailable()) throw new Error(`The evaluation data is missing: expected labels.csv in ${DATA_DIR}. Put ../shared/data beside the repository or set VERIFY_DATA_DIR.`);
});

describe('extractFramesFromReadingVideo on real recordings', () => {
  it.each([
    'videos/sadtalker/examples/ref_video/WDA_KatieHill_000.mp4',
    'videos/sadtalker/examples/ref_video/WDA_AlexandriaOcasioCortez_000.mp4',
    'videos/liveportrait/assets/examples/driving/d20.mp4',
    'videos/liveportrait/assets/examples/driving/d6.mp4',
  ])('%s: speech found, 8 frames inside it, a face upright in each', async (relative) => {
    const result = await extractFramesFromReadingVideo(join(DATA_DIR, relative));
    expect(result.audio.present).toBe(true);
    expect(result.audio.speechSeconds).toBeGreaterThan(3);
    expect(result.span.source).toBe('speech');
    expect(result.frames).toHaveLength(8);
    for (const frame of result.frames) {
      expect(frame.timestamp).toBeGreaterThanOrEqual(result.span.start);
      expect(frame.timestamp).toBeLessThanOrEqual(result.span.end);
      const { data, info } = await sharp(frame.image).raw().toBuffer({ resolveWithObject: true });
      const [face] = await detectFaces({ data, width: info.width, height: info.height });
      expect(face, `a face at ${frame.timestamp} s`).toBeDefined();
      expect(face.landmarks[8].y).toBeGreaterThan(face.landmarks[36].y);
    }
  });
});
