/** quality: is the face lit, sharp and large enough to judge? */
import { distance } from '../../core/geometry.js';
import { mean, median, round } from '../../core/stats.js';
import { lumaPlane, laplacianVariance } from '../../image/measures.js';
import { fivePoints } from '../../models/align.js';
import type { Point } from '../../core/geometry.js';
import type { TrackedFrame } from '../tracking.js';
import { LIVENESS_LIMITS, type LivenessCode, type SignalOf } from '../types.js';
import { NO_FACE, notMeasured, signal } from './signal.js';

export function qualitySignal(frames: TrackedFrame[], toRecording: number): SignalOf<'quality'> {
  const faces = frames.filter((f) => f.crop && f.landmarks);
  const limit = { minFaceLuma: LIVENESS_LIMITS.minFaceLuma, minFaceSharpness: LIVENESS_LIMITS.minFaceSharpness, minEyeDistancePx: LIVENESS_LIMITS.minEyeDistancePx };
  if (faces.length === 0) return notMeasured('quality', limit, NO_FACE);
  const luma = median(faces.map((f) => mean(lumaPlane(f.crop!))));
  const sharpness = median(faces.map((f) => laplacianVariance(lumaPlane(f.crop!), f.crop!.width, f.crop!.height)));
  const eyes = median(faces.map((f) => eyeDistance(f.landmarks!) * toRecording));
  const codes: LivenessCode[] = [];
  if (luma < LIVENESS_LIMITS.minFaceLuma) codes.push('TOO_DARK');
  if (sharpness < LIVENESS_LIMITS.minFaceSharpness) codes.push('TOO_BLURRY');
  if (eyes < LIVENESS_LIMITS.minEyeDistancePx) codes.push('FACE_TOO_SMALL');
  return signal(
    'quality',
    codes,
    { faceLuma: round(luma, 1), faceSharpness: round(sharpness, 1), eyeDistancePx: round(eyes, 1) },
    limit,
    {
      TOO_DARK: { en: 'The face is too dark. Record facing a light.', zh: '面部太暗。请面向光源录制。' },
      TOO_BLURRY: { en: 'The video is blurred. Hold the phone still, and clean the lens.', zh: '视频模糊。请保持手机稳定并擦拭镜头。' },
      FACE_TOO_SMALL: { en: 'The face is too small. Hold the phone closer.', zh: '人脸太小。请将手机靠近一些。' },
    },
  );
}


export function eyeDistance(l: readonly Point[]): number {
  const [le, re] = fivePoints(l);
  return distance(le!, re!);
}
