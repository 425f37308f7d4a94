/**
 * The face in its own frame: a small grey image of the face, registered on the points of the face that
 * speech does not move (eye corners, nose), so that what changes inside it from frame to frame is the
 * face's own non-rigid motion. A photo moved, tilted or zoomed in front of the camera, or one frame
 * warped along a head's track, changes in it only by noise and registration error, and does so as much
 * at the mouth as beside the nose; a speaker's mouth changes more than the rest.
 */
import type { Point } from '../core/geometry.js';
import type { RgbImage } from '../image/decode.js';

/** Size of the face frame, pixels: eye centres at (20, 26) and (44, 26), 24 px apart. */
export const FACE_FRAME = { width: 64, height: 80 } as const;

// The 68-point landmarks that speech does not move (eye corners, nose bridge and base), and where they lie
// in the face frame: their mean over the real talking videos of eval:liveness, placed by the eye centres.
const RIGID: ReadonlyArray<readonly [index: number, x: number, y: number]> = [
  [36, 15.6, 25.7], [39, 24.7, 26.3], [42, 39.3, 26.2], [45, 48.4, 25.8],
  [27, 31.8, 26.5], [28, 31.8, 31.1], [29, 31.5, 35.3], [30, 31.2, 39.5],
  [31, 27.7, 42.4], [33, 31.9, 43.6], [35, 36.4, 42.6],
];

/** Regions of the face frame, [x0, x1) × [y0, y1): the mouth, and beside the nose as the rigid control. */
export const MOUTH_REGION = { x0: 18, x1: 46, y0: 50, y1: 66 } as const;
export const CONTROL_REGION = { x0: 12, x1: 52, y0: 32, y1: 46 } as const;
export type Region = typeof MOUTH_REGION | typeof CONTROL_REGION;

/**
 * The grey face frame of one image: the affine map that takes the rigid landmarks nearest to their place
 * in the face frame (least squares: an affine map also undoes the foreshortening of a tilted photo), and
 * bilinear samples of the image's luma through it. Null when the map is degenerate.
 */
export function faceFrame(image: RgbImage, landmarks: readonly Point[]): Uint8Array | null {
  // Frame → image: u, v in the face frame to x, y in the image, fitted on the rigid points.
  const map = fitAffine(RIGID.map(([, u, v]) => ({ x: u, y: v })), RIGID.map(([i]) => landmarks[i]!));
  if (!map) return null;
  const { width, height } = FACE_FRAME;
  const out = new Uint8Array(width * height);
  const { data, width: w, height: h } = image;
  const luma = (x: number, y: number) => {
    const k = (y * w + x) * 3;
    return 0.299 * data[k]! + 0.587 * data[k + 1]! + 0.114 * data[k + 2]!;
  };
  const [a, b, c, d, e, f] = map;
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

/** Mean absolute grey-level change of a region between two face frames. */
export function regionChange(a: Uint8Array, b: Uint8Array, r: Region): number {
  const { width } = FACE_FRAME;
  let sum = 0;
  for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) sum += Math.abs(a[y * width + x]! - b[y * width + x]!);
  return sum / ((r.x1 - r.x0) * (r.y1 - r.y0));
}

/** Mean gradient magnitude (central differences) of a region of a face frame: its texture, grey levels per pixel. */
export function regionTexture(a: Uint8Array, r: Region): number {
  const { width } = FACE_FRAME;
  let sum = 0;
  for (let y = r.y0; y < r.y1; y++) {
    for (let x = r.x0; x < r.x1; x++) {
      const gx = (a[y * width + x + 1]! - a[y * width + x - 1]!) / 2;
      const gy = (a[(y + 1) * width + x]! - a[(y - 1) * width + x]!) / 2;
      sum += Math.hypot(gx, gy);
    }
  }
  return sum / ((r.x1 - r.x0) * (r.y1 - r.y0));
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
