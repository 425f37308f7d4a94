/**
 * npm run bench:compare — compareFaces with one ID card and 5 frames, against the plain face-api way
 * (`detectSingleFace(img).withFaceLandmarks().withFaceDescriptor()` on each of the 6 images, then
 * euclidean distances), in the same run; the embedding alone on onnxruntime-node and -web; and the two
 * landmark models alone on one face box (fr_landmark, which compareFaces aligns with, and face-api's 68-point net).
 * Inputs: fixtures/faces/ (card-person-a.jpg and five frames of person A).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareFaces, loadModels } from '../../src/index.js';
import { alignFace, embedAligned } from '../../src/models/embed.js';
import { detectFaces } from '../../src/models/detect.js';
import { onnxLandmarks } from '../../src/models/landmarks.js';
import { useFaceApi } from '../../src/models/registry.js';
import { getOnnxRuntime } from '../../src/models/onnx.js';
import { cropRgb, decodeRgb } from '../../src/image/decode.js';
import { printTable } from '../data.js';

const runtimeArg = process.argv.includes('--onnx') ? (process.argv[process.argv.indexOf('--onnx') + 1] as 'node' | 'web') : 'auto';
const face = (f: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/faces/${f}`, import.meta.url)));
const card = face('card-person-a.jpg');
const frames = ['person-a-frame-1.jpg', 'person-a-frame-2.jpg', 'person-a-frame-3.jpg', 'person-a.jpg', 'person-c.jpg'].map(face);
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

await loadModels({ models: ['ssdMobilenetv1', 'faceLandmark68', 'faceLandmarkOnnx', 'faceEmbedding', 'faceRecognitionNet'], onnxRuntime: runtimeArg });
const onnx = getOnnxRuntime().name;

const frame = await decodeRgb(frames[0]!, 'jpeg', 1e8);
const found = (await detectFaces(frame, { detector: 'ssd' }))[0]!;
const crop = await alignFace(frame, found.landmarks);
const embedMs = await time(() => embedAligned([crop]));

if (process.argv.includes('--embed-only')) {
  console.log(JSON.stringify({ onnx, embedMs }));
  process.exit(0);
}

const rt = await useFaceApi(['ssdMobilenetv1', 'faceLandmark68', 'faceRecognitionNet']);
const frLandmarkMs = await time(() => onnxLandmarks(frame, found.box));
// face-api's net as withFaceLandmarks runs it after detection: the box cut out, the net resizes it to 112.
const faceApiLandmarkMs = await time(async () => {
  const { x, y, width, height } = found.box;
  const left = Math.max(0, Math.floor(x));
  const top = Math.max(0, Math.floor(y));
  const box = await cropRgb(frame, { left, top, width: Math.min(frame.width - left, Math.round(width)), height: Math.min(frame.height - top, Math.round(height)) });
  const tensor = rt.tf.tensor3d(box.data, [box.height, box.width, 3], 'int32');
  try {
    await rt.faceapi.nets.faceLandmark68Net.detectLandmarks(tensor as never);
  } finally {
    tensor.dispose();
  }
});

let stages: Record<string, number> = {};
const compareMs = await time(async () => {
  stages = (await compareFaces(card, frames)).timings;
});

const plainMs = await time(async () => {
  const descriptors: Float32Array[] = [];
  for (const bytes of [card, ...frames]) {
    const image = await decodeRgb(bytes, 'jpeg', 1e8);
    const tensor = rt.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    try {
      const r = await rt.faceapi.detectSingleFace(tensor as never).withFaceLandmarks().withFaceDescriptor();
      if (r) descriptors.push(r.descriptor);
    } finally {
      tensor.dispose();
    }
  }
  return descriptors.slice(1).map((d) => rt.faceapi.euclideanDistance(descriptors[0]!, d));
});

const other = runtimeArg === 'auto' && onnx === 'onnxruntime-node'
  ? JSON.parse(execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--onnx', 'web', '--embed-only'], { encoding: 'utf8' }).trim().split('\n').at(-1)!)
  : undefined;

console.log(`# compareFaces benchmark: 1 ID card + 5 frames, median of ${RUNS}, ${onnx}, tfjs wasm, 2 cores\n`);
printTable(
  ['pipeline', 'ms (median)', '× compareFaces'],
  [
    ['compareFaces (card found at 0°, 5 frames, fr_landmark alignment, flip-averaged ArcFace embeddings)', compareMs.toFixed(0), '1.00'],
    ['plain face-api: detectSingleFace().withFaceLandmarks().withFaceDescriptor() × 6', plainMs.toFixed(0), (plainMs / compareMs).toFixed(2)],
  ],
);
console.log('\ncompareFaces stages (last run, ms):', Object.entries(stages).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', '));
console.log('');
printTable(
  ['fr_feature.onnx, one 112×112 face', 'ms (median)'],
  [[onnx, embedMs.toFixed(1)], ...(other ? [[other.onnx, (other.embedMs as number).toFixed(1)]] : [])],
);
console.log('');
printTable(
  ['landmarks on one SSD face box', 'ms (median)'],
  [
    [`fr_landmark.onnx (64×64 grey crop, ${onnx})`, frLandmarkMs.toFixed(1)],
    ['face-api faceLandmark68Net (box crop, tfjs wasm)', faceApiLandmarkMs.toFixed(1)],
  ],
);
