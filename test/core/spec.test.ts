import { describe, expect, it } from 'vitest';
import { HUBEI_EXAM_PHOTO, defineSpec } from '../../src/core/spec.js';

describe('spec', () => {
  it('the Hubei preset says 480×640, 300 dpi, 20–40 KB of 1024 bytes, JPEG', () => {
    expect(HUBEI_EXAM_PHOTO).toMatchObject({ width: 480, height: 640, dpi: 300, extensions: ['.jpg'] });
    expect(HUBEI_EXAM_PHOTO.fileSize).toEqual({ minKB: 20, maxKB: 40, kilobyte: 1024 });
    expect(Object.isFrozen(HUBEI_EXAM_PHOTO.background.hueRange)).toBe(true);
  });

  it('defineSpec changes one limit deep inside and keeps the rest', () => {
    const spec = defineSpec({ fileSize: { kilobyte: 1000 }, head: { maxCentreOffset: 0.1 } });
    expect(spec.fileSize).toEqual({ minKB: 20, maxKB: 40, kilobyte: 1000 });
    expect(spec.head.maxCentreOffset).toBe(0.1);
    expect(spec.head.crownMarginPx).toEqual(HUBEI_EXAM_PHOTO.head.crownMarginPx);
    expect(HUBEI_EXAM_PHOTO.fileSize.kilobyte).toBe(1024);
    expect(Object.isFrozen(spec)).toBe(true);
  });
});
