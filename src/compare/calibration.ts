/**
 * Decision thresholds of compareFaces: cosine similarity of fr_feature.onnx embeddings (ArcFace-aligned from
 * fr_landmark's points on detector 'auto''s box — UltraFace's, refined from face-api's landmarks, SSD's
 * where UltraFace finds none — flip-averaged), read off the impostor pairs of ../shared/data by
 * `npm run eval:compare -- --fr-only` (eval/results/compare-faces-detectors.md, section D) on 2026-12-01.
 * Each is the strictest of five pools:
 *
 * | FAR  | Western, within source, AT&T capped (73,285 pairs) | East-Asian (929 pairs) | all different-identity pairs (197,704) | card simulation, Western (44,435) | card simulation, East-Asian (1,858) |
 * | 1e-2 | 0.297 | **0.394** (Gaussian tail) | 0.280 | 0.244 | 0.370 |
 * | 1e-3 | 0.383 | **0.491** (Gaussian tail) | 0.370 | 0.315 | 0.460 (Gaussian tail) |
 * | 1e-4 | –     | **0.570** (Gaussian tail) | 0.431 | 0.369 (Gaussian tail) | 0.537 (Gaussian tail) |
 *
 * East-Asian impostors (the applicants' population) score highest, so they set every threshold. The pool
 * is small: its quantiles are a Gaussian fitted to its 929 scores, an estimate, not a count. On SSD's
 * boxes (the frames' detector before 2026-12-01) the same pools gave 0.391 / 0.487 / 0.566; with the box
 * placed from fr_landmark's points (detect.ts, later the same day) 0.392 / 0.488 / 0.568, a little less
 * strict: these stay.
 */
export type CalibratedFar = 1e-2 | 1e-3 | 1e-4;

/** The similarity at or above which compareFaces says match, by calibrated false-accept rate (exported as COMPARE_THRESHOLDS). */
export const THRESHOLDS: Readonly<Record<CalibratedFar, number>> = Object.freeze({
  1e-2: 0.394,
  1e-3: 0.491,
  1e-4: 0.57,
});

/** The false-accept rates COMPARE_THRESHOLDS were calibrated for. */
export const CALIBRATED_FARS: readonly CalibratedFar[] = Object.freeze([1e-2, 1e-3, 1e-4]);
