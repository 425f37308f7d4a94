import { describe, expect, it } from 'vitest';
import { sniffFormat } from '../../src/image/sniff.js';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffFormat', () => {
  it.each([
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0])],
    ['png', bytes([0x89], 'PNG\r\n\x1a\n')],
    ['webp', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')],
    ['gif', bytes('GIF89a')],
    ['tiff', bytes('II*\0')],
    ['heic', bytes([0, 0, 0, 0x18], 'ftypheic')],
    ['heic', bytes([0, 0, 0, 0x18], 'ftypmif1')],
    ['avif', bytes([0, 0, 0, 0x18], 'ftypavif')],
    ['unknown', bytes('hello, this is text')],
    ['unknown', bytes([])],
  ])('%s', (expected, input) => {
    expect(sniffFormat(input)).toBe(expected);
  });
});
