/**
 * npm run eval:face-colour — is the person in colour? validatePhoto's faceColour check on the ordinary
 * photos of ../shared/data made compliant (480×640, 300 dpi, 24–36 KB), on the real ID photos, and on
 * defects made from each colour photo, seeded and varied:
 * - grey: the photo in black and white, with a slight warm or cool cast (0–2.5 ΔE) as scanners and
 *   filters leave;
 * - sepia: the classic sepia matrix at 60–100%;
 * - toned: a single tone of any hue (cyanotype, selenium, a coloured filter), chroma 6–18 at mid grey.
 * Each is encoded as a compliant upload (JPEG in the spec's byte band), so only the colour is wrong.
 * Photos that are black and white at the source are counted as defects of their own.
 *
 * Split by identity (half each way): the limits of HUBEI_EXAM_PHOTO.faceColour are chosen on 'dev' and
 * reported on 'test'; the dev half's suggestion is printed beside them.
 *
 *   npm run eval:face-colour [-- --limit N]
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { HUBEI_EXAM_PHOTO as SPEC } from '../src/core/spec.js';
import { encodeJpegInBand } from '../src/image/encode.js';
import { validatePhoto } from '../src/index.js';
import type { CheckOf } from '../src/photo/types.js';
import { DATA_DIR, printTable, requireData } from './data.js';
import { makeCompliant, ordinaryPhotos, resizedAsIs } from './photos.js';

requireData();
const args = process.argv.slice(2);
const limit = Number(args[args.indexOf('--limit') + 1]) || Infinity;
const { ordinary, REAL_ID_PHOTOS } = ordinaryPhotos(limit);

type Kind = 'colour' | 'real ID photo' | 'grey at the source' | 'grey' | 'sepia' | 'toned';
interface Row {
  name: string;
  kind: Kind;
  split: 'dev' | 'test';
  check: CheckOf<'faceColour'>;
  others: string[];
}

const splitOf = (identity: string): 'dev' | 'test' => (createHash('sha1').update(`face-colour:${identity}`).digest()[0]! % 2 === 0 ? 'dev' : 'test');
// A seeded draw per photo and defect: the same gallery on every run.
const draw = (key: string, i: number) => createHash('sha1').update(`${key}:${i}`).digest().readUInt32BE(0) / 2 ** 32;

/** The photo's pixels through a colour matrix (rows: R, G, B out), encoded as a compliant upload. */
async function recoloured(jpeg: Buffer, matrix: number[][], offset: readonly number[] = [0, 0, 0]): Promise<Buffer | undefined> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const out = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const m = matrix[c]!;
      out[i + c] = Math.max(0, Math.min(255, Math.round(m[0]! * data[i]! + m[1]! * data[i + 1]! + m[2]! * data[i + 2]! + offset[c]!)));
    }
  }
  return (await encodeJpegInBand({ data: out, width: info.width, height: info.height }, { minBytes: 24 * 1024, maxBytes: 36 * 1024, dpi: 300 }))?.buffer;
}

const LUMA = [0.299, 0.587, 0.114];
const SEPIA = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]];

/** The defects made from one colour photo. */
async function defects(name: string, jpeg: Buffer): Promise<Array<{ kind: Kind; bytes: Buffer | undefined }>> {
  // Grey with a cast: each channel's gain off 1 by up to ±1.5% (about 0–2.5 ΔE on skin tones).
  const cast = [0, 1, 2].map((c) => 1 + 0.03 * (draw(`${name}:grey`, c) - 0.5));
  const grey = await recoloured(jpeg, cast.map((g) => LUMA.map((w) => w * g)));
  // Sepia at 60–100%, blended with the photo's own grey.
  const k = 0.6 + 0.4 * draw(`${name}:sepia`, 0);
  const sepia = await recoloured(jpeg, SEPIA.map((row) => row.map((v, j) => k * v + (1 - k) * LUMA[j]!)));
  // One tone of any hue: grey plus a fixed colour offset that fades to white and black.
  const hue = 2 * Math.PI * draw(`${name}:toned`, 0);
  const strength = 6 + 12 * draw(`${name}:toned`, 1);
  const direction = [Math.cos(hue), Math.cos(hue - (2 * Math.PI) / 3), Math.cos(hue + (2 * Math.PI) / 3)];
  const toned = await recoloured(jpeg, direction.map((d) => LUMA.map((w) => w * (1 + (d * strength) / 128))));
  return [
    { kind: 'grey', bytes: grey },
    { kind: 'sepia', bytes: sepia },
    { kind: 'toned', bytes: toned },
  ];
}

/** Whether the photo is black and white at the source: its channels agree everywhere (±2). */
async function greyAtSource(jpeg: Buffer): Promise<boolean> {
  const { data } = await sharp(jpeg).removeAlpha().resize(120, 160).raw().toBuffer({ resolveWithObject: true });
  let off = 0;
  for (let i = 0; i < data.length; i += 3) if (Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!) > 6) off++;
  return off < data.length / 3 / 100;
}

const rows: Row[] = [];
/** A judged photo's measures (rows hold only checks that ran). */
const measures = (r: Row) => r.check.measured as { chroma: number; hueDeg: number; toneSpread: number };
const started = performance.now();
async function judge(name: string, kind: Kind, split: Row['split'], bytes: Buffer | undefined): Promise<void> {
  if (!bytes) return;
  const r = await validatePhoto(bytes, { filename: 'photo.jpg' });
  const check = r.checks.find((c) => c.id === 'faceColour') as CheckOf<'faceColour'>;
  if (check.status === 'skipped') return;
  rows.push({ name, kind, split, check, others: r.checks.filter((c) => c.status === 'failed' && c.id !== 'faceColour').map((c) => c.id) });
}
for (const row of ordinary) {
  const jpeg = await makeCompliant(row.path).catch(() => undefined);
  if (!jpeg) continue;
  const split = splitOf(row.identity);
  if (await greyAtSource(jpeg)) {
    await judge(row.relative, 'grey at the source', split, jpeg);
    continue;
  }
  await judge(row.relative, 'colour', split, jpeg);
  for (const d of await defects(row.relative, jpeg)) await judge(row.relative, d.kind, split, d.bytes);
}
for (const relative of REAL_ID_PHOTOS) {
  await judge(relative, 'real ID photo', 'test', await resizedAsIs(readFileSync(`${DATA_DIR}/${relative}`)));
}
const seconds = (performance.now() - started) / 1000;

const kinds: Kind[] = ['colour', 'real ID photo', 'grey at the source', 'grey', 'sepia', 'toned'];
const defect = (k: Kind) => k !== 'colour' && k !== 'real ID photo';
console.log(`# faceColour on ../shared/data (npm run eval:face-colour), ${new Date().toISOString().slice(0, 10)}\n`);
console.log(`${rows.length} photos judged in ${seconds.toFixed(0)} s. Limits: HUBEI_EXAM_PHOTO.faceColour = ${JSON.stringify(SPEC.faceColour)}.\n`);
const count = (rs: Row[]) => {
  const failed = rs.filter((r) => r.check.status === 'failed').length;
  return rs.length ? `${failed}/${rs.length} (${((100 * failed) / rs.length).toFixed(1)}%)` : '–';
};
printTable(
  ['photos', 'should', 'dev: failed faceColour', 'test: failed faceColour', 'all'],
  kinds.map((k) => {
    const of = (s?: string) => rows.filter((r) => r.kind === k && (!s || r.split === s));
    return [k, defect(k) ? 'fail' : 'pass', count(of('dev')), count(of('test')), count(of())];
  }),
);

const five = (xs: number[]) => {
  if (!xs.length) return '–';
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return [s[0]!, q(0.05), q(0.5), q(0.95), s.at(-1)!].map((v) => v.toFixed(1)).join(' / ');
};
console.log('\n## The measures beside their limits (min / 5% / median / 95% / max)\n');
printTable(
  ['photos', 'split', 'n', `chroma (≥ ${SPEC.faceColour.minChroma})`, 'hue ° (reported)', `tone spread (≥ ${SPEC.faceColour.minToneSpread})`],
  kinds.flatMap((k) =>
    (['dev', 'test'] as const).map((s) => {
      const m = rows.filter((r) => r.kind === k && r.split === s).map(measures);
      return [k, s, m.length, five(m.map((x) => x.chroma)), five(m.map((x) => x.hueDeg)), five(m.map((x) => x.toneSpread))];
    }),
  ),
);

// The dev half's suggestion: each limit midway between the dev colour photos' extreme and the defects' nearest.
const dev = rows.filter((r) => r.split === 'dev');
const colourDev = dev.filter((r) => r.kind === 'colour').map(measures);
const extreme = (xs: number[], f: 'min' | 'max') => (xs.length ? Math[f](...xs) : NaN);
const greyChroma = extreme(dev.filter((r) => r.kind === 'grey').map((r) => measures(r).chroma), 'max');
const sepiaHue = extreme(dev.filter((r) => r.kind === 'sepia').map((r) => measures(r).hueDeg), 'min');
const greySpread = extreme(dev.filter((r) => r.kind === 'grey' || r.kind === 'toned').map((r) => measures(r).toneSpread), 'max');
console.log(
  `\nThe dev half suggests: minChroma ${((greyChroma + extreme(colourDev.map((m) => m.chroma), 'min')) / 2).toFixed(1)} (grey ≤ ${greyChroma.toFixed(1)}, colour ≥ ${extreme(colourDev.map((m) => m.chroma), 'min').toFixed(1)}); ` +
    `skin hue up to ${((sepiaHue + extreme(colourDev.map((m) => m.hueDeg), 'max')) / 2).toFixed(0)}° (colour ≤ ${extreme(colourDev.map((m) => m.hueDeg), 'max').toFixed(1)}, sepia ≥ ${sepiaHue.toFixed(1)}), from ${extreme(colourDev.map((m) => m.hueDeg), 'min').toFixed(1)}°; ` +
    `minToneSpread ${((greySpread + extreme(colourDev.map((m) => m.toneSpread), 'min')) / 2).toFixed(2)} (grey and toned ≤ ${greySpread.toFixed(2)}, colour ≥ ${extreme(colourDev.map((m) => m.toneSpread), 'min').toFixed(2)}).`,
);

console.log('\n## Wrong verdicts\n');
const wrong = rows.filter((r) => (r.check.status === 'failed') !== defect(r.kind));
printTable(
  ['photo', 'kind', 'split', 'faceColour', 'chroma', 'hue °', 'tone spread', 'other checks failed'],
  wrong.map((r) => [r.name, r.kind, r.split, r.check.status, measures(r).chroma, measures(r).hueDeg, measures(r).toneSpread, r.others.join(' ') || '–']),
);
