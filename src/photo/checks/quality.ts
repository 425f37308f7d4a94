/** Sharpness and exposure of the face. */
import type { DetectedFace, Point } from '../../models/detect.js';
import type { LumaStats, Rect } from '../../image/measures.js';
import { lumaStats, measureSharpness } from '../../image/measures.js';
import type { RgbImage } from '../../image/decode.js';
import type { PhotoSpec } from '../../core/spec.js';
import type { Check } from '../types.js';
import { SKIPPED_NO_FACE, result, skipped } from './check.js';
import { round } from '../../core/stats.js';

/** The face from brows to chin, jaw to jaw. */
export function faceRect(landmarks: Point[]): Rect {
  const xs = landmarks.map((p) => p.x);
  const ys = landmarks.map((p) => p.y);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/**
 * Cheek rectangles (left and right as seen): under each eye, from a quarter of the way down to the
 * nose base until the nose base, between the eye's corners. Clear of eyes, brows, nose and hair.
 */
export function cheekRects(lm: Point[]): [Rect, Rect] {
  const rect = (outer: number, inner: number, lids: number[]): Rect => {
    const eyeBottom = Math.max(...lids.map((i) => lm[i].y));
    const noseBase = lm[33].y;
    return {
      x0: Math.min(lm[outer].x, lm[inner].x),
      x1: Math.max(lm[outer].x, lm[inner].x),
      y0: eyeBottom + 0.25 * (noseBase - eyeBottom),
      y1: noseBase,
    };
  };
  return [rect(36, 39, [40, 41]), rect(45, 42, [46, 47])];
}

export function checkSharpness(image: RgbImage, face: DetectedFace | undefined, spec: PhotoSpec): Check {
  const limit = { minSharpness: spec.minSharpness };
  if (!face) return skipped('sharpness', 'error', limit, SKIPPED_NO_FACE);
  const sharpness = measureSharpness(image, faceRect(face.landmarks));
  const passed = sharpness >= spec.minSharpness;
  return result('sharpness', 'error', passed, { sharpness: round(sharpness, 1) }, limit, passed
    ? { zh: '面部清晰。', en: 'The face is sharp.' }
    : { zh: '照片模糊，请对焦清晰、保持不动后重新拍摄。', en: 'The photo is blurred: focus on the face and hold still.' });
}

export interface ExposureMeasure {
  face: LumaStats;
  left: LumaStats;
  right: LumaStats;
}

export function measureExposure(image: RgbImage, face: DetectedFace): ExposureMeasure {
  const [l, r] = cheekRects(face.landmarks);
  const left = lumaStats(image, l);
  const right = lumaStats(image, r);
  const pixels = left.pixels + right.pixels;
  const weighted = (k: 'mean' | 'clipped') => (pixels ? (left[k] * left.pixels + right[k] * right.pixels) / pixels : 0);
  return { face: { mean: weighted('mean'), clipped: weighted('clipped'), pixels }, left, right };
}

export function checkExposure(measure: ExposureMeasure | undefined, spec: PhotoSpec): Check {
  const e = spec.exposure;
  const limit = { faceLuma: [e.minFaceLuma, e.maxFaceLuma], maxClippedShare: e.maxClipped, maxSideDifference: e.maxSideDifference };
  if (!measure) return skipped('exposure', 'error', limit, SKIPPED_NO_FACE);
  const side = Math.abs(measure.left.mean - measure.right.mean);
  const measured = {
    faceLuma: round(measure.face.mean, 1),
    clippedShare: round(measure.face.clipped, 3),
    sideDifference: round(side, 1),
  };
  if (measure.face.mean < e.minFaceLuma) {
    return result('exposure', 'error', false, measured, limit, { zh: '照片太暗，请在光线充足处重新拍摄。', en: 'The photo is too dark: take it again in good light.' });
  }
  if (measure.face.mean > e.maxFaceLuma || measure.face.clipped > e.maxClipped) {
    return result('exposure', 'error', false, measured, limit, { zh: '照片过亮（面部过曝），请避免强光直射。', en: 'The photo is too bright (the face is washed out): avoid direct strong light.' });
  }
  if (side > e.maxSideDifference) {
    return result('exposure', 'error', false, measured, limit, { zh: '面部光线不均匀（一侧明显偏暗），请使用正面均匀的光线。', en: 'The light on the face is uneven (one side is much darker): light the face evenly from the front.' });
  }
  return result('exposure', 'error', true, measured, limit, { zh: '曝光正常。', en: 'The exposure is good.' });
}
