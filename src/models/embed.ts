import type { RgbImage } from '../image/decode.js';
import { ARCFACE_TEMPLATE, estimateSimilarity, fivePoints, warpToCrop } from './align.js';
import type { Point } from '../core/geometry.js';
import { useOnnxModel } from './registry.js';
import { getOnnxRuntime } from './onnx.js';

/** Side of the aligned crop the embedding model expects. */
export const EMBEDDING_INPUT = 112;

/** An aligned face crop from the 68 landmarks, ready for `embedAligned`. */
export async function alignFace(image: RgbImage, landmarks: readonly Point[], size = EMBEDDING_INPUT, margin = 0): Promise<RgbImage> {
  // `margin` widens the template (a share of the crop on each side), for models trained on looser chips.
  const k = (size / EMBEDDING_INPUT) * (1 - 2 * margin);
  const template = ARCFACE_TEMPLATE.map((p) => ({ x: p.x * k + size * margin, y: p.y * k + size * margin }));
  return warpToCrop(image, estimateSimilarity(fivePoints(landmarks), template), size);
}

/**
 * 512-d unit embeddings of aligned 112×112 crops (fr_feature.onnx). With `flip`, the embedding of the
 * mirrored crop is added before normalising (test-time augmentation: measured in eval/compare-faces.ts).
 * The model's batch dimension is fixed at 1: one run per crop (and per mirror).
 */
export async function embedAligned(crops: readonly RgbImage[], options: { flip?: boolean } = {}): Promise<Float32Array[]> {
  return (await embedWithNorms(crops, options)).map((e) => e.embedding);
}

/**
 * Embeddings with the length of the unmirrored vector before normalising. The length is a face-quality
 * signal of ArcFace-style models (MagFace): an upright, well-aligned face gives ~3.4–4.0 here, a face
 * turned 90° or 180° before alignment ~1.5–2.3 (measured on fixtures/faces and the documents eval).
 */
export async function embedWithNorms(crops: readonly RgbImage[], options: { flip?: boolean } = {}): Promise<Array<{ embedding: Float32Array; norm: number }>> {
  const session = await useOnnxModel('faceEmbedding');
  const { ort } = getOnnxRuntime();
  const out: Array<{ embedding: Float32Array; norm: number }> = [];
  for (const crop of crops) {
    const sum = new Float32Array(512);
    let norm = 0;
    for (const mirrored of options.flip ? [false, true] : [false]) {
      const input = new ort.Tensor('float32', toNchw(crop, mirrored), [1, 3, EMBEDDING_INPUT, EMBEDDING_INPUT]);
      const result = await session.run({ [session.inputNames[0]!]: input });
      const vector = result[session.outputNames[0]!]!.data as Float32Array;
      if (!mirrored) norm = Math.hypot(...vector);
      for (let i = 0; i < 512; i++) sum[i]! += vector[i]!;
    }
    out.push({ embedding: normalize(sum), norm });
  }
  return out;
}

function toNchw(crop: RgbImage, mirrored: boolean): Float32Array {
  const n = EMBEDDING_INPUT;
  const plane = n * n;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const src = (y * n + (mirrored ? n - 1 - x : x)) * 3;
      const dst = y * n + x;
      data[dst] = (crop.data[src]! - 127) / 128;
      data[plane + dst] = (crop.data[src + 1]! - 127) / 128;
      data[2 * plane + dst] = (crop.data[src + 2]! - 127) / 128;
    }
  }
  return data;
}


export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i]! *= k;
  return v;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** One crop's embedding and raw length (see embedWithNorms). */
export async function embedOne(crop: RgbImage, options: { flip?: boolean } = {}): Promise<{ embedding: Float32Array; norm: number }> {
  return (await embedWithNorms([crop], options))[0]!;
}
