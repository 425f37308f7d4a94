/**
 * npm run bench — validatePhoto throughput on one core, per stage, against a bare sharp decode of
 * the same file, all measured in one run (the machine is noisy: compare the ratios, not the ms).
 *
 * Options: --runs N (default 40)
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { detectFaces } from '../../src/models/detect.js';
import { decodeRgb } from '../../src/image/decode.js';
import { loadModels, validatePhoto } from '../../src/index.js';
import { printTable } from '../data.js';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 40;
const file = new URL('../../fixtures/photos/compliant.jpg', import.meta.url);
const bytes = readFileSync(file);

async function time(fn: () => Promise<unknown>, n = runs): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]; // median
}

const load = performance.now();
const { backend } = await loadModels();
const loadMs = performance.now() - load;
for (let i = 0; i < 3; i++) await validatePhoto(bytes); // warm-up: WASM kernels compile on first use

console.log(`# validatePhoto benchmark: ${file.pathname.split('/').pop()} (${bytes.length} bytes, 480×640), backend ${backend}, median of ${runs} runs, one thread\n`);
console.log(`Model load (all models, checksums verified): ${loadMs.toFixed(0)} ms, once per process.\n`);

// Per-stage timings as validatePhoto reports them.
const stages = new Map<string, number[]>();
const totals: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  const result = await validatePhoto(bytes, { filename: 'photo.jpg' });
  totals.push(performance.now() - t);
  for (const [k, v] of Object.entries(result.timings)) stages.set(k, [...(stages.get(k) ?? []), v]);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const total = median(totals);
const decodeOnly = await time(() => sharp(bytes).raw().toBuffer());
const nonModel = ['read', 'decode', 'checks'].reduce((s, k) => s + median(stages.get(k)!), 0);

printTable(
  ['stage', 'ms (median)', 'share of validatePhoto', '× bare sharp decode'],
  [
    ...[...stages.keys()].map((k) => [k, median(stages.get(k)!).toFixed(1), `${((100 * median(stages.get(k)!)) / total).toFixed(1)}%`, (median(stages.get(k)!) / decodeOnly).toFixed(2)]),
    ['non-model work (read + decode + checks)', nonModel.toFixed(1), `${((100 * nonModel) / total).toFixed(1)}%`, (nonModel / decodeOnly).toFixed(2)],
    ['validatePhoto, whole call', total.toFixed(1), '100%', (total / decodeOnly).toFixed(2)],
    ['bare sharp decode of the file', decodeOnly.toFixed(1), '', '1.00'],
  ],
);
console.log(`\nThroughput, one thread: ${(1000 / total).toFixed(2)} photos/s with the default detector ('auto').\n`);

// The detectors on the same photo: is the face still found, and at what cost?
const image = await decodeRgb(bytes, 'jpeg', 1e8);
const rows: Array<Array<string | number>> = [];
for (const [detector, maxSide] of [['auto', 640], ['ultraface', 640], ['ssd', 640], ['ssd', 320], ['tiny', 640], ['tiny', 320]] as const) {
  const faces = await detectFaces(image, { detector, maxSide });
  const ms = await time(() => detectFaces(image, { detector, maxSide }), Math.min(runs, 20));
  rows.push([detector, maxSide, faces.length, faces[0] ? faces[0].score.toFixed(3) : '-', ms.toFixed(1), (ms / decodeOnly).toFixed(2)]);
}
console.log('Face detection + 68 landmarks alone:\n');
printTable(['detector', 'longer side px', 'faces', 'score', 'ms (median)', '× decode'], rows);
for (const detector of ['ssd', 'tiny'] as const) {
  const whole = await time(() => validatePhoto(bytes, { detector }), Math.min(runs, 20));
  console.log(`\nvalidatePhoto with detector '${detector}': ${whole.toFixed(1)} ms (${(1000 / whole).toFixed(2)} photos/s); the default call takes ${(total / whole).toFixed(2)}× its time.`);
}
// Uploads without a face (a pixelated face, a landscape, a document): what they cost against a photo with one.
const faceless: Array<[string, Buffer]> = [
  ['fixtures/photos/no-face.jpg (a pixelated face)', readFileSync(new URL('../../fixtures/photos/no-face.jpg', import.meta.url))],
  ['a blue wall (sharp-made)', await sharp({ create: { width: 480, height: 640, channels: 3, background: { r: 60, g: 120, b: 200 } } }).jpeg().toBuffer()],
  ['noise (sharp-made)', await sharp(Buffer.from(Array.from({ length: 480 * 640 * 3 }, (_, i) => (i * 2654435761) >>> 24)), { raw: { width: 480, height: 640, channels: 3 } }).jpeg().toBuffer()],
];
const facelessRows: Array<Array<string>> = [];
for (const [name, input] of faceless) {
  await validatePhoto(input);
  const ms = await time(() => validatePhoto(input), Math.min(runs, 20));
  facelessRows.push([name, ms.toFixed(1), (ms / total).toFixed(2)]);
}
console.log('\nPhotos without a face (bound: ≤ 2× a photo with one):\n');
printTable(['input', 'validatePhoto ms (median)', '× the compliant photo'], facelessRows);
console.log(`Process memory after the runs: rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB.`);
