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
  /** Declared in the JFIF header (units: inches). No other metadata is written. */
  dpi: number;
  progressive?: boolean;
}

export interface BandEncodeResult {
  buffer: Buffer;
  /** JPEG quality 1–100 of the returned encode. */
  quality: number;
  chromaSubsampling: '4:2:0' | '4:4:4';
  /** How many JPEG encodes it took. */
  encodes: number;
}

/**
 * Encodes RGB as a baseline sRGB JPEG whose size lands in [minBytes, maxBytes], with a JFIF header
 * declaring `dpi` and no EXIF, ICC, GPS or camera data. JPEG size grows about exponentially with
 * quality over the useful range, so each next quality is the secant, on log size, between the
 * nearest encodes below and above the band's middle, starting from quality 85: it usually lands in
 * two or three encodes where bisection over 1–100 takes five to seven.
 * Colour stays 4:2:0 unless even quality 100 is too small (a very flat photo), then 4:4:4.
 * Returns undefined when no quality lands in the band.
 */
export async function encodeJpegInBand(image: RawRgb, options: BandEncodeOptions): Promise<BandEncodeResult | undefined> {
  let encodes = 0;
  for (const chromaSubsampling of ['4:2:0', '4:4:4'] as const) {
    const tried = new Map<number, number>(); // quality → log bytes
    const target = Math.log((options.minBytes + options.maxBytes) / 2);
    const encode = async (quality: number) => {
      encodes++;
      const out = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .jpeg({ quality, progressive: options.progressive ?? false, chromaSubsampling })
        .toBuffer();
      const buffer = withJfifDensity(out, options.dpi);
      tried.set(quality, Math.log(buffer.length));
      return buffer;
    };
    let quality = 85;
    for (let i = 0; i < 12; i++) {
      const buffer = await encode(quality);
      if (buffer.length >= options.minBytes && buffer.length <= options.maxBytes) return { buffer, quality, chromaSubsampling, encodes };
      const below = [...tried].filter(([, s]) => s < target).sort((a, b) => b[0] - a[0])[0];
      const above = [...tried].filter(([, s]) => s > target).sort((a, b) => a[0] - b[0])[0];
      let next: number;
      if (below && above) {
        if (above[0] - below[0] <= 1) break; // adjacent qualities straddle the band: it is too narrow here
        next = below[0] + ((target - below[1]) * (above[0] - below[0])) / (above[1] - below[1]);
        next = Math.min(above[0] - 1, Math.max(below[0] + 1, Math.round(next)));
      } else if (below) {
        if (below[0] === 100) break; // too small even at the top quality
        // About 2.5% more bytes per quality step near the top of the scale: step towards the band.
        next = Math.min(100, below[0] + Math.max(1, Math.round((target - below[1]) / 0.025)));
      } else {
        next = Math.max(1, above![0] - Math.max(1, Math.round((above![1] - target) / 0.025)));
        if (above![0] === 1) return undefined;
      }
      if (tried.has(next)) break;
      quality = next;
    }
    // Only a photo too flat for the band at 4:2:0 gets a second pass at 4:4:4.
    const maxTried = Math.max(...tried.keys());
    if (!(maxTried === 100 && tried.get(100)! < Math.log(options.minBytes))) return undefined;
  }
  return undefined;
}
