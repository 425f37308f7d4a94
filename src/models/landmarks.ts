import { lumaPlane } from '../image/measures.js';
import { type RgbImage, cropRgb } from '../image/decode.js';
import type { Box, Point } from '../core/geometry.js';
import { useOnnxModel } from './registry.js';
import { getOnnxRuntime } from './onnx.js';

/** Side of the grey crop fr_landmark.onnx reads. */
const INPUT = 64;

/**
 * The 68 iBUG landmarks of the face in `box` (a detector's box, image pixels), from fr_landmark.onnx
 * (faceplugin-face-recognition-js@0.0.1, the package fr_feature.onnx comes from). Pre- and post-processing
 * follow the package's lib/fr_landmark.js: the box made square (`squareBox`), shifted to lie inside the
 * image, cut out and resized to 64×64, grey /256 in; 136 values out, 0–1 of the square box.
 * On SSD boxes these points align faces better than face-api's 68-point net, ~5× faster
 * (eval/results/face-models.md).
 */
export async function onnxLandmarks(image: RgbImage, box: Box): Promise<Point[]> {
  const session = await useOnnxModel('faceLandmarkOnnx');
  const { ort } = getOnnxRuntime();
  const square = squareBox(box, image);
  const x1 = Math.trunc(square.x);
  const y1 = Math.trunc(square.y);
  const width = Math.abs(Math.trunc(square.x + square.width) - x1);
  const height = Math.abs(Math.trunc(square.y + square.height) - y1);
  const crop = await cropRgb(image, insideImage(x1, y1, width, height, image), { width: INPUT, height: INPUT, kernel: 'linear' });
  // ITU-R 601 luma, as cv.COLOR_BGR2GRAY on true BGR. (The package reads an RGBA canvas, so its weights
  // land on swapped channels; the difference is small and the standard is used.)
  const input = lumaPlane(crop);
  for (let i = 0; i < input.length; i++) input[i]! /= 256;
  const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 1, INPUT, INPUT]) });
  const out = result[session.outputNames[0]!]!.data as Float32Array;
  // Mapped back onto the unshifted box, as the package does (it also truncates each point to an
  // integer for drawing; alignment keeps the sub-pixel points).
  const points: Point[] = [];
  for (let i = 0; i < 68; i++) points.push({ x: out[i * 2]! * width + x1, y: out[i * 2 + 1]! * height + y1 });
  return points;
}

/** The package's scaleResult: a square of side = the box's height on the box's centre, clipped to the image. */
export function squareBox(box: Box, image: { width: number; height: number }): Box {
  const side = box.height;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const x1 = Math.max(0, cx - side / 2);
  const y1 = Math.max(0, cy - side / 2);
  const x2 = Math.min(image.width - 1, cx + side / 2);
  const y2 = Math.min(image.height - 1, cy + side / 2);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** The package's alignLandmarkImage at scale 1: the box itself, shifted (not shrunk) to lie inside the image. */
function insideImage(x1: number, y1: number, width: number, height: number, image: RgbImage) {
  const W = image.width;
  const H = image.height;
  const scale = Math.min((H - 1) / height, (W - 1) / width, 1);
  let l = x1 + width / 2 - (width * scale) / 2;
  let t = y1 + height / 2 - (height * scale) / 2;
  let r = l + width * scale;
  let b = t + height * scale;
  if (l < 0) [r, l] = [r - l, 0];
  if (t < 0) [b, t] = [b - t, 0];
  if (r > W - 1) [l, r] = [l - (r - W + 1), W - 1];
  if (b > H - 1) [t, b] = [t - (b - H + 1), H - 1];
  const left = Math.max(Math.trunc(l), 0);
  const top = Math.max(Math.trunc(t), 0);
  return {
    left,
    top,
    width: Math.max(1, Math.min(Math.trunc(r - l), W - 1, W - left)),
    height: Math.max(1, Math.min(Math.trunc(b - t), H - 1, H - top)),
  };
}
