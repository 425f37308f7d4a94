/**
 * The face in its own frame: a small grey image of the face, registered on the points of the face that
 * speech does not move (eye corners, nose), so that what moves inside it from frame to frame is the
 * face's own non-rigid motion. In a photo moved, tilted or zoomed in front of the camera, or one frame
 * warped along a head's track, the upper and lower lip move together, as the nose's bridge and base do:
 * only by the registration's error. A speaker's lips move apart and together.
 */
import type { Point } from '../core/geometry.js';
import type { RgbImage } from '../image/decode.js';

/** Size of the face frame, pixels: eye centres at (20, 26) and (44, 26), 24 px apart. */
export const FACE_FRAME = { width: 64, height: 80 } as const;
export const FACE_FRAME_EYE_DISTANCE = 24;

// The 68-point landmarks that speech does not move (eye corners, nose bridge and base), and where they lie
// in the face frame: their mean over the real talking videos of eval:liveness, placed by the eye centres.
const RIGID: ReadonlyArray<readonly [index: number, x: number, y: number]> = [
  [36, 15.6, 25.7], [39, 24.7, 26.3], [42, 39.3, 26.2], [45, 48.4, 25.8],
  [27, 31.8, 26.5], [28, 31.8, 31.1], [29, 31.5, 35.3], [30, 31.2, 39.5],
  [31, 27.7, 42.4], [33, 31.9, 43.6], [35, 36.4, 42.6],
];

/** A band of the face frame, [x0, x1) × [y0, y1). */
export interface Band {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}
/**
 * The lips, as two bands 10 px apart, and a rigid pair as far apart on the nose: speech moves the upper
 * and lower lip apart and together; nothing moves the nose's bridge against its base but the registration's
 * error, which the pair measures.
 */
export const UPPER_LIP: Band = { x0: 20, x1: 44, y0: 47, y1: 55 };
export const LOWER_LIP: Band = { x0: 20, x1: 44, y0: 57, y1: 67 };
export const NOSE_BRIDGE: Band = { x0: 24, x1: 40, y0: 26, y1: 34 };
export const NOSE_BASE: Band = { x0: 24, x1: 40, y0: 36, y1: 44 };
// How far a band is searched for its shift, face-frame pixels (the lips move up to ~2.5 px in 0.1 s), and
// in what steps. The frame must hold the bands and this margin inside the image.
const REACH = { x: 2, y: 3 } as const;
const STEP = 0.25;
const INSIDE = { x0: 16, x1: 48, y0: 22, y1: 71 } as const;

/**
 * The grey face frame of one image: the affine map that takes the rigid landmarks nearest to their place
 * in the face frame (least squares: an affine map also undoes the foreshortening of a tilted photo), and
 * bilinear samples of the image's luma through it. Null when the map is degenerate, or when the lips and
 * the nose (with the margin their shifts are searched in) are not all inside the image: the image's edge
 * moving across a band would read as motion.
 */
export function faceFrame(image: RgbImage, landmarks: readonly Point[]): Uint8Array | null {
  // Frame → image: u, v in the face frame to x, y in the image, fitted on the rigid points.
  const map = fitAffine(RIGID.map(([, u, v]) => ({ x: u, y: v })), RIGID.map(([i]) => landmarks[i]!));
  if (!map) return null;
  const [a, b, c, d, e, f] = map;
  const inside = (u: number, v: number) => {
    const x = a * u + b * v + c;
    const y = d * u + e * v + f;
    return x >= 0 && y >= 0 && x + 1 < image.width && y + 1 < image.height;
  };
  // An affine map takes the rectangle's corners to the corners of its image: they are enough.
  if (![inside(INSIDE.x0, INSIDE.y0), inside(INSIDE.x1, INSIDE.y0), inside(INSIDE.x0, INSIDE.y1), inside(INSIDE.x1, INSIDE.y1)].every(Boolean)) return null;
  const { width, height } = FACE_FRAME;
  const out = new Uint8Array(width * height);
  const { data, width: w, height: h } = image;
  const luma = (x: number, y: number) => {
    const k = (y * w + x) * 3;
    return 0.299 * data[k]! + 0.587 * data[k + 1]! + 0.114 * data[k + 2]!;
  };
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const x = a * u + b * v + c;
      const y = d * u + e * v + f;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) continue;
      const fx = x - x0;
      const fy = y - y0;
      out[v * width + u] = Math.round(
        luma(x0, y0) * (1 - fx) * (1 - fy) + luma(x0 + 1, y0) * fx * (1 - fy) + luma(x0, y0 + 1) * (1 - fx) * fy + luma(x0 + 1, y0 + 1) * fx * fy,
      );
    }
  }
  return out;
}

/**
 * How far a band moved down from frame `a` to frame `b`, face-frame pixels: the shift (within REACH, to a
 * STEP) that matches it best by the sum of absolute differences, bilinear between pixels. A match, not a
 * gradient: the lips move farther in a frame step than a linearised flow holds.
 */
export function verticalShift(a: Uint8Array, b: Uint8Array, band: Band): number {
  // Whole pixels over the reach, then quarter pixels around the best: 35 + 48 matches, not the 425 of a
  // quarter-pixel grid over it. The same shift in 99.7% of 11,000 band matches on the corpus's faces.
  let best = { cost: Infinity, dx: 0, dy: 0 };
  for (let dy = -REACH.y; dy <= REACH.y; dy++) for (let dx = -REACH.x; dx <= REACH.x; dx++) best = better(best, dx, dy, mismatch(a, b, band, dx, dy));
  const coarse = best;
  for (let j = -3; j <= 3; j++) {
    for (let i = -3; i <= 3; i++) {
      const dx = coarse.dx + i * STEP;
      const dy = coarse.dy + j * STEP;
      if (Math.abs(dx) <= REACH.x && Math.abs(dy) <= REACH.y && (i || j)) best = better(best, dx, dy, mismatch(a, b, band, dx, dy));
    }
  }
  return best.dy;
}

// Ties go to the smaller shift: a featureless band has not moved.
function better(best: { cost: number; dx: number; dy: number }, dx: number, dy: number, cost: number) {
  return cost < best.cost - 1e-9 || (cost <= best.cost + 1e-9 && Math.hypot(dx, dy) < Math.hypot(best.dx, best.dy)) ? { cost, dx, dy } : best;
}

/** Sum of absolute differences between a band of `a` and `b` shifted by (dx, dy), bilinear. */
function mismatch(a: Uint8Array, b: Uint8Array, band: Band, dx: number, dy: number): number {
  const { width } = FACE_FRAME;
  const ox = Math.floor(dx);
  const oy = Math.floor(dy);
  const fx = dx - ox;
  const fy = dy - oy;
  const w00 = (1 - fx) * (1 - fy);
  const w01 = fx * (1 - fy);
  const w10 = (1 - fx) * fy;
  const w11 = fx * fy;
  let sum = 0;
  for (let y = band.y0; y < band.y1; y++) {
    let k = (y + oy) * width + band.x0 + ox;
    let j = y * width + band.x0;
    for (let x = band.x0; x < band.x1; x++, k++, j++) sum += Math.abs(b[k]! * w00 + b[k + 1]! * w01 + b[k + width]! * w10 + b[k + width + 1]! * w11 - a[j]!);
  }
  return sum;
}

/** Least-squares affine map from `from` to `to`: [a, b, c, d, e, f] with x = a·u + b·v + c, y = d·u + e·v + f. */
function fitAffine(from: readonly Point[], to: readonly Point[]): [number, number, number, number, number, number] | null {
  // Normal equations of [u v 1]·m = x (and y): one 3×3 system, two right-hand sides.
  const m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const rx = [0, 0, 0];
  const ry = [0, 0, 0];
  for (let i = 0; i < from.length; i++) {
    const row = [from[i]!.x, from[i]!.y, 1];
    for (let j = 0; j < 3; j++) {
      for (let k = 0; k < 3; k++) m[j]![k]! += row[j]! * row[k]!;
      rx[j]! += row[j]! * to[i]!.x;
      ry[j]! += row[j]! * to[i]!.y;
    }
  }
  const sx = solve3(m, rx);
  const sy = solve3(m, ry);
  if (!sx || !sy || ![...sx, ...sy].every(Number.isFinite)) return null;
  // A map that squashes the face to a line (landmarks on top of one another) is no registration.
  if (Math.abs(sx[0] * sy[1] - sx[1] * sy[0]) < 1e-3) return null;
  return [sx[0], sx[1], sx[2], sy[0], sy[1], sy[2]];
}

/** Cramer's rule for a 3×3 system. */
function solve3(m: number[][], r: number[]): [number, number, number] | null {
  const det = (a: number[][]) =>
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) - a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) + a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
  const d = det(m);
  if (Math.abs(d) < 1e-9) return null;
  const col = (k: number) => det(m.map((row, i) => row.map((v, j) => (j === k ? r[i]! : v))));
  return [col(0) / d, col(1) / d, col(2) / d];
}
