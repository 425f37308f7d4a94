/** faceConsistency: one face, the same person, through the whole recording? */
import { argmax, median, round } from '../../core/stats.js';
import { cosine } from '../../models/embed.js';
import type { TrackedFrame } from '../tracking.js';
import { LIVENESS_LIMITS, type LivenessCode, type SignalOf } from '../types.js';
import { signal } from './signal.js';


// Faces compared for consistency: raw embedding length (upright clear faces ~3.4–4) and yaw ratio.
const MIN_COMPARABLE_NORM = 2.5;
const MAX_COMPARABLE_YAW = 0.35;

export function consistencySignal(frames: TrackedFrame[], around: TrackedFrame[]): SignalOf<'faceConsistency'> {
  const detected = frames.filter((f) => f.faces >= 0);
  // Visibility is judged over the speech; other faces and other people over the whole video.
  const oneFace = detected.filter((f) => f.faces >= 1 && !f.crowded).length / Math.max(1, detected.length);
  const crowded = [...detected, ...around].filter((f) => f.crowded).length;
  frames = [...frames, ...around];
  // Only faces fit to be compared: near-frontal and clear. A head turned to profile, or a blurred frame,
  // embeds far from the same person's frontal face (measured: FACE_CHANGED on real videos of people
  // turning their heads, eval:liveness) and says nothing about who it is.
  const embeddings = frames.flatMap((f) =>
    f.embedding && f.embeddingNorm! >= MIN_COMPARABLE_NORM && f.yawRatio! <= MAX_COMPARABLE_YAW ? [f.embedding] : [],
  );
  // The video's own face: the medoid (the frame most like the others). Another person in even half the
  // frames sits far from it; one blurred or turned frame is not enough to call the face changed.
  let lowest: number | null = null;
  let unlike = 0;
  if (embeddings.length >= 2) {
    const medoid = embeddings[argmax(embeddings.map((e) => median(embeddings.filter((d) => d !== e).map((d) => cosine(e, d)))))]!;
    const similarities = embeddings.filter((e) => e !== medoid).map((e) => cosine(e, medoid));
    lowest = Math.min(...similarities);
    unlike = similarities.filter((v) => v < LIVENESS_LIMITS.minSameFaceSimilarity).length;
  }
  const codes: LivenessCode[] = [];
  // A second person is one seen in two detections (a second apart) or more: one detection alone was a
  // false face in the background of a real speaker's video (eval:liveness, talking-demo3_video).
  const others = crowded >= LIVENESS_LIMITS.minFramesWithSecondFace;
  if (oneFace < LIVENESS_LIMITS.minOneFaceShare && !others) codes.push('FACE_NOT_VISIBLE');
  if (others) codes.push('MULTIPLE_FACES');
  if (unlike >= Math.max(2, Math.ceil(0.15 * embeddings.length))) codes.push('FACE_CHANGED');
  return signal(
    'faceConsistency',
    codes,
    { oneFaceShare: round(oneFace, 3), framesWithSeveralFaces: crowded, lowestSimilarity: lowest === null ? null : round(lowest, 4), framesUnlikeTheFace: unlike, framesCompared: embeddings.length, detectedFrames: detected.length },
    { minOneFaceShare: LIVENESS_LIMITS.minOneFaceShare, minSameFaceSimilarity: LIVENESS_LIMITS.minSameFaceSimilarity, maxFramesUnlike: 'fewer than 2, and fewer than 15% of the frames compared' },
    {
      FACE_NOT_VISIBLE: { en: 'Your face is not visible for the whole recording. Keep your face in the frame.', zh: '录制过程中人脸未始终可见。请保持面部在画面内。' },
      MULTIPLE_FACES: { en: 'Another person appears in the video. Only the applicant may be in view.', zh: '视频中出现其他人。镜头前只能有考生本人。' },
      FACE_CHANGED: { en: 'The person in the video changes. The applicant must record the whole video.', zh: '视频中的人发生了变化。须由考生本人完成全部录制。' },
    },
  );
}

