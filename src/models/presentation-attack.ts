import { type RgbImage, cropRgb } from '../image/decode.js';
import type { Box } from '../core/geometry.js';
import { useOnnxModel } from './registry.js';
import { getOnnxRuntime } from './onnx.js';

const INPUT = 128;
// The package enlarges the face box this much: the classifier looks at the face and its surroundings
// (a phone's or a print's edges, moiré), as Silent-Face-Anti-Spoofing's 2.7× patch does.
const CONTEXT = 2.7;

/**
 * The presentation-attack classifier fr_liveness.onnx (faceplugin-face-recognition-js@0.0.1, whose
 * lib/fr_liveness.js this follows): the face box enlarged 2.7× (less where the image ends), resized to
 * 128×128, RGB 0–255, NCHW; softmax of three outputs. Returns the package's own score, softmax[0].
 * How well it separates live faces from attacks on the data available is in `npm run eval:liveness`;
 * the library reports it and does not decide on it.
 */
export async function livenessScore(image: RgbImage, box: Box): Promise<number> {
  const session = await useOnnxModel('faceLiveness');
  const { ort } = getOnnxRuntime();
  const crop = await cropRgb(image, contextBox(box, image), { width: INPUT, height: INPUT, kernel: 'linear' });
  const plane = INPUT * INPUT;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    input[i] = crop.data[i * 3]!;
    input[plane + i] = crop.data[i * 3 + 1]!;
    input[2 * plane + i] = crop.data[i * 3 + 2]!;
  }
  const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, INPUT, INPUT]) });
  const logits = Array.from(result[session.outputNames[0]!]!.data as Float32Array);
  const max = Math.max(...logits);
  const exp = logits.map((v) => Math.exp(v - max));
  return exp[0]! / exp.reduce((a, b) => a + b, 0);
}

/** The package's alignLivenessImage: the box scaled about its centre, shifted to lie inside the image. */
function contextBox(box: Box, image: RgbImage): { left: number; top: number; width: number; height: number } {
  const scale = Math.min((image.height - 1) / box.height, (image.width - 1) / box.width, CONTEXT);
  const w = box.width * scale;
  const h = box.height * scale;
  let left = box.x + box.width / 2 - w / 2;
  let top = box.y + box.height / 2 - h / 2;
  left = Math.min(Math.max(0, left), image.width - 1 - w);
  top = Math.min(Math.max(0, top), image.height - 1 - h);
  const l = Math.max(0, Math.floor(left));
  const t = Math.max(0, Math.floor(top));
  return { left: l, top: t, width: Math.max(1, Math.min(image.width - l, Math.round(w))), height: Math.max(1, Math.min(image.height - t, Math.round(h))) };
}
