import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readExif } from '../../src/image/metadata.js';
import { photoBytes } from '../helpers.js';

// A gc() for this test without starting node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

describe('readExif', () => {
  it('reads orientation and density', async () => {
    expect(await readExif(photoBytes('compliant-exif-rotated.jpg'))).toMatchObject({ orientation: 6 });
    expect((await readExif(photoBytes('dpi-72.jpg'))).dpi).toEqual({ x: 72, y: 72 });
  });

  it('keeps a flat heap over thousands of calls (exifr caches per options object: one object for all calls)', async () => {
    const bytes = photoBytes('compliant.jpg');
    for (let i = 0; i < 200; i++) await readExif(bytes);
    const before = heapAfterGc();
    for (let i = 0; i < 3000; i++) await readExif(bytes);
    // A fresh options object per call grew ~10 KB a call: 30 MB here.
    expect(heapAfterGc() - before).toBeLessThan(2 * 1024 * 1024);
  });
});
