import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandInputs } from '../../src/cli/inputs.js';

describe('expandInputs', () => {
  let dir: string;
  const at = (...names: string[]) => names.map((n) => join(dir, n));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'idphoto-cli-inputs-'));
    mkdirSync(join(dir, 'sub'));
    for (const name of ['a.jpg', 'B.JPEG', 'c.png', 'd.webp', 'e.heic', 'f.HEIF', 'g.avif', 'h.tif', 'i.tiff', 'j.bmp', 'k.gif', 'README', 'list.csv', 'scan.pgm', 'reading.mp4', '.hidden.jpg', 'sub/m.jpg', 'sub/notes.txt']) {
      writeFileSync(join(dir, name), 'x');
    }
    symlinkSync(dir, join(dir, 'sub', 'loop'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const images = ['B.JPEG', 'a.jpg', 'c.png', 'd.webp', 'e.heic', 'f.HEIF', 'g.avif', 'h.tif', 'i.tiff', 'j.bmp', 'k.gif', 'sub/m.jpg'];

  it('takes image names from a folder (any case), walks it once through a symlink loop, and counts what it leaves out', () => {
    expect(expandInputs([dir])).toEqual({ files: at(...images), skipped: 5 });
  });

  it("never enters an excluded folder: fix's --out inside the photos' folder, on a second run", () => {
    expect(expandInputs([dir], false, [join(dir, 'sub')])).toEqual({ files: at(...images.filter((f) => !f.startsWith('sub/'))), skipped: 4 });
  });

  it('takes every file but hidden ones with allFiles', () => {
    const { files, skipped } = expandInputs([dir], true);
    expect(skipped).toBe(0);
    expect(files).toHaveLength(images.length + 5);
    expect(files).toContain(join(dir, 'scan.pgm'));
    expect(files).not.toContain(join(dir, '.hidden.jpg'));
  });

  it('takes image names from a glob', () => {
    expect(expandInputs([join(dir, '*')])).toEqual({ files: at(...images.filter((n) => !n.includes('/'))), skipped: 4 });
  });

  it('always takes a file named explicitly, and a path that does not exist (to be reported in its row)', () => {
    expect(expandInputs(at('README', 'scan.pgm', 'missing.jpg'))).toEqual({ files: at('README', 'scan.pgm', 'missing.jpg'), skipped: 0 });
  });

  it('names each file once however often it is reached', () => {
    expect(expandInputs([join(dir, 'a.jpg'), dir, join(dir, 'a.jpg')]).files.filter((f) => f === join(dir, 'a.jpg'))).toHaveLength(1);
  });
});
