/**
 * Measures read off the 68 iBUG landmarks (0–16 jaw, 17–26 brows, 27–35 nose, 36–47 eyes, 48–67 mouth).
 * "Left"/"right" are as seen in the image.
 */
import type { Point } from './detect.js';

const mean = (points: Point[]): Point => ({
  x: points.reduce((s, p) => s + p.x, 0) / points.length,
  y: points.reduce((s, p) => s + p.y, 0) / points.length,
});
const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);
const deg = (rad: number) => (rad * 180) / Math.PI;

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
  /** Eye aspect ratio (mean height / width) of each eye: about 0.25–0.35 open, under 0.15 closed. */
  eyeOpenness: { left: number; right: number };
  /** Approximate head pose in degrees from 2D landmarks: yaw + = turned to the image's right, pitch + = chin up, roll + = clockwise. */
  pose: { yaw: number; pitch: number; roll: number };
}

function eyeAspect(eye: Point[]): number {
  const [p1, p2, p3, p4, p5, p6] = eye;
  return (dist(p2, p6) + dist(p3, p5)) / (2 * dist(p1, p4));
}

// Nose-tip protrusion relative to half the face width (anthropometric average ≈ 0.5): turns the
// left/right asymmetry of the nose tip into a yaw angle.
const NOSE_DEPTH_RATIO = 0.5;
// Frontal position of the nose tip between eye line and chin (share of that distance), and the
// depth ratio for pitch, from the frontal photos in ../shared/data (npm run eval).
const FRONTAL_NOSE_HEIGHT = 0.42;
const PITCH_DEPTH_RATIO = 0.6;
const SYMMETRIC_PAIRS: ReadonlyArray<readonly [number, number]> = [[0, 16], [1, 15], [2, 14], [3, 13], [36, 45]];

export function faceGeometry(landmarks: Point[]): FaceGeometry {
  const leftEye = mean(landmarks.slice(36, 42));
  const rightEye = mean(landmarks.slice(42, 48));
  const chin = landmarks[8];
  const noseTip = landmarks[30];
  const roll = Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x);

  // Undo the roll around the eye midpoint so that yaw and pitch read along the face's own axes.
  const centre = mean([leftEye, rightEye]);
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  const upright = (p: Point): Point => ({
    x: centre.x + (p.x - centre.x) * cos - (p.y - centre.y) * sin,
    y: centre.y + (p.x - centre.x) * sin + (p.y - centre.y) * cos,
  });
  const nose = upright(noseTip);
  const chinU = upright(chin);
  // Asymmetry of the nose tip between symmetric landmark pairs (jaw outline, outer eye corners),
  // averaged: single jaw points from a 68-point model are noisy.
  let asymmetry = 0;
  for (const [l, r] of SYMMETRIC_PAIRS) {
    const toLeft = nose.x - upright(landmarks[l]).x;
    const toRight = upright(landmarks[r]).x - nose.x;
    asymmetry += (toLeft - toRight) / Math.max(1e-6, toLeft + toRight);
  }
  asymmetry /= SYMMETRIC_PAIRS.length;
  const yaw = deg(Math.atan(asymmetry / NOSE_DEPTH_RATIO));
  const noseHeight = (nose.y - centre.y) / Math.max(1e-6, chinU.y - centre.y);
  const pitch = deg(Math.atan((FRONTAL_NOSE_HEIGHT - noseHeight) / PITCH_DEPTH_RATIO));

  const browY = (Math.max(...landmarks.slice(17, 22).map((p) => p.y)) + Math.max(...landmarks.slice(22, 27).map((p) => p.y))) / 2;
  return {
    leftEye,
    rightEye,
    browY,
    chin,
    noseTip,
    interocular: dist(leftEye, rightEye),
    eyeOpenness: { left: eyeAspect(landmarks.slice(36, 42)), right: eyeAspect(landmarks.slice(42, 48)) },
    pose: { yaw, pitch, roll: deg(roll) },
  };
}
