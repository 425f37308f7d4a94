/**
 * npm run bench:compress — compressToSpec per stage, and its encodes against a plain bisection of
 * JPEG quality, measured in one run on the repo's own source fixtures.
 *
 * Options: --runs N (default 5 per input)
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { encodeJpegInBand } from '../../src/image/encode.js';
import { withJfifDensity } from '../../src/image/jpeg.js';
import { compressToSpec, loadModels } from '../../src/index.js';
import { printTable } from '../data.js';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url));
const groupCrop = fixture('sources/group-crop.jpg');
const inputs: Array<[string, Buffer]> = [
  ['sources/group-crop.jpg (520×900)', groupCrop],
  ['sources/exif-rotated.jpg', fixture('sources/exif-rotated.jpg')],
  ['sources/person-alpha.png', fixture('sources/person-alpha.png')],
  ['photos/white-background.jpg', fixture('photos/white-background.jpg')],
  ['photos/compliant.jpg (already passing)', fixture('photos/compliant.jpg')],
  ['group crop enlarged to 4680×8100', await sharp(groupCrop).resize({ height: 8100 }).jpeg({ quality: 80 }).toBuffer()],
];

/** Plain bisection over quality 1–100 for the same band: how many encodes it needs. */
async function bisectionEncodes(raw: { data: Buffer; width: number; height: number }, minBytes: number, maxBytes: number): Promise<number> {
  let lo = 1;
  let hi = 100;
  let n = 0;
  while (lo <= hi) {
    const q = Math.floor((lo + hi) / 2);
    n++;
    const size = withJfifDensity(await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } }).jpeg({ quality: q }).toBuffer(), 300).length;
    if (size < minBytes) lo = q + 1;
    else if (size > maxBytes) hi = q - 1;
    else return n;
  }
  return n;
}

await loadModels();
await compressToSpec(groupCrop); // warm-up
console.log(`# compressToSpec benchmark: median of ${runs} runs per input, one thread, WASM backend\n`);
const stageNames = ['read', 'decode', 'detect', 'segment', 'crop', 'background', 'encode', 'validate'];
const rows: Array<Array<string | number>> = [];
const encodeRows: Array<Array<string | number>> = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, bytes] of inputs) {
  const samples: Record<string, number[]> = {};
  const totals: number[] = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await compressToSpec(bytes);
    totals.push(performance.now() - t);
    for (const [k, v] of Object.entries(last.timings)) (samples[k] ??= []).push(v);
  }
  rows.push([name, ...stageNames.map((k) => median(samples[k] ?? [0]).toFixed(1)), median(totals).toFixed(0)]);
  // The same pixels the encoder saw (decoded back from the output: equal but for JPEG loss).
  const { data, info } = await sharp(last!.buffer).raw().toBuffer({ resolveWithObject: true });
  const raw = { data, width: info.width, height: info.height };
  const ours = (await encodeJpegInBand(raw, { minBytes: 20480, maxBytes: 40000, dpi: 300 }))!;
  encodeRows.push([name, last!.encodes, ours.encodes, await bisectionEncodes(raw, 20480, 40000), last!.quality, last!.buffer.length]);
}
printTable(['input', ...stageNames.map((s) => `${s} ms`), 'total ms'], rows);
console.log('\nJPEG encodes to land in 20,480–40,000 bytes:\n');
printTable(['input', 'compressToSpec', 'secant (same pixels)', 'plain bisection (same pixels)', 'quality', 'bytes'], encodeRows);
const mean = (i: number) => encodeRows.reduce((s, r) => s + Number(r[i]), 0) / encodeRows.length;
console.log(`\nMean encodes: secant ${mean(2).toFixed(2)}, bisection ${mean(3).toFixed(2)} (${(mean(3) / mean(2)).toFixed(2)}× as many).`);
