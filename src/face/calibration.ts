/**
 * Decision thresholds of compareFaces: cosine similarity of fr_feature.onnx embeddings (flip-averaged,
 * ArcFace-aligned), read off the impostor pairs of ../shared/data by eval/compare-faces.ts.
 * PROVISIONAL: replaced by the evaluation's figures.
 */
export type CalibratedFar = 1e-2 | 1e-3 | 1e-4;

export const THRESHOLDS: Readonly<Record<CalibratedFar, number>> = Object.freeze({
  1e-2: 0.25,
  1e-3: 0.32,
  1e-4: 0.4,
});
