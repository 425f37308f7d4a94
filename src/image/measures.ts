/** Image-quality measures on raw RGB, independent of any model. */
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
 * sizes and exposures; docs/limits.md has the measured ranges.
 */
export function measureSharpness(image: RgbImage, rect: Rect): number {
  const r = clampRect(rect, image);
  const width = r.x1 - r.x0;
  const height = r.y1 - r.y0;
  if (width < 8 || height < 8) return 0;
  const w = SHARPNESS_WIDTH;
  const h = Math.max(8, Math.round((height * w) / width));
  const grey = resampleLuma(image, r, w, h);
  // Stretch the region's contrast (1st–99th percentile to 0–255) so that a dark or flat but focused
  // face scores like a well-lit one: the measure is of focus, not of exposure (checked separately).
  const histogram = new Uint32Array(256);
  for (const v of grey) histogram[Math.max(0, Math.min(255, Math.round(v)))]++;
  const lo = percentile(histogram, grey.length, 0.01);
  const hi = Math.max(lo + 16, percentile(histogram, grey.length, 0.99));
  const gain = 255 / (hi - lo);
  return laplacianVariance(grey, w, h) * gain * gain;
}

/**
 * Variance of the Laplacian on a grid of about 160 points across the region, luma read in place:
 * enough to rank frames of one video against each other (the same scale for all), at a fraction of
 * the cost of measureSharpness, whose resampling and contrast stretch make scores comparable across photos.
 */
export function rankingSharpness(image: RgbImage, rect: Rect): number {
  return sampledSharpness(image, rect, 3);
}

/** The same on a one-byte-a-pixel luma plane (a frame's Y, as ffmpeg writes `gray`). */
export function rankingSharpnessGrey(image: RgbImage, rect: Rect): number {
  return sampledSharpness(image, rect, 1);
}

function sampledSharpness(image: RgbImage, rect: Rect, channels: 1 | 3): number {
  const r = clampRect(rect, image);
  const step = Math.max(1, Math.floor((r.x1 - r.x0) / SHARPNESS_WIDTH));
  const w = Math.floor((r.x1 - r.x0) / step);
  const h = Math.floor((r.y1 - r.y0) / step);
  if (w < 3 || h < 3) return 0;
  const grid = new Float32Array(w * h);
  const { data, width } = image;
  for (let gy = 0; gy < h; gy++) {
    let i = ((r.y0 + gy * step) * width + r.x0) * channels;
    for (let gx = 0; gx < w; gx++, i += step * channels) grid[gy * w + gx] = channels === 1 ? data[i]! : luma(data[i]!, data[i + 1]!, data[i + 2]!);
  }
  return laplacianVariance(grid, w, h);
}

/** Variance of the 4-neighbour Laplacian over the interior of a w×h grey grid. */
export function laplacianVariance(grey: Float32Array, w: number, h: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const lap = 4 * grey[i] - grey[i - 1] - grey[i + 1] - grey[i - w] - grey[i + w];
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/**
 * Luma of a region resampled to w×h: area averaging when shrinking (no aliasing to fake detail),
 * bilinear when enlarging (no blocks to fake edges).
 */
function resampleLuma(image: RgbImage, r: Rect, w: number, h: number): Float32Array {
  const srcW = r.x1 - r.x0;
  const srcH = r.y1 - r.y0;
  const out = new Float32Array(w * h);
  const at = (x: number, y: number) => {
    const i = ((r.y0 + y) * image.width + r.x0 + x) * 3;
    return luma(image.data[i], image.data[i + 1], image.data[i + 2]);
  };
  const sx = srcW / w;
  const sy = srcH / h;
  if (sx >= 1 && sy >= 1) {
    for (let oy = 0; oy < h; oy++) {
      const y0 = Math.floor(oy * sy);
      const y1 = Math.max(y0 + 1, Math.floor((oy + 1) * sy));
      for (let ox = 0; ox < w; ox++) {
        const x0 = Math.floor(ox * sx);
        const x1 = Math.max(x0 + 1, Math.floor((ox + 1) * sx));
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += at(x, y);
        out[oy * w + ox] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
    return out;
  }
  for (let oy = 0; oy < h; oy++) {
    const fy = Math.min(srcH - 1, Math.max(0, (oy + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(srcH - 1, y0 + 1);
    const ty = fy - y0;
    for (let ox = 0; ox < w; ox++) {
      const fx = Math.min(srcW - 1, Math.max(0, (ox + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(srcW - 1, x0 + 1);
      const tx = fx - x0;
      const top = at(x0, y0) * (1 - tx) + at(x1, y0) * tx;
      const bottom = at(x0, y1) * (1 - tx) + at(x1, y1) * tx;
      out[oy * w + ox] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
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

function percentile(histogram: Uint32Array, total: number, share: number): number {
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v];
    if (seen >= total * share) return v;
  }
  return 255;
}

/** The BT.601 luma of every pixel, 0–255, row by row. */
export function lumaPlane(image: RgbImage): Float32Array {
  const grey = new Float32Array(image.width * image.height);
  for (let i = 0; i < grey.length; i++) grey[i] = luma(image.data[i * 3]!, image.data[i * 3 + 1]!, image.data[i * 3 + 2]!);
  return grey;
}
