/**
 * Perspective: the homography that takes four points to four others, and an image resampled through one
 * (bilinear). Used to square a card photographed at an angle, and by the corpus to photograph one so.
 */
import type { Point } from '../core/geometry.js';

export type { Point };

/** A 3 × 3 matrix, row-major, h[8] = 1. */
export type Homography = readonly number[];

/**
 * The homography H with H·from[i] ∝ to[i] for the four pairs (direct linear transform, 8 × 8 system solved by
 * Gaussian elimination with partial pivoting). Undefined when three of either four are on one line.
 */
export function homography(from: readonly Point[], to: readonly Point[]): Homography | undefined {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [{ x, y }, { x: u, y: v }] = [from[i]!, to[i]!];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) return undefined;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return [...Array.from({ length: 8 }, (_, i) => a[i]![8]! / a[i]![i]!), 1];
}

/** H applied to a point. */
export function project(h: Homography, p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

/** Interleaved pixels of any channel count. */
export interface Raster {
  data: Uint8Array | Buffer;
  width: number;
  height: number;
  channels: number;
}

/**
 * A width × height image whose pixel (x, y) is `source` at `toSource`·(x, y), sampled bilinearly; pixels that
 * fall outside the source get `background` (one value a channel).
 */
export function warp(source: Raster, toSource: Homography, width: number, height: number, background: readonly number[]): Raster {
  const { data, width: W, height: H, channels: C } = source;
  const out = Buffer.alloc(width * height * C);
  const h = toSource;
  if (W < 2 || H < 2) {
    for (let i = 0; i < width * height; i++) for (let c = 0; c < C; c++) out[i * C + c] = background[c] ?? 0;
    return { data: out, width, height, channels: C };
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = h[6]! * x + h[7]! * y + h[8]!;
      const sx = (h[0]! * x + h[1]! * y + h[2]!) / w;
      const sy = (h[3]! * x + h[4]! * y + h[5]!) / w;
      const o = (y * width + x) * C;
      if (!(sx >= 0 && sy >= 0 && sx <= W - 1 && sy <= H - 1)) {
        for (let c = 0; c < C; c++) out[o + c] = background[c] ?? 0;
        continue;
      }
      const [x0, y0] = [Math.min(W - 2, Math.floor(sx)), Math.min(H - 2, Math.floor(sy))];
      const [fx, fy] = [sx - x0, sy - y0];
      const i = (y0 * W + x0) * C;
      const j = i + W * C;
      for (let c = 0; c < C; c++) {
        const top = data[i + c]! + fx * (data[i + C + c]! - data[i + c]!);
        const bottom = data[j + c]! + fx * (data[j + C + c]! - data[j + c]!);
        out[o + c] = Math.round(top + fy * (bottom - top));
      }
    }
  }
  return { data: out, width, height, channels: C };
}
