/**
 * docs/compress-before-after.jpg: compressToSpec on images this repository may ship — its own fixtures
 * and single people cropped from the demo photos of @vladmandic/face-api (npm) — input beside output,
 * with a table of what was done. Never the evaluation data of ../shared/data (evaluation only).
 * `npx tsx scripts/make-contact-sheet.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type OverlayOptions } from 'sharp';
import { compressToSpec, isVerifyError } from '../src/index.js';
import { detectFaces } from '../src/models/detect.js';
import { decodeRgb, readHeader } from '../src/image/decode.js';
import { sniffFormat } from '../src/image/sniff.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');

const inputs: Array<{ name: string; bytes: Buffer }> = [];
for (const f of ['sources/group-crop.jpg', 'sources/exif-rotated.jpg', 'photos/tilted-head.jpg', 'photos/dark-face.jpg', 'photos/white-background.jpg', 'photos/hat.jpg']) {
  inputs.push({ name: f, bytes: readFileSync(join(repo, 'fixtures', f)) });
}
// Single people from the demo's group photos: the largest faces, each cut out with room for the head and shoulders.
for (const sample of ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg']) {
  const bytes = readFileSync(join(demo, sample));
  const format = sniffFormat(bytes);
  const image = await decodeRgb(bytes, format, 64e6, 1920, await readHeader(bytes, format, 64e6));
  const faces = (await detectFaces(image, { detector: 'auto', minConfidence: 0.6 })).slice(0, 2);
  for (const [k, f] of faces.entries()) {
    const w = f.box.width * 2.6;
    const h = w * 1.4;
    const left = Math.max(0, Math.round(f.box.x + f.box.width / 2 - w / 2));
    const top = Math.max(0, Math.round(f.box.y - f.box.height * 0.9));
    const width = Math.min(image.width - left, Math.round(w));
    const height = Math.min(image.height - top, Math.round(h));
    const crop = await sharp(bytes).extract({ left, top, width, height }).jpeg({ quality: 92 }).toBuffer();
    inputs.push({ name: `face-api demo/${sample} #${k + 1}`, bytes: crop });
  }
}

const cell = { width: 150, height: 200 };
const perRow = 4;
const tiles: OverlayOptions[] = [];
const rows: string[] = [];
for (const [i, input] of inputs.entries()) {
  const x = (i % perRow) * (cell.width * 2 + 12);
  const y = Math.floor(i / perRow) * (cell.height + 12);
  tiles.push({ input: await sharp(input.bytes).rotate().resize(cell.width, cell.height, { fit: 'contain', background: '#222' }).flatten({ background: '#222' }).jpeg().toBuffer(), left: x, top: y });
  try {
    const r = await compressToSpec(input.bytes, { filename: 'photo.jpg' });
    tiles.push({ input: await sharp(r.buffer).resize(cell.width, cell.height).jpeg().toBuffer(), left: x + cell.width, top: y });
    const failed = r.report.checks.filter((c) => c.status === 'failed').map((c) => c.id);
    const light = r.light.gain !== 1 || r.light.leftGain !== 1 || r.light.rightGain !== 1 ? `×${r.light.leftGain}/×${r.light.rightGain}, ×${r.light.gain}` : '–';
    rows.push(`| ${i + 1} | ${input.name} | ${r.report.passed ? 'passes' : `fails: ${failed.join(', ')}`} | ${r.background.action} | ${r.framing.levelledDeg || '–'} | ${light} | ${r.framing.padded ? 'yes' : 'no'} |`);
  } catch (error) {
    if (!isVerifyError(error)) throw error;
    rows.push(`| ${i + 1} | ${input.name} | refused: ${error.code} | | | | |`);
  }
}
const width = perRow * cell.width * 2 + (perRow - 1) * 12;
const height = Math.ceil(inputs.length / perRow) * (cell.height + 12) - 12;
const sheet = await sharp({ create: { width, height, channels: 3, background: '#111' } }).composite(tiles).jpeg({ quality: 82 }).toBuffer();
writeFileSync(join(repo, 'docs/compress-before-after.jpg'), sheet);
console.log(`docs/compress-before-after.jpg: ${inputs.length} pairs, ${Math.round(sheet.length / 1024)} KB, read left to right, input | output\n`);
console.log('| # | input | output | background | levelled ° | light gains (left/right, face) | padded |');
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
