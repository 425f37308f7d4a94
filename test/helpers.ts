import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHOTO_DIR } from './fixtures.js';

export const photo = (file: string): string => join(PHOTO_DIR, file);
export const photoBytes = (file: string): Buffer => readFileSync(photo(file));

/** The compliant fixture with its frame header claiming width × height (the pixel data is unchanged). */
export function withDeclaredSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; ) {
    const marker = out[i + 1];
    const length = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + length;
  }
  throw new Error('no frame header');
}
