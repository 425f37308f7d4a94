/**
 * UltraFace RFB-320 (fr_detect.onnx, from the package fr_feature.onnx comes from): a 1.2 MB face
 * detector, ~9 ms a photo on onnxruntime-node here against ~290 ms for SSD MobileNet v1 on tfjs-wasm.
 * Its input is fixed at 320×240, so the image is letterboxed (aspect kept, grey bars) rather than
 * squashed as the package does; a face that fills the whole image (a tight crop, a card portrait) is
 * searched again with a margin around it, as detectFaces does for SSD.
 */
import { type RgbImage, fromRgb, toRgb } from '../image/decode.js';
import type { Box } from '../core/geometry.js';
import { useOnnxModel } from './registry.js';
import { getOnnxRuntime } from './onnx.js';

const W = 320;
const H = 240;
// Candidates kept before suppression, and the overlap (intersection over the smaller box) that suppresses.
const TOP_K = 200;
const NMS_OVERLAP = 0.4;
// The margin added around an image in which nothing was found, as a share of its longer side.
const RETRY_MARGIN = 0.3;
// Scores below this are not faces. On the 666 single-person photos of ../shared/data the main face
// scores ≥ 0.958 in 99% of photos (median 1.000), while false second faces score 0.3–0.76 and real
// background faces 0.93–1.0 (npm run eval:detectors): SSD's 0.3–0.5 thresholds do not carry over.
export const ULTRAFACE_MIN_SCORE = 0.8;
// UltraFace's box against SSD's on the same 613 photos (medians, eval/results/detectors.md): 0.960 as
// wide, 1.062 as tall, centred 0.023 widths right and 0.009 heights up. The landmark net, the face mesh
// crop and the head geometry were tuned on SSD's boxes, so boxes are returned in SSD's shape.
const SSD_SHAPE = { width: 1 / 0.96, height: 1 / 1.062, dx: -0.023, dy: 0.009 };

export interface UltraFaceOptions {
  /** Faces below this score are not returned. */
  minConfidence: number;
}

export interface UltraFaceDetection {
  /** Image pixels. */
  box: Box;
  score: number;
}

/** Faces in `image`, largest first, with boxes in SSD's shape. */
export async function detectUltraFace(image: RgbImage, options: UltraFaceOptions): Promise<UltraFaceDetection[]> {
  const minConfidence = Math.max(options.minConfidence, ULTRAFACE_MIN_SCORE);
  let found = await detectOnce(image, 0, minConfidence);
  if (found.length === 0) found = await detectOnce(image, Math.round(Math.max(image.width, image.height) * RETRY_MARGIN), minConfidence);
  return found.map((f) => ({ ...f, box: ssdShaped(f.box, image) }));
}

function ssdShaped(box: Box, image: RgbImage): Box {
  const width = box.width * SSD_SHAPE.width;
  const height = box.height * SSD_SHAPE.height;
  const cx = box.x + box.width / 2 + SSD_SHAPE.dx * width;
  const cy = box.y + box.height / 2 + SSD_SHAPE.dy * height;
  const x = Math.max(0, cx - width / 2);
  const y = Math.max(0, cy - height / 2);
  return { x, y, width: Math.min(image.width, cx + width / 2) - x, height: Math.min(image.height, cy + height / 2) - y };
}

async function detectOnce(image: RgbImage, margin: number, minConfidence: number): Promise<UltraFaceDetection[]> {
  const session = await useOnnxModel('faceDetectOnnx');
  const { ort } = getOnnxRuntime();
  const fullW = image.width + 2 * margin;
  const fullH = image.height + 2 * margin;
  const scale = Math.min(W / fullW, H / fullH);
  const w = Math.max(1, Math.min(W, Math.round(fullW * scale)));
  const h = Math.max(1, Math.min(H, Math.round(fullH * scale)));
  let pipeline = fromRgb(image);
  if (margin > 0) pipeline = pipeline.extend({ top: margin, bottom: margin, left: margin, right: margin, background: { r: 127, g: 127, b: 127 } });
  const small = await toRgb(pipeline.resize(w, h, { fit: 'fill', kernel: 'linear' }));
  // Planar RGB, (v − 127) / 128; the letterbox bars are 0 (grey 127).
  const plane = W * H;
  const input = new Float32Array(3 * plane);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      const d = y * W + x;
      input[d] = (small.data[s]! - 127) / 128;
      input[plane + d] = (small.data[s + 1]! - 127) / 128;
      input[2 * plane + d] = (small.data[s + 2]! - 127) / 128;
    }
  }
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, H, W]) });
  const scores = out.scores!.data as Float32Array;
  const boxes = out.boxes!.data as Float32Array;
  const candidates: Array<{ x1: number; y1: number; x2: number; y2: number; score: number }> = [];
  for (let i = 0; i < scores.length / 2; i++) {
    const score = scores[i * 2 + 1]!;
    if (score < minConfidence) continue;
    const x1 = Math.max(0, boxes[i * 4]! * W);
    const y1 = Math.max(0, boxes[i * 4 + 1]! * H);
    const x2 = Math.min(w, boxes[i * 4 + 2]! * W);
    const y2 = Math.min(h, boxes[i * 4 + 3]! * H);
    if (x2 - x1 >= 2 && y2 - y1 >= 2) candidates.push({ x1, y1, x2, y2, score });
  }
  candidates.sort((a, b) => b.score - a.score).splice(TOP_K);
  const kept: typeof candidates = [];
  const area = (b: (typeof candidates)[number]) => (b.x2 - b.x1) * (b.y2 - b.y1);
  for (const c of candidates) {
    const suppressed = kept.some((k) => {
      const iw = Math.max(0, Math.min(c.x2, k.x2) - Math.max(c.x1, k.x1));
      const ih = Math.max(0, Math.min(c.y2, k.y2) - Math.max(c.y1, k.y1));
      return (iw * ih) / Math.min(area(c), area(k)) >= NMS_OVERLAP;
    });
    if (!suppressed) kept.push(c);
  }
  // Back to the image: undo the letterbox scale and the margin, clip to the image.
  return kept
    .map((k) => {
      const x1 = Math.max(0, k.x1 / scale - margin);
      const y1 = Math.max(0, k.y1 / scale - margin);
      const x2 = Math.min(image.width, k.x2 / scale - margin);
      const y2 = Math.min(image.height, k.y2 / scale - margin);
      return { box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, score: k.score };
    })
    .filter((f) => f.box.width > 1 && f.box.height > 1)
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
}
