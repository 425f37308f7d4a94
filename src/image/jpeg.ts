/**
 * A JPEG marker walk: the facts validatePhoto needs from the header, read without decoding pixels.
 * Stops at the first start-of-scan; everything it reports is declared before the image data.
 */

export type JpegCoding = 'baseline' | 'extended' | 'progressive' | 'lossless' | 'arithmetic' | 'unknown';

export interface JfifDensity {
  /** 0 = no unit (aspect ratio only), 1 = dots per inch, 2 = dots per cm, as in the header. */
  units: 0 | 1 | 2;
  x: number;
  y: number;
}

export interface JpegHeader {
  coding: JpegCoding;
  /** Bits per sample. */
  precision: number;
  /** Pixels as stored (before EXIF orientation). */
  width: number;
  height: number;
  /** 1 = grayscale, 3 = YCbCr/RGB, 4 = CMYK/YCCK. */
  components: number;
  /** Adobe APP14 colour transform (0 = none/RGB or CMYK, 1 = YCbCr, 2 = YCCK), when present. */
  adobeTransform: number | undefined;
  jfif: JfifDensity | undefined;
  hasExif: boolean;
  hasIcc: boolean;
  /** The file ends with the end-of-image marker (a truncated upload usually does not). */
  hasEndMarker: boolean;
}

const SOF_CODING: Record<number, JpegCoding> = {
  0xc0: 'baseline',
  0xc1: 'extended',
  0xc2: 'progressive',
  0xc3: 'lossless',
  0xc5: 'extended',
  0xc6: 'progressive',
  0xc7: 'lossless',
  0xc9: 'arithmetic',
  0xca: 'arithmetic',
  0xcb: 'arithmetic',
  0xcd: 'arithmetic',
  0xce: 'arithmetic',
  0xcf: 'arithmetic',
};

/** Returns undefined when the bytes do not form a readable JPEG header. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  const header: JpegHeader = {
    coding: 'unknown',
    precision: 0,
    width: 0,
    height: 0,
    components: 0,
    adobeTransform: undefined,
    jfif: undefined,
    hasExif: false,
    hasIcc: false,
    hasEndMarker: endsWithEoi(bytes),
  };
  const u16 = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  const ascii = (start: number, length: number) => String.fromCharCode(...bytes.subarray(start, start + length));
  let offset = 2;
  let sawFrame = false;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return sawFrame ? header : undefined;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // standalone markers carry no length
      continue;
    }
    if (marker === 0xd9) break;
    const length = u16(offset + 2);
    const body = offset + 4;
    if (length < 2 || offset + 2 + length > bytes.length) return sawFrame ? header : undefined;
    if (marker === 0xe0 && length >= 16 && ascii(body, 5) === 'JFIF\0') {
      const units = bytes[body + 7];
      header.jfif = { units: units === 1 || units === 2 ? units : 0, x: u16(body + 8), y: u16(body + 10) };
    } else if (marker === 0xe1 && ascii(body, 6) === 'Exif\0\0') {
      header.hasExif = true;
    } else if (marker === 0xe2 && ascii(body, 12) === 'ICC_PROFILE\0') {
      header.hasIcc = true;
    } else if (marker === 0xee && length >= 14 && ascii(body, 5) === 'Adobe') {
      header.adobeTransform = bytes[body + 11];
    } else if (marker in SOF_CODING && length >= 8) {
      header.coding = SOF_CODING[marker];
      header.precision = bytes[body];
      header.height = u16(body + 1);
      header.width = u16(body + 3);
      header.components = bytes[body + 5];
      sawFrame = true;
    } else if (marker === 0xda) {
      break; // start of scan: image data follows
    }
    offset += 2 + length;
  }
  return sawFrame ? header : undefined;
}

function endsWithEoi(bytes: Uint8Array): boolean {
  // Some encoders pad after EOI; look at the last few bytes rather than the last two only.
  const from = Math.max(2, bytes.length - 32);
  for (let i = bytes.length - 2; i >= from; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

/** Dots per inch from a JFIF density, or undefined when the header declares no unit. */
export function jfifDpi(jfif: JfifDensity): { x: number; y: number } | undefined {
  if (jfif.units === 1) return { x: jfif.x, y: jfif.y };
  if (jfif.units === 2) return { x: jfif.x * 2.54, y: jfif.y * 2.54 };
  return undefined;
}

/**
 * Returns the JPEG with a JFIF APP0 segment declaring `dpi` dots per inch, replacing any APP0 there
 * was. (libvips writes density only into EXIF; systems that read JFIF would see no resolution.)
 */
export function withJfifDensity(bytes: Uint8Array, dpi: number): Buffer {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('not a JPEG');
  const density = Math.round(dpi);
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01,
    density >> 8, density & 0xff, density >> 8, density & 0xff, 0x00, 0x00,
  ]);
  let rest = 2;
  if (bytes[2] === 0xff && bytes[3] === 0xe0) rest = 4 + ((bytes[4] << 8) | bytes[5]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, Buffer.from(bytes.subarray(rest))]);
}
