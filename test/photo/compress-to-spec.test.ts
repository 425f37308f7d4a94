import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import exifr from 'exifr';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJpegHeader } from '../../src/image/jpeg.js';
import { ErrorCode, HUBEI_EXAM_PHOTO, RED_BACKGROUND, type VerifyError, WHITE_BACKGROUND, compressToSpec, loadModels, validatePhoto } from '../../src/index.js';
import { photo, photoBytes, withDeclaredSize } from '../helpers.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
// Sources made by scripts/make-fixtures.ts from @vladmandic/face-api/demo/sample6.jpg.
const source = (file: string) => fileURLToPath(new URL(`../../fixtures/sources/${file}`, import.meta.url));

async function huge(): Promise<Buffer> {
  // The group crop enlarged to 4680×8100 (38 MP), as a high-resolution camera would give.
  return sharp(readFileSync(source('group-crop.jpg'))).resize({ height: 8100 }).jpeg({ quality: 80 }).toBuffer();
}

beforeAll(async () => {
  await loadModels();
});

describe('compressToSpec: ordinary photos in, photos that pass validatePhoto out', () => {
  it.each([
    ['a crop of a group photo', () => source('group-crop.jpg')],
    ['a photo stored sideways with EXIF orientation 8', () => source('exif-rotated.jpg')],
    ['a PNG cut-out with a transparent background', () => source('person-alpha.png')],
    ['a portrait on white', () => photo('white-background.jpg')],
    ['a 38-megapixel photo', huge],
  ] as const)('%s', async (_, input) => {
    const before = tf.memory().numTensors;
    const result = await compressToSpec(await input());
    expect(tf.memory().numTensors).toBe(before);
    expect(result.report.checks.filter((c) => c.status === 'failed').map((c) => c.id)).toEqual([]);
    expect(result.report.passed).toBe(true);
    // An independent look at the bytes: size, density, no metadata but JFIF, the byte band under both KB readings.
    const header = readJpegHeader(result.buffer)!;
    expect(header).toMatchObject({ width: 480, height: 640, components: 3, coding: 'baseline', hasExif: false, hasIcc: false });
    expect(header.jfif).toEqual({ units: 1, x: 300, y: 300 });
    expect(await exifr.parse(result.buffer).catch(() => undefined)).toBeUndefined();
    expect(result.buffer.length).toBeGreaterThanOrEqual(20 * 1024);
    expect(result.buffer.length).toBeLessThanOrEqual(40_000);
    expect(result.encodes).toBeLessThanOrEqual(4);
    expect((await validatePhoto(result.buffer, { filename: 'out.jpg' })).passed).toBe(true);
  });

  it('replaces a white background with the spec blue and says so', async () => {
    const result = await compressToSpec(photo('white-background.jpg'));
    expect(result.background).toMatchObject({ action: 'replaced', colour: '#438edb' });
    expect(result.background.reason).toMatch(/did not pass \(#f/);
  });

  it('is idempotent: a passing photo comes back passing, with the face where it was', async () => {
    // Its report uses compressToSpec's detector (SSD by default): the original is measured the same way.
    const original = await validatePhoto(photo('compliant.jpg'), { detector: 'ssd' });
    const result = await compressToSpec(photo('compliant.jpg'));
    expect(result.framing).toMatchObject({ kept: true, padded: false, scale: 1 });
    expect(result.background.action).toBe('kept');
    expect(result.report.passed).toBe(true);
    const [a, b] = [original.face!.box, result.report.face!.box];
    expect(Math.abs(a.x - b.x) + Math.abs(a.y - b.y) + Math.abs(a.width - b.width)).toBeLessThan(6);
    const again = await compressToSpec(result.buffer);
    expect(again.framing.kept).toBe(true);
    expect(again.report.passed).toBe(true);
  });

  it('frames the head mid-limit where the source allows: crown, chin and head height near the middle of their bands', async () => {
    const result = await compressToSpec(photo('tilted-head.jpg'));
    expect(result.framing.padded).toBe(false);
    const head = result.report.checks.find((c) => c.id === 'headPosition')!.measured;
    expect(Math.abs(head.crownMarginPx! - 60)).toBeLessThan(15);
    expect(Math.abs(head.chinMarginPx! - 245)).toBeLessThan(15);
    expect(Math.abs(head.centreOffsetRatio!)).toBeLessThan(0.03);
  });

  it('in a tight source, frames tighter within the limits rather than fill a band below the shoulders', async () => {
    const result = await compressToSpec(source('group-crop.jpg'));
    const head = result.report.checks.find((c) => c.id === 'headPosition')!;
    expect(head.status).toBe('passed');
    // Mid-limit (chin 245 px above the bottom) the frame reached 52 px further past the source's bottom.
    expect(head.measured.chinMarginPx!).toBeLessThan(215);
    expect(head.measured.headHeightRatio!).toBeGreaterThan(0.55);
  });

  it('levels a head tilted in the picture plane before framing: the report passes pose', async () => {
    const before = (await validatePhoto(photo('tilted-head.jpg'))).checks.find((c) => c.id === 'pose')!;
    expect(before.status).toBe('failed');
    const result = await compressToSpec(photo('tilted-head.jpg'));
    expect(Math.abs(result.framing.levelledDeg)).toBeGreaterThan(8);
    const pose = result.report.checks.find((c) => c.id === 'pose')!;
    expect(pose.status).toBe('passed');
    // The mesh's roll (the report's) and the eye line's (the levelling's) differ by a few degrees: the
    // photo leaned 14°, and at most a quarter of it is left.
    expect(Math.abs(pose.measured.rollDeg!)).toBeLessThan(Math.abs(before.measured.rollDeg!) / 4);
    expect(result.retake).toEqual([]);
  });

  it('does not level a head lying 44° on its shoulders: the shoulders would turn with it; POSE_NOT_FIXABLE to retake', async () => {
    // Turned whole, the old room stayed inside a diamond of blue and validatePhoto passed it.
    const result = await compressToSpec(readFileSync(fileURLToPath(new URL('../../fixtures/faces/person-a.jpg', import.meta.url))));
    expect(result.framing.levelledDeg).toBe(0);
    expect(result.report.passed).toBe(false);
    expect(result.retake.map((r) => r.id)).toContain('POSE_NOT_FIXABLE');
    const background = result.report.checks.find((c) => c.id === 'background')!;
    expect(background.status).toBe('passed');
  });

  it('refuses a photo whose head touches the top edge with HEAD_CUT_OFF, in both languages', async () => {
    const error = (await compressToSpec(photo('head-cut-off.jpg')).catch((e) => e)) as VerifyError;
    expect(error.code).toBe(ErrorCode.HEAD_CUT_OFF);
    expect(error.messages.zh).toContain('头顶');
  });

  it('says what editing cannot fix: a blurred photo comes back with TOO_BLURRY to retake', async () => {
    const result = await compressToSpec(photo('blurred.jpg'));
    expect(result.report.passed).toBe(false);
    expect(result.retake.map((r) => [r.id, r.check])).toEqual([['TOO_BLURRY', 'sharpness']]);
    expect(result.retake[0]!.message.zh).toContain('重新拍摄');
  });

  it('takes the old background out of the edge, not only blends the new one in: no red line along the shoulder', async () => {
    // Pixels strongly red (R over G and B by 75): the same person photographed on blue has 57 (lips and
    // such); blended on the ramp alone, the red background's fixed copy had 288, a line along the hair and shoulder.
    const strongRed = async (jpeg: Buffer) => {
      const data = await sharp(jpeg).raw().toBuffer();
      let n = 0;
      for (let i = 0; i < data.length; i += 3) if (data[i]! - data[i + 1]! > 75 && data[i]! - data[i + 2]! > 75) n++;
      return n;
    };
    const result = await compressToSpec(photo('red-background.jpg'));
    expect(result.background.action).toBe('replaced');
    expect(result.report.passed).toBe(true);
    expect(await strongRed(result.buffer)).toBeLessThan(150);
    expect(await strongRed(photoBytes('compliant.jpg'))).toBeLessThan(100);
  });

  it.each(['grey-person.jpg', 'grayscale.jpg'])('%s: a person in black and white comes back with NOT_IN_COLOUR to retake, not as fixed', async (file) => {
    // The background can be made blue and the file three-channel; the person stays grey.
    const result = await compressToSpec(photo(file));
    expect(result.report.passed).toBe(false);
    expect(result.report.checks.find((c) => c.id === 'format')!.status).toBe('passed');
    expect(result.retake.map((r) => [r.id, r.check])).toEqual([['NOT_IN_COLOUR', 'faceColour']]);
    expect(result.retake[0]!.message.en).toMatch(/colour photo/);
  });

  it('a pure #0000FE background is blue by hue but too far from the reference blues: the report fails it', async () => {
    const result = await compressToSpec(source('group-crop.jpg'), { backgroundColor: '#0000fe', background: 'replace' });
    const bg = result.report.checks.find((c) => c.id === 'background')!;
    expect(bg.status).toBe('failed');
    expect(bg.measured.hueDeg).toBeGreaterThan(235);
    expect(bg.measured.nearestReference!.deltaE).toBeGreaterThan(HUBEI_EXAM_PHOTO.background.maxReferenceDeltaE);
  });

  it('uses another background colour on request', async () => {
    const result = await compressToSpec(source('group-crop.jpg'), { backgroundColor: '#64c5ff', background: 'replace' });
    const bg = result.report.checks.find((c) => c.id === 'background')!;
    expect(bg.status).toBe('passed');
    expect(bg.measured.nearestReference?.name).toBe('exam-light-blue');
  });

  it.each([
    ['white', WHITE_BACKGROUND, '#ffffff'],
    ['red', RED_BACKGROUND, '#d62626'],
  ] as const)('makes a %s-background photo for a spec that asks for one', async (_, spec, hex) => {
    const result = await compressToSpec(source('group-crop.jpg'), { spec });
    expect(result.background).toMatchObject({ action: 'replaced', colour: hex });
    expect(result.report.passed).toBe(true);
    expect((await validatePhoto(result.buffer)).checks.find((c) => c.id === 'background')!.status).toBe('failed'); // not blue
  });

  it("keeps the background with background: 'keep' (and the report says it fails)", async () => {
    const result = await compressToSpec(photo('white-background.jpg'), { background: 'keep' });
    expect(result.background.action).toBe('kept');
    expect(result.report.checks.find((c) => c.id === 'background')!.status).toBe('failed');
  });

  it('never writes to the input path', async () => {
    const path = source('group-crop.jpg');
    const hash = () => createHash('sha256').update(readFileSync(path)).digest('hex');
    const before = hash();
    await compressToSpec(path);
    expect(hash()).toBe(before);
  });
});

describe('compressToSpec refuses what it cannot fix, with typed errors', () => {
  const compliant = photoBytes('compliant.jpg');
  it.each([
    ['two people', ErrorCode.MULTIPLE_FACES, photo('two-faces.jpg'), {}, { faces: 2 }],
    ['no face', ErrorCode.NO_FACE, photo('no-face.jpg'), {}, { faces: 0 }],
    ['a face too small to enlarge (150 px wide photo)', ErrorCode.FACE_TOO_SMALL, source('tiny.jpg'), {}, { maxUpscale: 2 }],
    ['a stricter maxUpscale (the cut-out needs 1.6×)', ErrorCode.FACE_TOO_SMALL, source('person-alpha.png'), { maxUpscale: 1.2 }, { maxUpscale: 1.2 }],
    ['an empty buffer', ErrorCode.INPUT_EMPTY, Buffer.alloc(0), {}, {}],
    ['a text file', ErrorCode.UNSUPPORTED_FORMAT, Buffer.from('not a photo at all'), {}, {}],
    ['a truncated JPEG', ErrorCode.CORRUPT_IMAGE, compliant.subarray(0, 9000), {}, {}],
    ['a 30000×30000 header', ErrorCode.IMAGE_TOO_LARGE, withDeclaredSize(compliant, 30000, 30000), {}, {}],
    ['an unknown background mode', ErrorCode.INVALID_ARGUMENT, compliant, { background: 'paint' }, {}],
    ['a malformed colour', ErrorCode.INVALID_ARGUMENT, compliant, { backgroundColor: 'blue' }, {}],
  ] as const)('%s → %s', async (_, code, input, options, details) => {
    const error = (await compressToSpec(input as string | Buffer, options as never).catch((e) => e)) as VerifyError;
    expect(error.code).toBe(code);
    expect(error.details).toMatchObject(details);
    expect(error.message.length).toBeGreaterThan(20);
  });
});
