/**
 * npm run bench:core — the fast-core table: each public call against the naive way of doing the same
 * work with face-api (what a new user writes), measured in the same run, as ratios; and how long each
 * in-process call blocks the event loop (perf_hooks.monitorEventLoopDelay), which is what a host's
 * HTTP server feels.
 *
 *   validatePhoto    one 480×640 photo                 vs  SSD + 68 landmarks on it
 *   compareFaces     one card + 5 frames               vs  detect + landmarks + descriptor × 6
 *   verifyApplicant  card, 4 s reading video, photo    vs  that × 10 (card, 8 frames, photo) + one full decode of the video
 *   extractFrames…   8 s 1080×1440 H.264, keyframe 1 s vs  ffmpeg -i f -f null -  (and a 6 s 720×960 clip)
 *
 * Inputs: the repository's fixtures; the two clips are made here from fixtures/videos/upright.mp4.
 * Options: --runs N (default 7; medians).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { compareFaces, createVerifier, extractFramesFromReadingVideo, loadModels, validatePhoto, verifyApplicant } from '../../src/index.js';
import { useFaceApi } from '../../src/models/registry.js';
import { getOnnxRuntime } from '../../src/models/onnx.js';
import { locate, run } from '../../src/media/ffmpeg.js';
import { printTable } from '../data.js';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 7;
const fixture = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const photo = readFileSync(fixture('photos/compliant.jpg'));
const card = readFileSync(fixture('faces/card-person-a.jpg'));
const frames = ['person-a-frame-1.jpg', 'person-a-frame-2.jpg', 'person-a-frame-3.jpg', 'person-a.jpg', 'person-c.jpg'].map((f) => readFileSync(fixture(`faces/${f}`)));
const video = fixture('videos/photo-voice.mp4');
const ffmpeg = locate('ffmpeg').path;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
async function time(fn: () => Promise<unknown>, runs = RUNS): Promise<number> {
  await fn(); // warm-up: kernels compile, caches fill
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** The longest the event loop was blocked during `fn`, and its 99th percentile, ms. */
async function loopBlock(fn: () => Promise<unknown>): Promise<{ max: number; p99: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await fn();
  h.disable();
  return { max: h.max / 1e6, p99: h.percentile(99) / 1e6 };
}

// ---- the naive way: face-api as its README shows it ----------------------------------------------
const { backend } = await loadModels();
const rt = await useFaceApi(['ssdMobilenetv1', 'faceLandmark68', 'faceRecognitionNet']);
const { tf, faceapi } = rt;
async function naive(bytes: Buffer | Uint8Array, all = false): Promise<void> {
  const { data, info } = await sharp(bytes).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const tensor = tf.tensor3d(data, [info.height, info.width, 3], 'int32');
  try {
    if (all) await faceapi.detectAllFaces(tensor as never, new faceapi.SsdMobilenetv1Options()).withFaceLandmarks();
    else await faceapi.detectSingleFace(tensor as never, new faceapi.SsdMobilenetv1Options()).withFaceLandmarks().withFaceDescriptor();
  } finally {
    tensor.dispose();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'idphoto-bench-'));
try {
  // Phone-like clips from the fixture (25 fps): looped, scaled, H.264 with a keyframe every second (-g 25), AAC.
  const make = async (name: string, seconds: number, w: number, h: number) => {
    const out = join(dir, name);
    await run(ffmpeg, ['-v', 'error', '-stream_loop', '3', '-i', fixture('videos/upright.mp4'), '-t', String(seconds), '-vf', `scale=${w}:${h}`, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', '-c:a', 'aac', out], { timeoutMs: 300_000 });
    return out;
  };
  const big = await make('portrait-1080x1440.mp4', 8, 1080, 1440);
  const small = await make('portrait-720x960.mp4', 6, 720, 960);
  const videoFrames = (await extractFramesFromReadingVideo(video)).frames.map((f) => f.image);

  const rows: Array<Array<string | number>> = [];
  // The same calls on a worker thread (createVerifier): what the host's loop sees then.
  const verifier = createVerifier({ workers: 1 });
  await verifier.validatePhoto(photo);
  const row = async (call: string, ours: () => Promise<unknown>, baseline: string, theirs: () => Promise<unknown>, aim: number, pooled: () => Promise<unknown>, runs = RUNS) => {
    const a = await time(ours, runs);
    const b = await time(theirs, runs);
    const block = await loopBlock(ours);
    await pooled();
    const offThread = await loopBlock(pooled);
    rows.push([call, a.toFixed(0), baseline, b.toFixed(0), (a / b).toFixed(2), `≤ ${aim}`, a / b <= aim ? 'met' : `not met (${((a / b / aim - 1) * 100).toFixed(0)}% over)`, block.max.toFixed(0), offThread.max.toFixed(0)]);
  };
  await row('validatePhoto, one 480×640 photo', () => validatePhoto(photo), 'SSD + 68 landmarks', () => naive(photo, true), 0.25, () => verifier.validatePhoto(photo));
  await row('compareFaces, 1 card + 5 frames', () => compareFaces(card, frames), 'detect + landmarks + descriptor × 6', () => Promise.all([card, ...frames].map((f) => naive(f))), 0.15, () => verifier.compareFaces(card, frames));
  await row(
    'verifyApplicant (card, 4 s video, photo)',
    () => verifyApplicant({ idCard: card, video, photo }),
    'face work × 10 + one full video decode',
    async () => {
      for (const f of [card, ...videoFrames, photo]) await naive(f);
      await run(ffmpeg, ['-v', 'error', '-i', video, '-f', 'null', '-'], { timeoutMs: 60_000 });
    },
    0.5,
    () => verifier.verifyApplicant({ idCard: card, video, photo }),
    3,
  );
  const decode = (file: string) => () => run(ffmpeg, ['-v', 'error', '-i', file, '-f', 'null', '-'], { timeoutMs: 300_000 });
  await row('extractFramesFromReadingVideo, 8 s 1080×1440 H.264, keyframe 1 s', () => extractFramesFromReadingVideo(big), 'ffmpeg -i f -f null -', decode(big), 0.6, () => verifier.extractFramesFromReadingVideo(big));
  await row('extractFramesFromReadingVideo, 6 s 720×960 H.264, keyframe 1 s', () => extractFramesFromReadingVideo(small), 'ffmpeg -i f -f null -', decode(small), 1.5, () => verifier.extractFramesFromReadingVideo(small));
  await verifier.close();

  console.log(`# Fast core: each call against the naive face-api way, same run, median of ${RUNS} (verifyApplicant 3), ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(`TensorFlow.js backend ${backend}; ONNX runtime ${getOnnxRuntime().name}; 2 cores. Event-loop block: the longest stall of this process's loop during one call, in-process and on createVerifier's worker thread.\n`);
  printTable(['call', 'ms', 'naive way', 'naive ms', 'ratio', 'aim', '', 'loop block in-process ms', 'loop block createVerifier ms'], rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
