/** faceConsistency: one face, the same person, through the whole recording? */
import { argmax, median, round } from '../../core/stats.js';
import { cosine } from '../../models/embed.js';
import type { TrackedFrame } from '../tracking.js';
import { LIVENESS_LIMITS, type LivenessCode, type SignalOf } from '../types.js';
import { signal } from './signal.js';


// Faces compared for consistency: raw embedding length (upright clear faces ~3.4–4) and yaw ratio.
const MIN_COMPARABLE_NORM = 2.5;
const MAX_COMPARABLE_YAW = 0.35;
// Faces in the run test: a looser gate, as a run is compared by the median over all its pairs, and one
// blurred or turned face among them moves it little. At 2.5 a switch to a person whose face embeds short
// (2.0–2.4 in every frame of one 224-px VoxCeleb clip) was never compared: three face-switch attacks
// passed with 0–1 unlike frames (eval:liveness).
const MIN_RUN_NORM = 2.0;
const MAX_RUN_YAW = 0.5;
// The fewest faces in a run, and outside it: 0.9 s of the speech's at an embedding every 0.3 s.
const MIN_RUN = 3;

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
  // Another person for a stretch of the video: a run of consecutive faces (the speech's and those outside
  // it, in time order) whose median similarity to all the other faces is below the same-face limit.
  const run = changedRun(
    frames.filter((f) => f.embedding && f.embeddingNorm! >= MIN_RUN_NORM && f.yawRatio! <= MAX_RUN_YAW).sort((a, b) => a.t - b.t).map((f) => f.embedding!),
    MIN_RUN,
  );
  const codes: LivenessCode[] = [];
  // A second person is one seen in two detections (a second apart) or more: one detection alone was a
  // false face in the background of a real speaker's video (eval:liveness, talking-demo3_video).
  const others = crowded >= LIVENESS_LIMITS.minFramesWithSecondFace;
  if (oneFace < LIVENESS_LIMITS.minOneFaceShare && !others) codes.push('FACE_NOT_VISIBLE');
  if (others) codes.push('MULTIPLE_FACES');
  if (unlike >= Math.max(2, Math.ceil(0.15 * embeddings.length)) || (run !== null && run.similarity < LIVENESS_LIMITS.minSameFaceSimilarity)) codes.push('FACE_CHANGED');
  return signal(
    'faceConsistency',
    codes,
    { oneFaceShare: round(oneFace, 3), framesWithSeveralFaces: crowded, lowestSimilarity: lowest === null ? null : round(lowest, 4), framesUnlikeTheFace: unlike, framesCompared: embeddings.length, runSimilarity: run === null ? null : round(run.similarity, 4), runFaces: run?.length ?? 0, detectedFrames: detected.length },
    { minOneFaceShare: LIVENESS_LIMITS.minOneFaceShare, minSameFaceSimilarity: LIVENESS_LIMITS.minSameFaceSimilarity, maxFramesUnlike: 'fewer than 2, and fewer than 15% of the frames compared', minRunFaces: MIN_RUN },
    {
      FACE_NOT_VISIBLE: { en: 'Your face is not visible for the whole recording. Keep your face in the frame.', zh: '录制过程中人脸未始终可见。请保持面部在画面内。' },
      MULTIPLE_FACES: { en: 'Another person appears in the video. Only the applicant may be in view.', zh: '视频中出现其他人。镜头前只能有考生本人。' },
      FACE_CHANGED: { en: 'The person in the video changes. The applicant must record the whole video.', zh: '视频中的人发生了变化。须由考生本人完成全部录制。' },
    },
  );
}


/**
 * The run of consecutive faces (at least `minRun`, with at least `minRun` others) least like all the other
 * faces: the median cosine similarity over every pair of a face in the run and one outside it. A change
 * of person part-way (A then B, or A, B, A) makes B's run unlike A's faces in every pair; a real speaker's
 * turned or blurred faces lower some pairs, not the median. Null with fewer than 2 × `minRun` faces.
 */
export function changedRun(faces: readonly Float32Array[], minRun: number): { similarity: number; from: number; length: number } | null {
  const n = faces.length;
  if (n < 2 * minRun) return null;
  const sim = faces.map((a) => faces.map((b) => cosine(a, b)));
  const pairs = new Float64Array(n * n);
  let best: { similarity: number; from: number; length: number } | null = null;
  for (let from = 0; from < n; from++) {
    for (let to = from + minRun; to <= n && n - (to - from) >= minRun; to++) {
      let m = 0;
      for (let i = from; i < to; i++) for (let j = 0; j < n; j++) if (j < from || j >= to) pairs[m++] = sim[i]![j]!;
      const similarity = middle(pairs, m);
      if (!best || similarity < best.similarity) best = { similarity, from, length: to - from };
    }
  }
  return best;
}

/** The median of the first `m` values (reordered in place): Hoare's selection, without sorting them all. */
function middle(values: Float64Array, m: number): number {
  const select = (k: number): number => {
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const pivot = values[(lo + hi) >> 1]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (values[i]! < pivot) i++;
        while (values[j]! > pivot) j--;
        if (i <= j) {
          const v = values[i]!;
          values[i++] = values[j]!;
          values[j--] = v;
        }
      }
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else return values[k]!;
    }
    return values[k]!;
  };
  const upper = select(m >> 1);
  if (m % 2 === 1) return upper;
  // The lower middle is the largest value below the upper one's place.
  let lower = -Infinity;
  for (let i = 0; i < m >> 1; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}
