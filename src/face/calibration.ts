/**
 * Decision thresholds of compareFaces: cosine similarity of fr_feature.onnx embeddings (ArcFace-aligned from
 * fr_landmark's points on the SSD box, flip-averaged), read off the impostor pairs of ../shared/data by
 * `npm run eval:compare` (eval/results/compare-faces.md, section D) on 2026-11-28. Each is the strictest of five pools:
 *
 * | FAR  | Western, within source, AT&T capped (73,285 pairs) | East-Asian (929 pairs) | all different-identity pairs (197,704) | card simulation, Western (42,331) | card simulation, East-Asian (1,858) |
 * | 1e-2 | 0.298 | **0.391** (Gaussian tail) | 0.279 | 0.246 | 0.366 |
 * | 1e-3 | 0.377 | **0.487** (Gaussian tail) | 0.368 | 0.320 | 0.454 (Gaussian tail) |
 * | 1e-4 | –     | **0.566** (Gaussian tail) | 0.429 | 0.372 (Gaussian tail) | 0.530 (Gaussian tail) |
 *
 * East-Asian impostors (the applicants' population) score highest, so they set every threshold. The pool
 * is small: its quantiles are a Gaussian fitted to its 929 scores, an estimate, not a count.
 */
export type CalibratedFar = 1e-2 | 1e-3 | 1e-4;

export const THRESHOLDS: Readonly<Record<CalibratedFar, number>> = Object.freeze({
  1e-2: 0.391,
  1e-3: 0.487,
  1e-4: 0.566,
});
