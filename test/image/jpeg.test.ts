import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jfifDpi, readJpegHeader, withJfifDensity } from '../../src/image/jpeg.js';
import { photoBytes } from '../helpers.js';

describe('readJpegHeader', () => {
  it('reads coding, size, components, JFIF and EXIF of the compliant fixture', () => {
    const header = readJpegHeader(photoBytes('compliant.jpg'))!;
    expect(header).toMatchObject({ coding: 'baseline', precision: 8, width: 480, height: 640, components: 3, hasExif: true, hasEndMarker: true });
    expect(header.jfif).toEqual({ units: 1, x: 300, y: 300 });
  });

  it('tells progressive, grayscale and CMYK apart', () => {
    expect(readJpegHeader(photoBytes('compliant-progressive.jpg'))!.coding).toBe('progressive');
    expect(readJpegHeader(photoBytes('grayscale.jpg'))!.components).toBe(1);
    const cmyk = readJpegHeader(photoBytes('cmyk.jpg'))!;
    expect(cmyk.components).toBe(4);
    expect(cmyk.adobeTransform).toBeDefined();
  });

  it('reports the stored size of an EXIF-rotated photo', () => {
    expect(readJpegHeader(photoBytes('compliant-exif-rotated.jpg'))).toMatchObject({ width: 640, height: 480 });
  });

  it('notices a missing end marker and refuses non-JPEG bytes', () => {
    const jpeg = photoBytes('compliant.jpg');
    expect(readJpegHeader(jpeg.subarray(0, jpeg.length / 2))!.hasEndMarker).toBe(false);
    expect(readJpegHeader(photoBytes('png-named-jpg.jpg'))).toBeUndefined();
    expect(readJpegHeader(Buffer.from([0xff, 0xd8]))).toBeUndefined();
  });
});

describe('JFIF density', () => {
  it('converts dots per centimetre to dots per inch', () => {
    expect(jfifDpi({ units: 2, x: 118, y: 118 })).toEqual({ x: 118 * 2.54, y: 118 * 2.54 });
    expect(jfifDpi({ units: 0, x: 1, y: 1 })).toBeUndefined();
  });

  it('withJfifDensity writes APP0 into a JPEG that has none, and replaces one that exists', async () => {
    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#4080c0' } }).jpeg().toBuffer();
    expect(readJpegHeader(plain)!.jfif).toBeUndefined(); // libvips writes no JFIF segment
    const once = withJfifDensity(plain, 300);
    expect(readJpegHeader(once)!.jfif).toEqual({ units: 1, x: 300, y: 300 });
    const twice = withJfifDensity(once, 72);
    expect(readJpegHeader(twice)!.jfif).toEqual({ units: 1, x: 72, y: 72 });
    expect(twice.length).toBe(once.length);
    const { info } = await sharp(twice).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(8);
  });
});
