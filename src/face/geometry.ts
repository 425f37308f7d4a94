/**
 * Points read off the 68 iBUG landmarks (0–16 jaw, 17–26 brows, 27–35 nose, 36–47 eyes, 48–67 mouth).
 * "Left"/"right" are as seen in the image. Eye openness and head pose come from the face mesh (mesh.ts).
 */
import type { Point } from './detect.js';

const mean = (points: Point[]): Point => ({
  x: points.reduce((s, p) => s + p.x, 0) / points.length,
  y: points.reduce((s, p) => s + p.y, 0) / points.length,
});
const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

export interface FaceGeometry {
  /** Centres of the eyes as seen in the image. */
  leftEye: Point;
  rightEye: Point;
  /** Midpoint between the brows' lowest points (eyebrow line). */
  browY: number;
  /** Lowest point of the chin (landmark 8). */
  chin: Point;
  noseTip: Point;
  /** Pixels between the eye centres. */
  interocular: number;
}

export function faceGeometry(landmarks: Point[]): FaceGeometry {
  const leftEye = mean(landmarks.slice(36, 42));
  const rightEye = mean(landmarks.slice(42, 48));
  const chin = landmarks[8];
  const noseTip = landmarks[30];
  const browY = (Math.max(...landmarks.slice(17, 22).map((p) => p.y)) + Math.max(...landmarks.slice(22, 27).map((p) => p.y))) / 2;
  return {
    leftEye,
    rightEye,
    browY,
    chin,
    noseTip,
    interocular: dist(leftEye, rightEye),
  };
}
