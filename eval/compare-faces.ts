/**
 * npm run eval:compare — face comparison on the labelled photos of ../shared/data.
 *
 * A. Every candidate embedding on the same SSD detections, aligned from face-api's 68 landmarks or from
 *    fr_landmark's (what compareFaces uses): true-accept rate at
 *    FAR 1e-2, 1e-3, 1e-4 and equal error rate, per source (pairs within a source) and pooled:
 *    Western with every source weighted equally (AT&T's 400 grey faces must not dominate), and East-Asian.
 * B. ID-card simulation: one photo of each pair printed small (eyes ~24 or ~48 px apart), blurred, JPEG q55,
 *    overlaid with a faint guilloche, then found and compared like a card. Both alignments.
 * C. Multi-frame fusion, as compareFaces does it: one "card" photo against the average embedding of
 *    three other photos of the same (or another) person. Both alignments.
 * D. Thresholds for compareFaces (fr_landmark alignment): the strictest of five pools' impostor
 *    quantiles, written to eval/results/compare-faces.md and copied by hand into src/compare/calibration.ts.
 * E. Portrait found on the specimen documents at each rotation.
 *
 * Each of A–E also runs detector 'auto' (UltraFace's box from fr_detect.onnx, SSD's where UltraFace finds
 * none; then fr_landmark and the same embedding) beside SSD, with D's thresholds computed for both, to
 * decide the detector on the same pairs.
 *
 * Embeddings are cached in eval/out/face-embeddings.json by variant (delete it to recompute); variants
 * without "(fr_landmark)" align from face-api's 68 landmarks, as compareFaces did before. Options:
 * --limit N, --no-documents (skip E), --fr-only (only the fr_landmark pipelines, SSD and auto: what
 * compareFaces can run; skips the face-api-landmark and FaceRecognitionNet variants).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { fivePoints } from '../src/models/align.js';
import { findCardPortrait } from '../src/compare/card-portrait.js';
import { type DetectedFace, type Point, detectFaces } from '../src/models/detect.js';
import { alignFace, cosine, embedAligned, normalize } from '../src/models/embed.js';
import { useFaceApi } from '../src/models/registry.js';
import { onnxLandmarks } from '../src/models/landmarks.js';
import { THRESHOLDS } from '../src/compare/calibration.js';
import type { RgbImage } from '../src/image/decode.js';
import { type LabelRow, printTable, readLabels, requireData, decodeDataImage } from './data.js';

requireData();
const args = process.argv.slice(2);
const limit = Number(args[args.indexOf('--limit') + 1]) || Infinity;
const OUT = join(import.meta.dirname, 'out');
const CACHE = join(OUT, 'face-embeddings.json');
mkdirSync(OUT, { recursive: true });

const VARIANTS = [
  'arcface',
  'arcface+flip',
  'frnet-box',
  'frnet-aligned',
  'card24:arcface+flip',
  'card48:arcface+flip',
  'arcface+flip (fr_landmark)',
  'card24:arcface+flip (fr_landmark)',
  'card48:arcface+flip (fr_landmark)',
  'arcface+flip (auto)',
  'card24:arcface+flip (auto)',
  'card48:arcface+flip (auto)',
] as const;
/** What compareFaces does: SSD box, fr_landmark's points, ArcFace alignment, fr_feature with flip. */
const CHOSEN = 'arcface+flip (fr_landmark)';
/** The same with detector 'auto' (UltraFace's box, SSD's where UltraFace finds no face) in place of SSD's. */
const ULTRA = 'arcface+flip (auto)';
const frOnly = args.includes('--fr-only');
/** The pipelines compared in B and C: name, photo variant, card variant prefix. */
const PIPELINES = [
  ...(frOnly ? [] : [['face-api 68 landmarks (before)', 'arcface+flip', ':arcface+flip'] as const]),
  ['fr_landmark on SSD', CHOSEN, `:${CHOSEN}`],
  ['fr_landmark on auto (UltraFace, else SSD)', ULTRA, `:${ULTRA}`],
] as const;
/** The variants this run computes. */
const WANTED = VARIANTS.filter((v) => !frOnly || v.includes('(fr_landmark)') || v.includes('(auto)'));
// Eye-centre distances of the simulated card portraits, pixels: a card photographed from far at low
// resolution, and a card that fills a 1000-px-wide phone photo less than halfway.
const CARD_SIZES = [24, 48] as const;
type Variant = (typeof VARIANTS)[number];
type Entry = Partial<Record<Variant, string | null>>;

// ---- which photos -------------------------------------------------------------------------------
const rows = readLabels().filter(
  (r) =>
    r.kind === 'face' &&
    !r.dupOf &&
    // AI-generated or derived images, and labels the data's own notes doubt, are not identities.
    !['hivision', 'liveportrait'].includes(r.source) &&
    !/DOUBTFUL|near-duplicate|DERIVED/.test(r.note),
).slice(0, limit);
const populationOf = (r: LabelRow) => (r.source.startsWith('asia/') ? 'East-Asian' : 'Western');

// ---- embeddings (cached) ------------------------------------------------------------------------
const cache: Record<string, Entry> = existsSync(CACHE) ? JSON.parse(readFileSync(CACHE, 'utf8')) : {};
const b64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
const unb64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

const decode = decodeDataImage;

/** A photo printed on an ID card and photographed: small, soft, JPEG-blocky, with a security pattern. */
async function asCard(image: RgbImage, face: DetectedFace, eyePx: number): Promise<RgbImage> {
  const [l, r] = fivePoints(face.landmarks) as [Point, Point];
  const k = Math.min(1, eyePx / Math.max(4, Math.hypot(r.x - l.x, r.y - l.y)));
  const w = Math.max(16, Math.round(image.width * k));
  const h = Math.max(16, Math.round(image.height * k));
  const pattern = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      const v = 128 + 127 * Math.sin(x * 0.9 + 6 * Math.sin(y * 0.15));
      pattern[o] = v;
      pattern[o + 1] = 200;
      pattern[o + 2] = 255 - v;
      pattern[o + 3] = 28;
    }
  const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(w, h)
    .blur(0.6)
    .composite([{ input: pattern, raw: { width: w, height: h, channels: 4 } }])
    .jpeg({ quality: 55 })
    .toBuffer();
  // The card photo is larger than the portrait: the portrait sits in a 3× wider frame of card colour.
  const framed = await sharp(jpeg)
    .extend({ top: h, bottom: h, left: 2 * w, right: w, background: { r: 222, g: 226, b: 230 } })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: framed.data, width: framed.info.width, height: framed.info.height };
}

let done = 0;
const started = performance.now();
for (const row of rows) {
  const entry = (cache[row.relative] ??= {});
  const missing = (v: Variant) => WANTED.includes(v) && !(v in entry);
  if (!WANTED.some(missing)) continue;
  let image: RgbImage;
  try {
    image = await decode(row.path);
  } catch (error) {
    console.error(`${row.relative}: not decodable here (${(error as Error).message}); left out`);
    for (const v of VARIANTS.filter(missing)) entry[v] = null;
    continue;
  }
  const faces = await detectFaces(image, { detector: 'ssd', minConfidence: 0.3 });
  const face = faces[0];
  if (!face) {
    for (const v of VARIANTS.filter(missing)) entry[v] = null;
    continue;
  }
  if (missing(ULTRA) || missing(`card24:${ULTRA}`) || missing(`card48:${ULTRA}`)) {
    // As compareFaces runs it on a frame: the box refined from face-api's landmarks into SSD's shape.
    const [u] = await detectFaces(image, { detector: 'auto' });
    entry[ULTRA] = u ? b64((await embedAligned([await alignFace(image, await onnxLandmarks(image, u.box))], { flip: true }))[0]!) : null;
    for (const eyePx of CARD_SIZES) {
      // The same simulated card as SSD's rows (sized from face-api's eyes on SSD's face).
      const card = row.source === 'att_faces' ? undefined : await findCardPortrait(await asCard(image, face, eyePx), { detector: 'auto' });
      entry[`card${eyePx}:${ULTRA}`] = card ? b64((await embedAligned([card.crop], { flip: true }))[0]!) : null;
    }
  }
  if (missing('arcface') || missing('arcface+flip')) {
    const crop = await alignFace(image, face.landmarks);
    entry.arcface = b64((await embedAligned([crop]))[0]!);
    entry['arcface+flip'] = b64((await embedAligned([crop], { flip: true }))[0]!);
  }
  if (missing(CHOSEN)) entry[CHOSEN] = b64((await embedAligned([await alignFace(image, await onnxLandmarks(image, face.box))], { flip: true }))[0]!);
  if (missing('frnet-box') || missing('frnet-aligned')) await frnet(image, face, entry);
  for (const eyePx of CARD_SIZES) {
    for (const landmarks of frOnly ? (['fr_landmark'] as const) : (['face-api', 'fr_landmark'] as const)) {
      const key = landmarks === 'face-api' ? (`card${eyePx}:arcface+flip` as const) : (`card${eyePx}:${CHOSEN}` as const);
      if (!missing(key)) continue;
      // AT&T's 92×112 faces are already smaller than any card portrait. The card is sized from face-api's
      // eyes for both alignments, so that both see the same simulated cards.
      const card = row.source === 'att_faces' ? undefined : await findCardPortrait(await asCard(image, face, eyePx), { detector: 'ssd', landmarks });
      entry[key] = card ? b64((await embedAligned([card.crop], { flip: true }))[0]!) : null;
    }
  }
  if (++done % 25 === 0) {
    writeFileSync(CACHE, JSON.stringify(cache));
    console.error(`${done} photos embedded, ${((performance.now() - started) / done).toFixed(0)} ms each`);
  }
}
writeFileSync(CACHE, JSON.stringify(cache));

/** face-api's FaceRecognitionNet on its box crop and on an aligned crop. */
async function frnet(image: RgbImage, face: DetectedFace, entry: Entry): Promise<void> {
  // face-api's own way: the detection box, square, resized to 150×150 by the network.
  const side = Math.max(face.box.width, face.box.height);
  const cx = face.box.x + face.box.width / 2;
  const cy = face.box.y + face.box.height / 2;
  const left = Math.max(0, Math.round(cx - side / 2));
  const top = Math.max(0, Math.round(cy - side / 2));
  const boxCrop = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width: Math.min(image.width - left, Math.round(side)), height: Math.min(image.height - top, Math.round(side)) })
    .resize(150, 150, { fit: 'fill' })
    .raw()
    .toBuffer();
  entry['frnet-box'] = b64((await embedFaceRecognitionNet([{ data: boxCrop, width: 150, height: 150 }]))[0]!);
  entry['frnet-aligned'] = b64((await embedFaceRecognitionNet([await alignFace(image, face.landmarks, 150, 0.12)]))[0]!);
}

// ---- pairs and rates ----------------------------------------------------------------------------
interface Scored {
  score: number;
  weight: number;
}

function embeddingOf(row: LabelRow, v: Variant): Float32Array | undefined {
  const s = cache[row.relative]?.[v];
  return s ? unb64(s) : undefined;
}

/** Genuine and impostor scores; `cardVariant` puts the first photo of each pair through the card simulation. */
function pairs(set: LabelRow[], v: Variant, cardVariant?: Variant): { genuine: number[]; impostor: number[]; missing: number } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  let missing = 0;
  for (let i = 0; i < set.length; i++) {
    for (let j = cardVariant ? 0 : i + 1; j < set.length; j++) {
      if (i === j) continue;
      const a = embeddingOf(set[i]!, cardVariant ?? v);
      const b = embeddingOf(set[j]!, v);
      const same = set[i]!.identity === set[j]!.identity;
      if (!a || !b) {
        if (same) missing++;
        continue;
      }
      (same ? genuine : impostor).push(cosine(a, b));
    }
  }
  return { genuine, impostor, missing };
}

/** The threshold above which a weighted `far` share of impostor scores lies. */
function thresholdAt(impostor: Scored[], far: number): number {
  const sorted = [...impostor].sort((a, b) => b.score - a.score);
  const total = sorted.reduce((s, x) => s + x.weight, 0);
  let above = 0;
  for (const x of sorted) {
    if ((above + x.weight) / total > far) return x.score + 1e-6;
    above += x.weight;
  }
  return sorted.at(-1)?.score ?? 0;
}

function rateAbove(scores: Scored[], t: number): number {
  const total = scores.reduce((s, x) => s + x.weight, 0);
  return scores.filter((x) => x.score >= t).reduce((s, x) => s + x.weight, 0) / total;
}

function eer(genuine: Scored[], impostor: Scored[]): number {
  let best = 1;
  for (let t = -0.2; t <= 1; t += 0.002) best = Math.min(best, Math.max(1 - rateAbove(genuine, t), rateAbove(impostor, t)));
  return best;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const weighted = (xs: number[], w = 1): Scored[] => xs.map((score) => ({ score, weight: w }));

function metrics(genuine: Scored[], impostor: Scored[]) {
  const n = impostor.length;
  return [1e-2, 1e-3, 1e-4].map((far) => {
    // A FAR below 1/n impostor pairs cannot be read off n pairs.
    if (far * n < 1) return { far, t: NaN, tar: 'n/a' };
    const t = thresholdAt(impostor, far);
    return { far, t, tar: pct(rateAbove(genuine, t)) };
  });
}

/**
 * Pooling weight of each pair of a source with n pairs: a source counts as at most CAP pairs, so AT&T's
 * 67,797 impostor pairs weigh as much as LFW's 4,500 and no more. (Weighting every source equally lets
 * one impostor pair of a 29-pair source decide the 1e-3 quantile: tried, and it did.)
 */
const CAP = 4500;
const sourceWeight = (n: number) => Math.min(n, CAP) / n;

/** Gaussian tail estimate of the impostor quantile, for pools too small to read a 1e-3 or 1e-4 quantile off. */
function gaussianThreshold(scores: number[], far: number): number {
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / (scores.length - 1));
  const z = { 0.01: 2.326, 0.001: 3.09, 0.0001: 3.719 }[far]!;
  return mean + z * sd;
}

const sources = [...new Set(rows.map((r) => r.source))];
const bySource = new Map(sources.map((s) => [s, rows.filter((r) => r.source === s)]));
const western = sources.filter((s) => !s.startsWith('asia/'));
const asian = rows.filter((r) => populationOf(r) === 'East-Asian');

console.log(`\n## A. Embeddings on the same detections: ${rows.length} photos, ${sources.length} sources\n`);
const results: Record<string, { tar: string[]; eer: string; thresholds: number[] }> = {};
for (const v of (['arcface', 'arcface+flip', CHOSEN, ULTRA, 'frnet-box', 'frnet-aligned'] as Variant[]).filter((v) => WANTED.includes(v))) {
  const table: Array<Array<string | number>> = [];
  const wg: Scored[] = [];
  const wi: Scored[] = [];
  for (const s of sources) {
    const p = pairs(bySource.get(s)!, v);
    if (p.genuine.length === 0) continue;
    const m = metrics(weighted(p.genuine), weighted(p.impostor));
    table.push([s, p.genuine.length, p.impostor.length, p.missing, ...m.map((x) => x.tar), pct(eer(weighted(p.genuine), weighted(p.impostor)))]);
    if (western.includes(s)) {
      wg.push(...weighted(p.genuine, sourceWeight(p.genuine.length)));
      wi.push(...weighted(p.impostor, sourceWeight(p.impostor.length)));
    }
  }
  const wm = metrics(wg, wi);
  const wEer = eer(wg, wi);
  table.push(['**Western, pooled, AT&T capped**', wg.length, wi.length, '', ...wm.map((x) => x.tar), pct(wEer)]);
  const a = pairs(asian, v);
  const am = metrics(weighted(a.genuine), weighted(a.impostor));
  const aEer = eer(weighted(a.genuine), weighted(a.impostor));
  table.push(['**East-Asian (asia/, pooled)**', a.genuine.length, a.impostor.length, a.missing, ...am.map((x) => x.tar), pct(aEer)]);
  console.log(`### ${v}\n`);
  printTable(['source', 'genuine', 'impostor', 'genuine lost (no face)', 'TAR@1e-2', 'TAR@1e-3', 'TAR@1e-4', 'EER'], table);
  console.log('');
  results[v] = { tar: [...wm, ...am].map((x) => x.tar), eer: `${pct(wEer)} / ${pct(aEer)}`, thresholds: [] };
}
printTable(
  ['embedding', 'Western TAR@1e-2', 'TAR@1e-3', 'TAR@1e-4', 'East-Asian TAR@1e-2', 'TAR@1e-3', 'TAR@1e-4', 'EER W / EA'],
  Object.entries(results).map(([v, r]) => [v, ...r.tar, r.eer]),
);

// ---- B. card simulation ----------------------------------------------------------------------------
console.log('\n## B. ID-card simulation: card side printed small and photographed, arcface+flip, both alignments\n');
console.log(`Thresholds: those in calibration.ts now (${Object.values(THRESHOLDS).join(' / ')}), for both rows.\n`);
{
  const table: Array<Array<string | number>> = [];
  for (const eyePx of CARD_SIZES) {
    for (const [alignment, photo, card] of PIPELINES) {
      for (const [name, set] of [
        ['Western (no AT&T), pooled', rows.filter((r) => populationOf(r) === 'Western' && r.source !== 'att_faces')],
        ['East-Asian', asian],
      ] as const) {
        const p = pairs(set, photo, `card${eyePx}${card}`);
        const m = metrics(weighted(p.genuine), weighted(p.impostor));
        const atCal = [1e-2, 1e-3, 1e-4].map((far) => pct(rateAbove(weighted(p.genuine), THRESHOLDS[far as 1e-3])));
        const farCal = [1e-2, 1e-3, 1e-4].map((far) => pct(rateAbove(weighted(p.impostor), THRESHOLDS[far as 1e-3])));
        table.push([`${eyePx} px`, alignment, name, p.genuine.length, p.impostor.length, p.missing, ...m.map((x) => x.tar), atCal.join(' / '), farCal.join(' / ')]);
      }
    }
  }
  printTable(['card eyes', 'alignment', 'set', 'genuine', 'impostor', 'card face not found', 'TAR@1e-2', 'TAR@1e-3', 'TAR@1e-4', 'TAR at compareFaces thresholds 1e-2/1e-3/1e-4', 'FAR there'], table);
}

// ---- C. fusion ----------------------------------------------------------------------------------
console.log('\n## C. Multi-frame fusion (card photo vs mean embedding of 3 other photos), arcface+flip, both alignments\n');
{
  const table: Array<Array<string | number>> = [];
  for (const [alignment, photo] of PIPELINES) {
    for (const [name, set] of [
      ['Western, all sources', rows.filter((r) => populationOf(r) === 'Western')],
      ['East-Asian', asian],
    ] as const) {
      const byId = new Map<string, Float32Array[]>();
      for (const r of set) {
        const e = embeddingOf(r, photo);
        if (e) byId.set(r.identity, [...(byId.get(r.identity) ?? []), e]);
      }
      const ids = [...byId.keys()].filter((id) => byId.get(id)!.length >= 4);
      const fuse = (es: Float32Array[]) => {
        const f = new Float32Array(es[0]!.length);
        for (const e of es) for (let i = 0; i < f.length; i++) f[i]! += e[i]!;
        return normalize(f);
      };
      const single: number[] = [];
      const fused: number[] = [];
      const fusedImpostor: number[] = [];
      const singleImpostor: number[] = [];
      for (const id of ids) {
        const es = byId.get(id)!;
        for (let c = 0; c < es.length; c++) {
          const others = es.filter((_, i) => i !== c).slice(0, 3);
          fused.push(cosine(es[c]!, fuse(others)));
          single.push(...others.map((o) => cosine(es[c]!, o)));
          for (const other of ids) {
            if (other === id) continue;
            const frames = byId.get(other)!.slice(0, 3);
            fusedImpostor.push(cosine(es[c]!, fuse(frames)));
            singleImpostor.push(...frames.map((o) => cosine(es[c]!, o)));
          }
        }
      }
      // This population's own 1e-3 threshold, from its single-photo impostor pairs (Gaussian tail when too few).
      const own = singleImpostor.length >= 1e4 ? thresholdAt(weighted(singleImpostor), 1e-3) : gaussianThreshold(singleImpostor, 1e-3);
      for (const [how, g, i] of [
        ['one frame', single, singleImpostor],
        ['3 frames fused', fused, fusedImpostor],
      ] as const) {
        const atCal = [1e-2, 1e-3, 1e-4].map((far) => pct(rateAbove(weighted(g), THRESHOLDS[far as 1e-3])));
        const farCal = [1e-2, 1e-3, 1e-4].map((far) => pct(rateAbove(weighted(i), THRESHOLDS[far as 1e-3])));
        table.push([alignment, name, how, ids.length, g.length, i.length, atCal.join(' / '), farCal.join(' / '), `${pct(rateAbove(weighted(g), own))} (${own.toFixed(3)})`]);
      }
    }
  }
  printTable(['alignment', 'set', 'comparison', 'identities', 'genuine', 'impostor', 'TAR at thresholds 1e-2/1e-3/1e-4', 'FAR at thresholds', "TAR at the population's own 1e-3 threshold"], table);
}

// ---- D. thresholds ------------------------------------------------------------------------------
for (const CHOSEN of [ULTRA, 'arcface+flip (fr_landmark)'] as const) {
console.log(`\n## D. Thresholds for compareFaces (${CHOSEN}): the strictest impostor quantile of five pools\n`);
  const wi: Scored[] = [];
  for (const s of western) {
    const p = pairs(bySource.get(s)!, CHOSEN);
    if (p.impostor.length) wi.push(...weighted(p.impostor, sourceWeight(p.impostor.length)));
  }
  const ai = pairs(asian, CHOSEN).impostor;
  // Every different-identity pair across all sources: the only pool large enough for 1e-4.
  const all: number[] = [];
  const usable = rows.filter((r) => embeddingOf(r, CHOSEN));
  for (let i = 0; i < usable.length; i++)
    for (let j = i + 1; j < usable.length; j++)
      if (usable[i]!.identity !== usable[j]!.identity) all.push(cosine(embeddingOf(usable[i]!, CHOSEN)!, embeddingOf(usable[j]!, CHOSEN)!));
  // The harsher of the two card simulations.
  const cardWestern = pairs(rows.filter((r) => populationOf(r) === 'Western' && r.source !== 'att_faces'), CHOSEN, `card24:${CHOSEN}`).impostor;
  const cardAsian = pairs(asian, CHOSEN, `card24:${CHOSEN}`).impostor;
  const pools: Array<[string, number[], Scored[]]> = [
    ['Western within-source, AT&T capped', [], wi],
    ['East-Asian', ai, weighted(ai)],
    ['all different-identity pairs', all, weighted(all)],
    ['card simulation, Western', cardWestern, weighted(cardWestern)],
    ['card simulation, East-Asian', cardAsian, weighted(cardAsian)],
  ];
  const chosen: Record<string, number> = {};
  const table = [1e-2, 1e-3, 1e-4].map((far) => {
    const ts = pools.map(([, raw, p]) => {
      if (far * p.length >= 10) return { t: thresholdAt(p, far), how: 'empirical' };
      // Fewer than 10 impostor pairs beyond the quantile: a Gaussian fitted to the pool's scores.
      if (raw.length >= 200) return { t: gaussianThreshold(raw, far), how: 'Gaussian tail' };
      return { t: NaN, how: 'n/a' };
    });
    const strictest = Math.max(...ts.map((x) => x.t).filter((t) => Number.isFinite(t)));
    chosen[String(far)] = strictest;
    return [String(far), ...pools.map(([, , p], i) => (Number.isFinite(ts[i]!.t) ? `${ts[i]!.t.toFixed(4)} ${ts[i]!.how} (${p.length})` : `n/a (${p.length})`)), strictest.toFixed(3), THRESHOLDS[far as 1e-3]];
  });
  printTable(['FAR', ...pools.map(([n]) => n), 'strictest', 'in calibration.ts'], table);
  console.log(`\nAt the thresholds in calibration.ts (${CHOSEN}, one photo each side):`);
  printTable(
    ['pool', 'FAR at 1e-2 / 1e-3 / 1e-4 thresholds'],
    pools.map(([name, , p]) => [name, [1e-2, 1e-3, 1e-4].map((far) => pct(rateAbove(p, THRESHOLDS[far as 1e-3]))).join(' / ')]),
  );
}

if (args.includes('--no-documents')) process.exit(0);

// ---- E. documents -------------------------------------------------------------------------------
console.log('\n## E. Portrait found on specimen documents at each rotation\n');
{
  const docs = readLabels().filter((r) => r.kind === 'id_document').slice(0, limit);
  for (const detector of ['ssd', 'auto'] as const) {
  const found = { 0: 0, 90: 0, 180: 0, 270: 0 } as Record<number, number>;
  const upright = { 0: 0, 90: 0, 180: 0, 270: 0 } as Record<number, number>;
  const times: number[] = [];
  for (const doc of docs) {
    const image = await decode(doc.path);
    for (const turn of [0, 90, 180, 270] as const) {
      const turned = turn === 0 ? image : await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).rotate(turn).raw().toBuffer({ resolveWithObject: true }).then(({ data, info }) => ({ data, width: info.width, height: info.height }));
      const t = performance.now();
      const p = await findCardPortrait(turned, { detector });
      times.push(performance.now() - t);
      if (p) {
        found[turn]!++;
        // Turning the document by `turn` and the finder by `rotation` must bring it back to upright.
        if ((turn + p.rotation) % 360 === 0) upright[turn]!++;
      }
    }
  }
  times.sort((a, b) => a - b);
  console.log(`\n${detector}:\n`);
  printTable(
    ['document turned by', 'documents', 'portrait found', 'found the right way up'],
    ([0, 90, 180, 270] as const).map((t) => [`${t}°`, docs.length, pct(found[t]! / docs.length), pct(upright[t]! / docs.length)]),
  );
  console.log(`\nfindCardPortrait (${detector}): median ${times[times.length >> 1]!.toFixed(0)} ms, p90 ${times[Math.floor(times.length * 0.9)]!.toFixed(0)} ms per document view.`);
  }
}

/**
 * face-api's FaceRecognitionNet (128-d) on aligned 150×150 crops: kept for evaluation and the
 * benchmark's comparison, not used by compareFaces (this evaluation shows why). Evaluation-only: it
 * lives here, not in the library.
 */
async function embedFaceRecognitionNet(crops: readonly RgbImage[]): Promise<Float32Array[]> {
  const rt = await useFaceApi(['faceRecognitionNet']);
  const out: Float32Array[] = [];
  for (const crop of crops) {
    const tensor = rt.tf.tensor3d(crop.data, [crop.height, crop.width, 3], 'int32');
    try {
      const descriptor = (await rt.faceapi.nets.faceRecognitionNet.computeFaceDescriptor(tensor as never)) as Float32Array;
      out.push(normalize(Float32Array.from(descriptor)));
    } finally {
      tensor.dispose();
    }
  }
  return out;
}
