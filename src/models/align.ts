import { type RgbImage, cropRgb } from '../image/decode.js';
import type { Point } from '../core/geometry.js';

/**
 * The five reference points of the ArcFace template on a 112×112 crop (InsightFace `arcface_dst`):
 * the image-left eye, the image-right eye, the nose tip, the left and right mouth corners.
 */
export const ARCFACE_TEMPLATE: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/** The five template points from the 68 iBUG landmarks: eye centres (36–41, 42–47), nose tip (30), mouth corners (48, 54). */
export function fivePoints(landmarks: readonly Point[]): Point[] {
  const mean = (from: number, to: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = from; i <= to; i++) {
      x += landmarks[i]!.x;
      y += landmarks[i]!.y;
    }
    return { x: x / (to - from + 1), y: y / (to - from + 1) };
  };
  return [mean(36, 41), mean(42, 47), landmarks[30]!, landmarks[48]!, landmarks[54]!];
}

/** dst = [a −b; b a]·src + t: rotation, uniform scale and shift. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity transform taking `src` onto `dst` (Umeyama without reflection). */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]!.x; sy += src[i]!.y; dx += dst[i]!.x; dy += dst[i]!.y;
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]!.x - sx, py = src[i]!.y - sy;
    const qx = dst[i]!.x - dx, qy = dst[i]!.y - dy;
    num1 += px * qx + py * qy;
    num2 += px * qy - py * qx;
    den += px * px + py * py;
  }
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/**
 * Warps `image` by `t` into a size×size crop, bilinear, black outside the image.
 * A face much larger than the crop is first reduced by sharp (area-averaging), so that the
 * bilinear warp never skips pixels (aliasing would change the embedding).
 */
export async function warpToCrop(image: RgbImage, t: Similarity, size: number): Promise<RgbImage> {
  const scale = Math.hypot(t.a, t.b);
  let source = image;
  let m = t;
  if (scale < 0.6) {
    // The crop's footprint in the source, with a margin, reduced to about twice the crop's resolution.
    const inv = invert(t);
    const corners = [apply(inv, 0, 0), apply(inv, size, 0), apply(inv, 0, size), apply(inv, size, size)];
    const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c.x))) - 2);
    const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c.y))) - 2);
    const x1 = Math.min(image.width, Math.ceil(Math.max(...corners.map((c) => c.x))) + 2);
    const y1 = Math.min(image.height, Math.ceil(Math.max(...corners.map((c) => c.y))) + 2);
    if (x1 - x0 >= 2 && y1 - y0 >= 2) {
      const f = Math.min(1, scale * 2);
      const w = Math.max(1, Math.round((x1 - x0) * f));
      const h = Math.max(1, Math.round((y1 - y0) * f));
      source = await cropRgb(image, { left: x0, top: y0, width: x1 - x0, height: y1 - y0 }, { width: w, height: h });
      const fx = w / (x1 - x0);
      const fy = h / (y1 - y0);
      // src' = f·(src − origin), so dst = M·(src'/f + origin) + t.
      const k = 1 / ((fx + fy) / 2);
      m = { a: t.a * k, b: t.b * k, tx: t.tx + t.a * x0 - t.b * y0, ty: t.ty + t.b * x0 + t.a * y0 };
    }
  }
  return warpBilinear(source, m, size);
}

function invert(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

function apply(t: Similarity, x: number, y: number): Point {
  return { x: t.a * x - t.b * y + t.tx, y: t.b * x + t.a * y + t.ty };
}

function warpBilinear(image: RgbImage, t: Similarity, size: number): RgbImage {
  const inv = invert(t);
  const out = Buffer.alloc(size * size * 3);
  const { data, width, height } = image;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      // Pixel centres: the template is in pixel-index coordinates, as OpenCV's warpAffine uses.
      const sx = inv.a * u - inv.b * v + inv.tx;
      const sy = inv.b * u + inv.a * v + inv.ty;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (v * size + u) * 3;
      for (let c = 0; c < 3; c++) {
        const p00 = sample(data, width, height, x0, y0, c);
        const p10 = sample(data, width, height, x0 + 1, y0, c);
        const p01 = sample(data, width, height, x0, y0 + 1, c);
        const p11 = sample(data, width, height, x0 + 1, y0 + 1, c);
        out[o + c] = Math.round(p00 * (1 - fx) * (1 - fy) + p10 * fx * (1 - fy) + p01 * (1 - fx) * fy + p11 * fx * fy);
      }
    }
  }
  return { data: out, width: size, height: size };
}

function sample(data: Buffer, width: number, height: number, x: number, y: number, c: number): number {
  if (x < 0 || y < 0 || x >= width || y >= height) return 0;
  return data[(y * width + x) * 3 + c]!;
}

/**
 * How far the head is turned: the nose tip's offset from the eyes' midpoint, measured along the eye line
 * (so that a tilted head does not read as a turned one), over the eye distance. 0 frontal, ~0.5 a strong turn.
 */
export function yawRatio(landmarks: readonly Point[]): number {
  const [le, re, nose] = fivePoints(landmarks);
  const ex = re!.x - le!.x;
  const ey = re!.y - le!.y;
  const mx = (le!.x + re!.x) / 2;
  const my = (le!.y + re!.y) / 2;
  return Math.abs(((nose!.x - mx) * ex + (nose!.y - my) * ey) / Math.max(ex * ex + ey * ey, 1e-6));
}
