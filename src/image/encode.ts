import sharp from 'sharp';
import { withJfifDensity } from './jpeg.js';

export interface RawRgb {
  data: Buffer;
  width: number;
  height: number;
}

export interface BandEncodeOptions {
  minBytes: number;
  maxBytes: number;
  /** Declared in both JFIF and EXIF. */
  dpi: number;
  progressive?: boolean;
}

export interface BandEncodeResult {
  buffer: Buffer;
  quality: number;
  /** How many JPEG encodes it took. */
  encodes: number;
}

/**
 * Encodes RGB as a JPEG whose size lands in [minBytes, maxBytes], declaring `dpi` in JFIF and EXIF
 * and carrying no other metadata. Size grows roughly log-linearly with quality, so each next quality
 * is interpolated from the two nearest encodes (secant on log size) rather than bisected blindly.
 * Returns undefined when no quality 1–100 lands in the band.
 */
export async function encodeJpegInBand(image: RawRgb, options: BandEncodeOptions): Promise<BandEncodeResult | undefined> {
  const target = Math.log((options.minBytes + options.maxBytes) / 2);
  const tried = new Map<number, number>(); // quality → log bytes
  let encodes = 0;
  const encode = async (quality: number) => {
    encodes++;
    const out = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .withMetadata({ density: options.dpi })
      .jpeg({ quality, progressive: options.progressive ?? false, chromaSubsampling: '4:2:0' })
      .toBuffer();
    const buffer = withJfifDensity(out, options.dpi);
    tried.set(quality, Math.log(buffer.length));
    return buffer;
  };
  let quality = 80;
  for (let i = 0; i < 10; i++) {
    const buffer = await encode(quality);
    if (buffer.length >= options.minBytes && buffer.length <= options.maxBytes) return { buffer, quality, encodes };
    const below = [...tried].filter(([, s]) => s < target).sort((a, b) => b[0] - a[0])[0];
    const above = [...tried].filter(([, s]) => s > target).sort((a, b) => a[0] - b[0])[0];
    let next: number;
    if (below && above) {
      next = below[0] + ((target - below[1]) * (above[0] - below[0])) / (above[1] - below[1]);
      next = Math.min(above[0] - 1, Math.max(below[0] + 1, Math.round(next)));
    } else if (below) {
      next = below[0] + (below[0] >= 95 ? 1 : Math.max(2, Math.round((target - below[1]) * 40)));
    } else {
      next = above![0] - Math.max(2, Math.round((above![1] - target) * 40));
    }
    next = Math.min(100, Math.max(1, next));
    if (tried.has(next)) return undefined;
    quality = next;
  }
  return undefined;
}
