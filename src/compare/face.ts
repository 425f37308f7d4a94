/** One face, as compareFaces measures it: fr_landmark's points on its box, its roll and its quality. */
import { distance } from '../core/geometry.js';
import { round } from '../core/stats.js';
import type { RgbImage } from '../image/decode.js';
import { laplacianVariance, lumaPlane } from '../image/measures.js';
import { fivePoints, yawRatio } from '../models/align.js';
import type { DetectedFace, Point } from '../models/detect.js';
import { onnxLandmarks } from '../models/landmarks.js';
import type { FaceQuality } from './types.js';

/** The face with fr_landmark's 68 points on its box: they align better than face-api's, ~5× faster (eval/results/face-models.md). */
export async function withLandmarks(image: RgbImage, face: DetectedFace): Promise<DetectedFace> {
  return { ...face, landmarks: await onnxLandmarks(image, face.box) };
}

export function rollDeg(landmarks: readonly Point[]): number {
  const [le, re] = fivePoints(landmarks);
  return (Math.atan2(re!.y - le!.y, re!.x - le!.x) * 180) / Math.PI;
}

export function faceQuality(face: DetectedFace, crop: RgbImage, scale: number, norm: number): FaceQuality {
  const [le, re] = fivePoints(face.landmarks);
  const eyeDistance = Math.hypot(re!.x - le!.x, re!.y - le!.y);
  const grey = lumaPlane(crop);
  return {
    score: round(face.score, 3),
    eyeDistancePx: round(eyeDistance * scale, 1),
    sharpness: round(laplacianVariance(grey, crop.width, crop.height), 1),
    yawRatio: round(yawRatio(face.landmarks), 3),
    embeddingNorm: round(norm, 2),
  };
}

