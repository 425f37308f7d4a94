/**
 * readIdCard on synthetic card photos (scripts/make-synthetic-cards.ts: random people, valid and wrong
 * check characters, four rotations, tilt, shear, blur, glare, JPEG 70–80) and on the mock card of
 * ../shared/data, with each field's exact-match rate, the side and rotation, every wrong check
 * character reported or not, false reports on valid numbers, and the time a card takes.
 *
 *   npm run eval:card [-- --count N] [--runtime node|web] [--no-portrait]
 *
 * The cards are made first when eval/out/synthetic-cards/ does not hold them (about a minute for 240).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readIdCard } from '../src/card/read-id-card.js';
import type { IdCardReading } from '../src/card/types.js';
import { loadModels } from '../src/models/registry.js';
import { median, quantile } from '../src/core/stats.js';
import { DATA_DIR } from './data.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '240' }, runtime: { type: 'string', default: 'node' }, 'no-portrait': { type: 'boolean', default: false }, out: { type: 'string', default: 'eval/out/synthetic-cards' } } });
const count = Number(values.count);
const dir = values.out!;
const NOW = new Date('2026-12-01');

interface Label {
  file: string;
  side: 'portrait' | 'emblem';
  rotation: 0 | 90 | 180 | 270;
  tiltDeg: number;
  blur: number;
  glare: boolean;
  fields: Record<string, string>;
  checksumValid?: boolean;
}

function labels(): Label[] {
  const file = join(dir, 'labels.json');
  const have = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Label[]) : [];
  if (have.length < count) {
    console.error(`Making ${count} synthetic cards in ${dir} …`);
    execFileSync('npx', ['tsx', 'scripts/make-synthetic-cards.ts', '--count', String(count), '--out', dir], { stdio: 'inherit' });
    return (JSON.parse(readFileSync(file, 'utf8')) as Label[]).slice(0, count);
  }
  return have.slice(0, count);
}

const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}% (${n}/${d})`);

await loadModels({ models: ['ocrDetection', 'ocrRecognition', 'ocrDirection', 'faceDetectOnnx', 'faceLandmarkOnnx', 'faceEmbedding'], onnxRuntime: values.runtime as 'node' | 'web' });
const cards = labels();
// One read before timing: the first loads the OCR sessions.
await readIdCard(join(dir, cards[0]!.file), { now: NOW, portrait: !values['no-portrait'] });

const tally = { side: 0, rotation: 0, portrait: 0, emblem: 0, emblemSide: 0, invalid: 0, invalidReported: 0, valid: 0, falseChecksum: 0, portraitFound: 0 };
const fieldHits: Record<string, number> = {};
// Warnings a clean card must not get: another face, a layout not a card's, a number corrected, the photo's
// faults (these cards' blur, up to 1.2 px, and soft glare leave every field read).
const raised = { FACE_OUTSIDE_CARD: 0, CARD_LAYOUT: 0, ID_NUMBER_CORRECTED: 0, CARD_PHOTOCOPY: 0, CARD_BLURRED: 0, CARD_GLARE: 0, CARD_CUT_OFF: 0, CARD_SCREEN: 0, CARD_FINGER: 0 };
const fieldTotals: Record<string, number> = {};
const times: number[] = [];
const stages: Record<string, number[]> = {};
const misses: string[] = [];
for (const label of cards) {
  const started = performance.now();
  const r: IdCardReading = await readIdCard(join(dir, label.file), { now: NOW, portrait: !values['no-portrait'] });
  times.push(performance.now() - started);
  for (const [k, v] of Object.entries(r.timings)) (stages[k] ??= []).push(v);
  if (r.side === label.side) tally.side++;
  if (r.rotation === (360 - label.rotation) % 360) tally.rotation++;
  else misses.push(`${label.file}: rotation ${r.rotation}, expected ${(360 - label.rotation) % 360}`);
  const fields = label.side === 'portrait' ? ['name', 'sex', 'ethnicity', 'birthDate', 'address', 'idNumber'] : ['authority', 'validFrom', 'validTo'];
  for (const key of fields) {
    fieldTotals[key] = (fieldTotals[key] ?? 0) + 1;
    const read = (r.fields as Record<string, { value: string } | undefined>)[key]?.value;
    if (read === label.fields[key]) fieldHits[key] = (fieldHits[key] ?? 0) + 1;
    else misses.push(`${label.file} ${key}: read ${JSON.stringify(read)}, printed ${JSON.stringify(label.fields[key])} (tilt ${label.tiltDeg.toFixed(1)}, blur ${label.blur}, glare ${label.glare})`);
  }
  if (label.side === 'emblem') {
    tally.emblem++;
    if (r.side === 'emblem') tally.emblemSide++;
    continue;
  }
  tally.portrait++;
  if (r.portrait) tally.portraitFound++;
  for (const id of Object.keys(raised) as Array<keyof typeof raised>) {
    if (r.reasons.some((x) => x.id === id)) {
      raised[id]++;
      misses.push(`${label.file}: ${id} raised on a clean card (${JSON.stringify(r.reasons.find((x) => x.id === id)!.measured)})`);
    }
  }
  const checksumReported = r.reasons.some((x) => x.id === 'ID_NUMBER_CHECKSUM');
  if (label.checksumValid === false) {
    tally.invalid++;
    if (checksumReported) tally.invalidReported++;
    else misses.push(`${label.file}: wrong check character not reported`);
  } else {
    tally.valid++;
    if (checksumReported) tally.falseChecksum++;
  }
}

// The real mock card (../shared/data): every field as printed; its check character is wrong (9 is right).
const mockPath = join(DATA_DIR, 'asia/id-number-detect/test_imgs/sample.jpg');
let mock = 'not found (../shared/data absent)';
if (existsSync(mockPath)) {
  const r = await readIdCard(mockPath, { now: NOW });
  const want = { name: '刘小合', sex: '女', ethnicity: '汉', birthDate: '1995-06-06', address: '上海市静安区万荣路1268号', idNumber: '440305199506062561' };
  const right = Object.entries(want).filter(([k, v]) => (r.fields as Record<string, { value: string } | undefined>)[k]?.value === v).length;
  mock = `${right}/6 fields exact, side ${r.side}, check character reported wrong: ${r.reasons.some((x) => x.id === 'ID_NUMBER_CHECKSUM')} (expected ${r.idNumber?.expectedCheckDigit})`;
}

const ms = (xs: number[]) => `${Math.round(median(xs))} ms (p90 ${Math.round(quantile(xs, 0.9))})`;
console.log(`# readIdCard on ${cards.length} synthetic card photos (${tally.portrait} portrait side, ${tally.emblem} emblem side), onnxruntime-${values.runtime}\n`);
console.log('| measure | result |');
console.log('|---|---|');
for (const key of ['idNumber', 'name', 'birthDate', 'sex', 'ethnicity', 'address', 'authority', 'validFrom', 'validTo']) console.log(`| ${key} exact | ${pct(fieldHits[key] ?? 0, fieldTotals[key] ?? 0)} |`);
console.log(`| side right | ${pct(tally.side, cards.length)} |`);
console.log(`| emblem side recognised | ${pct(tally.emblemSide, tally.emblem)} |`);
console.log(`| rotation right | ${pct(tally.rotation, cards.length)} |`);
console.log(`| wrong check character reported | ${pct(tally.invalidReported, tally.invalid)} |`);
console.log(`| valid number reported wrong (a misread) | ${pct(tally.falseChecksum, tally.valid)} |`);
if (!values['no-portrait']) console.log(`| portrait found (portrait side) | ${pct(tally.portraitFound, tally.portrait)} |`);
for (const [id, n] of Object.entries(raised)) console.log(`| ${id} raised on a clean portrait side | ${pct(n, tally.portrait)} |`);
console.log(`| mock card (../shared/data) | ${mock} |`);
console.log(`| time a card, one thread | ${ms(times)} |`);
for (const [stage, xs] of Object.entries(stages)) console.log(`| · ${stage} | ${ms(xs)} |`);
if (misses.length) {
  console.log(`\n## Misses (${misses.length})\n`);
  for (const m of misses) console.log(`- ${m}`);
}
