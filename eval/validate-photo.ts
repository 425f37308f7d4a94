/**
 * npm run eval — validatePhoto on the real photos of ../shared/data.
 *
 * A. Ordinary single-face photos, framed around the face and made compliant in size (480×640),
 *    dpi (300) and bytes (20–40 KB): which checks pass or fail and why, so false rejects show.
 *    Their backgrounds are not blue, so 'background' is expected to fail on them.
 * B. Photos labelled with a known defect (eyes closed, profile, head tilt, looking down, blur):
 *    does the check for that defect catch it?
 * C. Real ID photos as they are (blue, white, red backgrounds), resized to 480×640.
 * D. The distribution of each measure over A: where the limits sit against real faces.
 *
 * Options: --limit N (first N photos of A), --detector ssd|tiny|ultraface|auto.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { validatePhoto } from '../src/index.js';
import type { Check, CheckId, PhotoValidation } from '../src/photo/types.js';
import { HUBEI_EXAM_PHOTO as SPEC } from '../src/core/spec.js';
import { DATA_DIR, type LabelRow, printTable, readLabels, requireData } from './data.js';
import { makeCompliant, ordinaryPhotos, resizedAsIs } from './photos.js';

requireData();
const args = process.argv.slice(2);
const limit = Number(args[args.indexOf('--limit') + 1]) || Infinity;
const detector = (args.includes('--detector') ? args[args.indexOf('--detector') + 1] : 'ssd') as 'ssd' | 'tiny' | 'ultraface' | 'auto';

const { ordinary, REAL_ID_PHOTOS, HIVISION_STRIP, KNOWN_DEFECTS } = ordinaryPhotos(limit);

const failedIds = (r: PhotoValidation) => r.checks.filter((c) => c.status === 'failed').map((c) => c.id);
const byId = (r: PhotoValidation, id: CheckId) => r.checks.find((c) => c.id === id)!;

console.log(`# validatePhoto on ../shared/data (${DATA_DIR}), detector ${detector}\n`);

// ---- A
const resultsA: Array<{ row: LabelRow; result: PhotoValidation }> = [];
const started = performance.now();
const skippedA: string[] = [];
for (const row of ordinary) {
  const bytes = await makeCompliant(row.path).catch((error) => {
    skippedA.push(`${row.relative} (${error.code ?? error.message})`);
    return undefined;
  });
  if (!bytes) continue;
  resultsA.push({ row, result: await validatePhoto(bytes, { filename: 'photo.jpg', detector }) });
}
const elapsedA = performance.now() - started;
console.log(`## A. ${resultsA.length} ordinary single-face photos, made 480×640, 300 dpi, 24–36 KB (${(elapsedA / resultsA.length).toFixed(0)} ms per photo incl. framing)\n`);
if (skippedA.length) console.log(`Left out, not decodable here: ${skippedA.join('; ')}\n`);
const checkIds = resultsA[0].result.checks.map((c) => c.id);
printTable(
  ['check', 'passed', 'failed', 'skipped', 'fail %', 'most common failure'],
  checkIds.map((id) => {
    const checks = resultsA.map((r) => byId(r.result, id));
    const failed = checks.filter((c) => c.status === 'failed');
    const messages = new Map<string, number>();
    for (const c of failed) {
      const key = c.message.en.replace(/[\d.]+/g, 'N').slice(0, 70);
      messages.set(key, (messages.get(key) ?? 0) + 1);
    }
    const top = [...messages].sort((a, b) => b[1] - a[1])[0];
    return [
      id,
      checks.filter((c) => c.status === 'passed').length,
      failed.length,
      checks.filter((c) => c.status === 'skipped').length,
      checks.length ? ((100 * failed.length) / checks.length).toFixed(1) : '-',
      top ? `${top[1]}× ${top[0]}` : '',
    ];
  }),
);

console.log('\nBy source (photos with one face found; failures of the face checks pose/eyesOpen/sharpness/exposure/headCovering):\n');
const sources = [...new Set(resultsA.map((r) => r.row.source))];
const FACE_CHECKS: CheckId[] = ['pose', 'eyesOpen', 'sharpness', 'exposure', 'headCovering'];
printTable(
  ['source', 'photos', 'one face', ...FACE_CHECKS.map((c) => `${c} fail`)],
  sources.map((s) => {
    const rs = resultsA.filter((r) => r.row.source === s);
    const one = rs.filter((r) => byId(r.result, 'faceCount').passed);
    return [s, rs.length, one.length, ...FACE_CHECKS.map((c) => one.filter((r) => byId(r.result, c).status === 'failed').length)];
  }),
);

console.log('\nFace-check failures in A, one row each (review these for false rejects):\n');
printTable(
  ['photo', 'failed', 'measured'],
  resultsA
    .filter((r) => FACE_CHECKS.some((c) => byId(r.result, c).status === 'failed'))
    .map((r) => {
      const failed = FACE_CHECKS.filter((c) => byId(r.result, c).status === 'failed');
      return [r.row.relative.slice(-48), failed.join(','), failed.map((c) => JSON.stringify(byId(r.result, c).measured)).join(' ').slice(0, 120)];
    }),
);

// ---- B
console.log('\n## B. Photos with a labelled defect: is it caught?\n');
const rowsB: Array<Array<string | number>> = [];
for (const [relative, expected] of Object.entries(KNOWN_DEFECTS)) {
  const row = readLabels().find((r) => r.relative === relative);
  if (!row) continue;
  const bytes = await makeCompliant(row.path);
  const result = await validatePhoto(bytes!, { filename: 'photo.jpg', detector });
  const check = byId(result, expected);
  const caughtBy = check.status === 'failed' ? 'caught' : check.status === 'skipped' ? `not measured (${failedIds(result).join(',')})` : 'MISSED';
  rowsB.push([relative.split('/').slice(-2).join('/'), row.note.slice(0, 28), expected, caughtBy, JSON.stringify(check.measured).slice(0, 80)]);
}
printTable(['photo', 'label', 'check', 'result', 'measured'], rowsB);

// ---- C
console.log('\n## C. Real ID photos, resized to 480×640 (cover crop), 300 dpi, 24–36 KB\n');
const rowsC: Array<Array<string | number>> = [];
const real: Array<{ name: string; bytes: Buffer | undefined }> = [];
for (const relative of REAL_ID_PHOTOS) real.push({ name: relative.split('/').slice(-2).join('/'), bytes: await resizedAsIs(readFileSync(`${DATA_DIR}/${relative}`)) });
const strip = readFileSync(`${DATA_DIR}/${HIVISION_STRIP}`);
const { width: sw = 0, height: sh = 0 } = await sharp(strip).metadata();
['red', 'blue-gradient', 'white', 'grey'].forEach((name, i) => {
  real.push({ name: `hivision strip ${name}`, bytes: undefined });
  void name;
  void i;
});
for (let i = 0; i < 4; i++) {
  const w = Math.floor(sw / 4);
  real[REAL_ID_PHOTOS.length + i].bytes = await resizedAsIs(strip, { left: i * w, top: 0, width: w, height: sh });
}
for (const { name, bytes } of real) {
  const result = await validatePhoto(bytes!, { filename: 'photo.jpg', detector });
  const head = byId(result, 'headPosition').measured as Record<string, number>;
  const bg = byId(result, 'background').measured as Record<string, unknown>;
  rowsC.push([
    name,
    failedIds(result).join(',') || 'none',
    `${bg.hex ?? '-'} blue ${bg.colourShare ?? '-'} ΔE ${bg.unevennessDeltaE ?? '-'}`,
    `crown ${head.crownMarginPx ?? '-'} chin ${head.chinMarginPx ?? '-'} head ${head.headHeightRatio ?? '-'}`,
  ]);
}
printTable(['photo', 'failed checks', 'background', 'head (px at 640)'], rowsC);

// ---- D
console.log('\n## D. Measures over A (photos with one face), against the limits\n');
const one = resultsA.filter((r) => byId(r.result, 'faceCount').passed).map((r) => r.result);
const measure = (id: CheckId, key: string, f: (v: number) => number = (v) => v) =>
  one.map((r) => (byId(r, id).measured as Record<string, number>)[key]).filter((v) => typeof v === 'number').map(f).sort((a, b) => a - b);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const spec = SPEC;
const rowsD: Array<[string, number[], string]> = [
  ['|yaw| °', measure('pose', 'yawDeg', Math.abs), `≤ ${spec.pose.maxYaw}`],
  ['|pitch| °', measure('pose', 'pitchDeg', Math.abs), `≤ ${spec.pose.maxPitch}`],
  ['|roll| °', measure('pose', 'rollDeg', Math.abs), `≤ ${spec.pose.maxRoll}`],
  ['pitch ° (signed)', measure('pose', 'pitchDeg'), ''],
  ['eye openness (min of two)', one.map((r) => Math.min(...Object.values(byId(r, 'eyesOpen').measured as Record<string, number>))).sort((a, b) => a - b), `≥ ${spec.minEyeOpenness}`],
  ['sharpness', measure('sharpness', 'sharpness'), `≥ ${spec.minSharpness}`],
  ['face luma', measure('exposure', 'faceLuma'), `${spec.exposure.minFaceLuma}–${spec.exposure.maxFaceLuma}`],
  ['face side difference', measure('exposure', 'sideDifference'), `≤ ${spec.exposure.maxSideDifference}`],
  ['head-covering score', measure('headCovering', 'score'), `≤ ${spec.maxHeadCoveringScore}`],
  ['height above hairline', measure('headCovering', 'heightAboveHairline'), ''],
];
printTable(
  ['measure', 'n', 'min', 'p5', 'p50', 'p95', 'max', 'limit'],
  rowsD.map(([name, xs, lim]) => [name, xs.length, ...[xs[0], pct(xs, 0.05), pct(xs, 0.5), pct(xs, 0.95), xs[xs.length - 1]].map((v) => (v === undefined ? '-' : v.toFixed(2))), lim]),
);
const mean = (k: keyof (typeof resultsA)[number]['result']['timings']) => resultsA.reduce((s, r) => s + (r.result.timings[k] ?? 0), 0) / resultsA.length;
console.log(`\nMean ms per validatePhoto stage over A: ${(['read', 'decode', 'detect', 'segment', 'mesh', 'checks'] as const).map((k) => `${k} ${mean(k).toFixed(1)}`).join(', ')}`);
