/**
 * npm run eval:detectors — the face detectors on the labelled single-person photos of ../shared/data:
 * share of photos with a face, photos with a second face (a false positive or a face in the background),
 * ms per photo, and where UltraFace's box sits against SSD's (the later stages — landmarks, the face mesh
 * crop, the head geometry — were tuned on SSD's boxes).
 *
 *   ssd        detectFaces 'ssd', boxes only (SSD MobileNet v1 on tfjs; padded retry when nothing is found)
 *   ultraface  detectFaces 'ultraface', boxes only (fr_detect.onnx letterboxed; padded retry)
 *   auto       UltraFace, then SSD when UltraFace finds nothing
 *
 * Options: --limit N. Results: eval/results/detectors.md.
 */
import { type Box, type DetectorName, detectFaces, extent } from '../src/models/detect.js';
import { onnxLandmarks } from '../src/models/landmarks.js';
import { loadModels } from '../src/index.js';
import type { RgbImage } from '../src/image/decode.js';
import { decodeDataImage, printTable, readLabels, requireData } from './data.js';

requireData();
const args = process.argv.slice(2);
const limit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : Infinity;
const DETECTORS: readonly DetectorName[] = ['ssd', 'ultraface', 'auto'];
// As compareFaces and the liveness tracker count faces.
const MIN_CONFIDENCE = 0.5;

const rows = readLabels()
  .filter((r) => r.kind === 'face' && !r.dupOf && !['hivision', 'liveportrait'].includes(r.source) && !/DOUBTFUL|near-duplicate|DERIVED/.test(r.note))
  .slice(0, limit);

interface Found {
  ms: number;
  faces: number;
  box?: Box;
}
/** SSD's box in units of the extent of face-api's landmarks on it: what landmarkBox() in detect.ts undoes. */
const boxFromLandmarks: Array<{ dx: number; dy: number; w: number; h: number }> = [];
/** The same for fr_landmark's points on SSD's box (detect.ts FR_LANDMARK_BOX). */
const boxFromFrLandmarks: typeof boxFromLandmarks = [];
const inExtentUnits = (box: Box, points: readonly { x: number; y: number }[]) => {
  const e = extent(points);
  return { dx: (box.x + box.width / 2 - (e.x + e.width / 2)) / e.width, dy: (box.y + box.height / 2 - (e.y + e.height / 2)) / e.height, w: box.width / e.width, h: box.height / e.height };
};
const results: Array<{ source: string; found: Record<DetectorName, Found> }> = [];
const { models } = await loadModels({ models: ['ssdMobilenetv1', 'faceDetectOnnx'] });
let warm = false;
for (const row of rows) {
  let image: RgbImage;
  try {
    image = await decodeDataImage(row.path);
  } catch {
    continue;
  }
  if (!warm) {
    for (const detector of DETECTORS) await detectFaces(image, { detector, landmarks: false });
    warm = true;
  }
  const found = {} as Record<DetectorName, Found>;
  for (const detector of DETECTORS) {
    const t = performance.now();
    const faces = await detectFaces(image, { detector, landmarks: false, minConfidence: MIN_CONFIDENCE });
    found[detector] = { ms: performance.now() - t, faces: faces.length, box: faces[0]?.box };
  }
  results.push({ source: row.source, found });
  const [ssdFace] = await detectFaces(image, { detector: 'ssd', minConfidence: MIN_CONFIDENCE });
  if (ssdFace) {
    boxFromLandmarks.push(inExtentUnits(ssdFace.box, ssdFace.landmarks));
    boxFromFrLandmarks.push(inExtentUnits(ssdFace.box, await onnxLandmarks(image, ssdFace.box)));
  }
}

const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

console.log(`# Face detectors on ${results.length} single-person photos of ../shared/data (min confidence ${MIN_CONFIDENCE})\n`);
console.log(`Runtimes: ${models.map((m) => `${m.name} on ${m.runtime}`).join(', ')}.\n`);
const sources = [...new Set(results.map((r) => r.source))];
printTable(
  ['source', 'photos', ...DETECTORS.map((d) => `${d}: a face`), ...DETECTORS.map((d) => `${d}: >1 face`)],
  [...sources, 'all'].map((source) => {
    const of = results.filter((r) => source === 'all' || r.source === source);
    return [
      source === 'all' ? '**all**' : source,
      of.length,
      ...DETECTORS.map((d) => pct(of.filter((r) => r.found[d].faces > 0).length, of.length)),
      ...DETECTORS.map((d) => of.filter((r) => r.found[d].faces > 1).length),
    ];
  }),
);
console.log();
printTable(
  ['detector', 'median ms', 'p90 ms'],
  DETECTORS.map((d) => {
    const ms = results.map((r) => r.found[d].ms).sort((a, b) => a - b);
    return [d, median(ms).toFixed(1), ms[Math.floor(ms.length * 0.9)]!.toFixed(1)];
  }),
);

// UltraFace's box against SSD's, in SSD box widths/heights: the correction detect.ts applies.
const both = results.filter((r) => r.found.ssd.box && r.found.ultraface.box).map((r) => [r.found.ssd.box!, r.found.ultraface.box!] as const);
const iou = (a: Box, b: Box) => {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
};
console.log(`\nUltraFace's largest box against SSD's, on the ${both.length} photos where both found a face (medians):\n`);
printTable(
  ['IoU', 'width ratio (U/S)', 'height ratio (U/S)', 'centre shift x (SSD widths)', 'centre shift y (SSD heights)', 'IoU < 0.5'],
  [
    [
      median(both.map(([s, u]) => iou(s, u))).toFixed(3),
      median(both.map(([s, u]) => u.width / s.width)).toFixed(3),
      median(both.map(([s, u]) => u.height / s.height)).toFixed(3),
      median(both.map(([s, u]) => (u.x + u.width / 2 - (s.x + s.width / 2)) / s.width)).toFixed(3),
      median(both.map(([s, u]) => (u.y + u.height / 2 - (s.y + s.height / 2)) / s.height)).toFixed(3),
      both.filter(([s, u]) => iou(s, u) < 0.5).length,
    ],
  ],
);

for (const [name, list, constant] of [
  ["face-api's 68 landmarks", boxFromLandmarks, 'LANDMARK_BOX'],
  ["fr_landmark's 68 points", boxFromFrLandmarks, 'FR_LANDMARK_BOX'],
] as const) {
console.log(`\nSSD's box against the extent of ${name} on it, ${list.length} photos (medians; detect.ts ${constant}):\n`);
printTable(
  ['centre shift x (extent widths)', 'centre shift y (extent heights)', 'width / extent width', 'height / extent height'],
  [[median(list.map((b) => b.dx)).toFixed(4), median(list.map((b) => b.dy)).toFixed(4), median(list.map((b) => b.w)).toFixed(4), median(list.map((b) => b.h)).toFixed(4)]],
);
}
