import { describe, expect, it } from 'vitest';
import { type CheckId, HUBEI_EXAM_PHOTO, RED_BACKGROUND, WHITE_BACKGROUND, validatePhoto } from '../../src/index.js';
import { PHOTO_FIXTURES } from '../fixtures.js';
import { photo, photoBytes } from '../helpers.js';

const CHECK_ORDER: CheckId[] = [
  'format', 'extension', 'dimensions', 'orientation', 'dpi', 'fileSize', 'background',
  'faceCount', 'headPosition', 'pose', 'eyesOpen', 'sharpness', 'exposure', 'faceColour', 'headCovering',
];

describe('validatePhoto on the fixtures: each breaks exactly its rule', () => {
  it.each(PHOTO_FIXTURES.map((f) => [f.file, f] as const))('%s', async (_, fixture) => {
    const result = await validatePhoto(photo(fixture.file));
    const failed = (severity: string) => result.checks.filter((c) => c.status === 'failed' && c.severity === severity).map((c) => c.id).sort();
    expect(failed('error')).toEqual([...fixture.fails].sort());
    expect(failed('warning')).toEqual([...(fixture.warns ?? [])].sort());
    expect(result.passed).toBe(fixture.fails.length === 0);
  });
});

describe('validatePhoto result shape', () => {
  it('lists every check, in a fixed order, with measured values, limits and both languages', async () => {
    const result = await validatePhoto(photo('compliant.jpg'));
    expect(result.checks.map((c) => c.id)).toEqual(CHECK_ORDER);
    for (const check of result.checks) {
      expect(check.status).toBe('passed');
      expect(check.passed).toBe(true);
      expect(check.message.zh.length).toBeGreaterThan(0);
      expect(check.message.en.length).toBeGreaterThan(0);
      expect(Object.keys(check.limit).length).toBeGreaterThan(0);
      expect(Object.keys(check.measured).length).toBeGreaterThan(0);
    }
    expect(result.metadata).toMatchObject({ format: 'jpeg', jpegCoding: 'baseline', components: 3, width: 480, height: 640, filename: 'compliant.jpg', hasGps: false });
    expect(result.metadata.bytes).toBe(photoBytes('compliant.jpg').length);
    const face = result.face!;
    expect(face.landmarks).toHaveLength(68);
    expect(face.crownYPx).toBeGreaterThan(30);
    expect(face.chinYPx).toBeGreaterThan(face.crownYPx!);
    expect(Math.abs(face.pose.rollDeg)).toBeLessThan(8);
  });

  it('skips the face checks, saying why, when there is no single face', async () => {
    const result = await validatePhoto(photo('two-faces.jpg'));
    const skipped = result.checks.filter((c) => c.status === 'skipped').map((c) => c.id);
    expect(skipped).toEqual(['headPosition', 'pose', 'eyesOpen', 'sharpness', 'exposure', 'faceColour', 'headCovering']);
    for (const id of skipped) {
      const check = result.checks.find((c) => c.id === id)!;
      expect(check.passed).toBe(false);
      expect(check.message.en).toMatch(/Not checked/);
    }
    expect(result.checks.find((c) => c.id === 'faceCount')!.measured).toMatchObject({ faces: 2 });
    expect(result.face).toBeUndefined();
  });

  it('reads the file name from options.filename when given bytes, and skips the extension check without one', async () => {
    const bytes = photoBytes('compliant.jpg');
    const named = await validatePhoto(bytes, { filename: 'IMG_0001.JPG' });
    expect(named.checks.find((c) => c.id === 'extension')!.status).toBe('passed');
    const jpeg = await validatePhoto(bytes, { filename: 'photo.jpeg' });
    expect(jpeg.checks.find((c) => c.id === 'extension')!.status).toBe('failed');
    const allowed = await validatePhoto(bytes, { filename: 'photo.jpeg', spec: { extensions: ['.jpg', '.jpeg'] } });
    expect(allowed.checks.find((c) => c.id === 'extension')!.status).toBe('passed');
    const anonymous = await validatePhoto(new Uint8Array(bytes));
    expect(anonymous.checks.find((c) => c.id === 'extension')!.status).toBe('skipped');
    expect(anonymous.passed).toBe(true);
  });

  it('takes every limit from the spec: 1000-byte kilobytes move the size band', async () => {
    const result = await validatePhoto(photo('compliant.jpg'), { spec: { fileSize: { kilobyte: 1000 } } });
    expect(result.checks.find((c) => c.id === 'fileSize')!.limit).toEqual({ minBytes: 20_000, maxBytes: 40_000, kilobyte: 1000 });
    const strict = await validatePhoto(photo('compliant.jpg'), { spec: { fileSize: { maxKB: 25 } } });
    expect(strict.checks.find((c) => c.id === 'fileSize')!.status).toBe('failed');
    expect(HUBEI_EXAM_PHOTO.fileSize.maxKB).toBe(40);
  });

  it('reports the dpi declarations precisely when they disagree', async () => {
    const result = await validatePhoto(photo('dpi-jfif-300-exif-72.jpg'));
    const dpi = result.checks.find((c) => c.id === 'dpi')!;
    expect(dpi.measured).toMatchObject({ jfifDpi: { x: 300, y: 300 }, exifDpi: { x: 72, y: 72 } });
    expect(dpi.message.en).toMatch(/disagree.*JFIF 300 dpi.*EXIF 72 dpi/);
  });

  it.each([
    ['white', WHITE_BACKGROUND, 'white-background.jpg', 'compliant.jpg'],
    ['red', RED_BACKGROUND, 'red-background.jpg', 'white-background.jpg'],
  ] as const)('checks a %s background for a spec that asks for one', async (colour, spec, good, bad) => {
    expect((await validatePhoto(photo(good), { spec })).checks.find((c) => c.id === 'background')!.status).toBe('passed');
    const wrong = (await validatePhoto(photo(bad), { spec })).checks.find((c) => c.id === 'background')!;
    expect(wrong.status).toBe('failed');
    expect(wrong.message.en).toContain(`must be ${colour}`);
  });

  it('measures the background colour of the compliant photo near the reference blue', async () => {
    const result = await validatePhoto(photo('compliant.jpg'));
    // measured is typed by the check's id: no cast.
    const bg = result.checks.find((c) => c.id === 'background')!.measured;
    expect(bg.colourShare).toBeGreaterThan(0.95);
    expect(bg.nearestReference?.name).toBe('id-blue');
    expect(bg.nearestReference?.deltaE).toBeLessThan(5);
    expect(result.checks.find((c) => c.id === 'fileSize')!.measured.bytes).toBeGreaterThan(20 * 1024);
  });
});
