/**
 * Points read off the 68 iBUG landmarks (0–16 jaw, 17–26 brows, 27–35 nose, 36–47 eyes, 48–67 mouth).
 * Eye openness and head pose come from the face mesh and iris models (mesh.ts).
 */
import type { Point } from '../core/geometry.js';

export interface FaceGeometry {
  /** Mean of the two brows' lowest points, pixels from the top (the eyebrow line). */
  browY: number;
  /** Lowest point of the chin (landmark 8). */
  chin: Point;
}

export function faceGeometry(landmarks: Point[]): FaceGeometry {
  const lowest = (from: number, to: number) => Math.max(...landmarks.slice(from, to).map((p) => p.y));
  return { browY: (lowest(17, 22) + lowest(22, 27)) / 2, chin: landmarks[8] };
}
