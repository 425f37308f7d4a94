/**
 * npm run eval:compress — compressToSpec over every single-face photo of ../shared/data.
 *
 * For each photo: the error code if it was refused (a face too small to fill 480×640 is a refusal,
 * not a failure), else whether the output passes validatePhoto, its size in bytes, and the encodes
 * it took. Writes a contact sheet (inputs beside outputs) to eval/out/compress-contact-sheet.jpg —
 * outside git: it shows the evaluation photos, which are not ours to publish.
 *
 * Options: --limit N.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { compressToSpec } from '../src/index.js';
import type { CheckId } from '../src/photo/types.js';
import { printTable, readLabels, requireData } from './data.js';

requireData();
const args = process.argv.slice(2);
const limit = Number(args[args.indexOf('--limit') + 1]) || Infinity;
const rows = readLabels()
  .filter((r) => (r.kind === 'face' || r.kind === 'single' || r.kind === 'idphoto') && !r.dupOf && r.source !== 'att_faces' && !/spoof|near-duplicate/i.test(r.note))
  .slice(0, limit);

interface Outcome {
  name: string;
  source: string;
  code?: string;
  passed?: boolean;
  failed?: CheckId[];
  bytes?: number;
  encodes?: number;
  quality?: number;
  background?: string;
  ms: number;
  input?: Buffer;
  output?: Buffer;
}
const outcomes: Outcome[] = [];
for (const row of rows) {
  const started = performance.now();
  try {
    const result = await compressToSpec(row.path);
    outcomes.push({
      name: row.relative,
      source: row.source,
      passed: result.report.passed,
      failed: result.report.checks.filter((c) => c.status === 'failed').map((c) => c.id),
      bytes: result.buffer.length,
      encodes: result.encodes,
      quality: result.quality,
      background: result.background.action,
      ms: performance.now() - started,
      input: readFileSync(row.path),
      output: result.buffer,
    });
  } catch (error) {
    outcomes.push({ name: row.relative, source: row.source, code: (error as { code?: string }).code ?? String(error), ms: performance.now() - started });
  }
}

const done = outcomes.filter((o) => o.passed !== undefined);
const passed = done.filter((o) => o.passed);
const refusals = new Map<string, number>();
for (const o of outcomes.filter((o) => o.code)) refusals.set(o.code!, (refusals.get(o.code!) ?? 0) + 1);
console.log(`# compressToSpec on ../shared/data: ${outcomes.length} single-face photos\n`);
printTable(
  ['outcome', 'photos', 'share'],
  [
    ['output passes validatePhoto', passed.length, `${((100 * passed.length) / done.length).toFixed(1)}% of the ${done.length} processed`],
    ['output fails validatePhoto (the report says why)', done.length - passed.length, ''],
    ...[...refusals].map(([code, n]) => [`refused: ${code}`, n, '']),
  ],
);
const failedChecks = new Map<string, number>();
for (const o of done) for (const id of o.failed ?? []) failedChecks.set(id, (failedChecks.get(id) ?? 0) + 1);
console.log('\nChecks failed by the outputs (what editing cannot fix: the applicant must retake the photo):\n');
printTable(['check', 'outputs failing it'], [...failedChecks].sort((a, b) => b[1] - a[1]));

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const bytes = done.map((o) => o.bytes!);
const encodes = done.map((o) => o.encodes!);
console.log('\nOutputs:\n');
printTable(
  ['measure', 'min', 'p5', 'p50', 'p95', 'max'],
  [
    ['bytes', ...[0, 0.05, 0.5, 0.95, 1].map((p) => pct(bytes, p))],
    ['JPEG encodes', ...[0, 0.05, 0.5, 0.95, 1].map((p) => pct(encodes, p))],
    ['JPEG quality', ...[0, 0.05, 0.5, 0.95, 1].map((p) => pct(done.map((o) => o.quality!), p))],
    ['ms per photo', ...[0, 0.05, 0.5, 0.95, 1].map((p) => Math.round(pct(done.map((o) => o.ms), p)))],
  ],
);
console.log(`\nMean encodes per photo: ${(encodes.reduce((a, b) => a + b, 0) / encodes.length).toFixed(2)}; outside 20,480–40,000 bytes: ${bytes.filter((b) => b < 20480 || b > 40000).length}. Background replaced in ${done.filter((o) => o.background === 'replaced').length} of ${done.length}.`);
if (done.length > passed.length) {
  console.log('\nOutputs that fail, one row each:\n');
  printTable(['photo', 'failed checks'], done.filter((o) => !o.passed).map((o) => [o.name.slice(-56), o.failed!.join(',')]));
}

// Contact sheet: input (contained) beside output, 6 pairs a row.
const cell = { width: 150, height: 200 };
const pairs = done.slice(0, 120);
const perRow = 6;
const sheetWidth = perRow * cell.width * 2 + (perRow - 1) * 10;
const sheetHeight = Math.ceil(pairs.length / perRow) * (cell.height + 10);
const tiles = await Promise.all(
  pairs.flatMap((o, i) => {
    const x = (i % perRow) * (cell.width * 2 + 10);
    const y = Math.floor(i / perRow) * (cell.height + 10);
    return [
      sharp(o.input!).rotate().resize(cell.width, cell.height, { fit: 'contain', background: '#222' }).flatten({ background: '#222' }).jpeg().toBuffer().then((input) => ({ input, left: x, top: y })),
      sharp(o.output!).resize(cell.width, cell.height).jpeg().toBuffer().then((input) => ({ input, left: x + cell.width, top: y })),
    ];
  }),
);
const outDir = join(new URL('.', import.meta.url).pathname, 'out');
mkdirSync(outDir, { recursive: true });
const sheet = await sharp({ create: { width: sheetWidth, height: Math.max(1, sheetHeight), channels: 3, background: '#111' } }).composite(tiles).jpeg({ quality: 80 }).toBuffer();
writeFileSync(join(outDir, 'compress-contact-sheet.jpg'), sheet);
console.log(`\nContact sheet (${pairs.length} pairs, input | output): eval/out/compress-contact-sheet.jpg`);
