/** Image-quality measures on raw RGB, independent of any model. */
import sharp from 'sharp';
import { luma } from './color.js';
import type { RgbImage } from './decode.js';

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Width, in pixels, the face region is resampled to before measuring sharpness, so that scores compare across photo sizes. */
export const SHARPNESS_WIDTH = 160;

/**
 * Sharpness of a region: variance of the 4-neighbour Laplacian of its luma after resampling the
 * region to SHARPNESS_WIDTH pixels wide and stretching its contrast. Scores compare across photo
 * sizes and exposures; see README for the measured ranges.
 */
export async function measureSharpness(image: RgbImage, rect: Rect): Promise<number> {
  const r = clampRect(rect, image);
  const width = r.x1 - r.x0;
  const height = r.y1 - r.y0;
  if (width < 8 || height < 8) return 0;
  const outHeight = Math.max(8, Math.round((height * SHARPNESS_WIDTH) / width));
  const grey = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left: r.x0, top: r.y0, width, height })
    .resize(SHARPNESS_WIDTH, outHeight, { fit: 'fill', kernel: 'cubic' })
    .greyscale()
    .raw()
    .toBuffer();
  // Stretch the region's contrast (1st–99th percentile to 0–255) so that a dark or flat but focused
  // face scores like a well-lit one: the measure is of focus, not of exposure (checked separately).
  const histogram = new Uint32Array(256);
  for (const v of grey) histogram[v]++;
  const lo = percentile(histogram, grey.length, 0.01);
  const hi = Math.max(lo + 16, percentile(histogram, grey.length, 0.99));
  const gain = 255 / (hi - lo);
  const w = SHARPNESS_WIDTH;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < outHeight - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const lap = 4 * grey[i] - grey[i - 1] - grey[i + 1] - grey[i - w] - grey[i + w];
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  return (sumSq / n - mean * mean) * gain * gain;
}

function percentile(histogram: Uint32Array, total: number, share: number): number {
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v];
    if (seen >= total * share) return v;
  }
  return 255;
}

export interface LumaStats {
  /** Mean BT.601 luma 0–255. */
  mean: number;
  /** Share 0–1 of pixels at 250 or above. */
  clipped: number;
  pixels: number;
}

export function lumaStats(image: RgbImage, rect: Rect): LumaStats {
  const r = clampRect(rect, image);
  let sum = 0;
  let clipped = 0;
  let n = 0;
  for (let y = r.y0; y < r.y1; y++) {
    for (let x = r.x0; x < r.x1; x++) {
      const i = (y * image.width + x) * 3;
      const l = luma(image.data[i], image.data[i + 1], image.data[i + 2]);
      sum += l;
      if (l >= 250) clipped++;
      n++;
    }
  }
  return { mean: n ? sum / n : 0, clipped: n ? clipped / n : 0, pixels: n };
}

export function clampRect(rect: Rect, image: { width: number; height: number }): Rect {
  const x0 = Math.max(0, Math.min(image.width, Math.round(rect.x0)));
  const y0 = Math.max(0, Math.min(image.height, Math.round(rect.y0)));
  return {
    x0,
    y0,
    x1: Math.max(x0, Math.min(image.width, Math.round(rect.x1))),
    y1: Math.max(y0, Math.min(image.height, Math.round(rect.y1))),
  };
}
