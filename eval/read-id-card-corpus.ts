/**
 * readIdCard, compareFaces and verifyApplicant's card step on the card corpus (eval/card-corpus.ts): a person
 * holding another's card, paper with a card's words, anti-copy stamps over the fields, names with characters
 * the recogniser cannot read, the 56 ethnic groups, a number line of 22 digits; and the photo's faults (blur,
 * glare, a side cut off, a keystone, a screen). Each attack's rate accepted with its count and 95% upper bound,
 * each field's exact rate, each warning's rate raised where it should be and on the cards without a fault.
 * The levels these rules use (OTHER_FACE_SCORE, PORTRAIT_MAX_HEIGHT, LAYOUT_MISSING_ERROR, the recovery's
 * UNSURE) were set before the corpus existed; the photo warnings' limits and the outline's on seed 7's first 8
 * of their types. Seed 11, the default, is the one reported.
 *
 *   npm run eval:card-corpus [-- --per-type 40] [--sample N] [--floors]
 *
 * The corpus is made first when eval/out/card-corpus/ does not hold it (about a minute). `--sample N` reads N
 * of each type; `--floors` exits 1 when an attack is accepted or a field falls under its floor (CI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { QUALITY_LIMITS, readIdCard } from '../src/card/read-id-card.js';
import type { IdCardReading } from '../src/card/types.js';
import { findCardPortrait } from '../src/compare/card-portrait.js';
import { compareFaces, preparedFromPortrait } from '../src/compare/compare-faces.js';
import { decodeImage } from '../src/compare/frames.js';
import { median, quantile } from '../src/core/stats.js';
import { loadModels } from '../src/models/registry.js';
import { recognisedCharacters } from '../src/models/ocr.js';
import { cardReasons } from '../src/verify/card-check.js';
import { CORPUS_TYPES, type CorpusLabel, type CorpusType, makeCorpus } from './card-corpus.js';
import { requireData } from './data.js';
import { upperBound95 } from './metrics.js';

const { values } = parseArgs({
  options: {
    'per-type': { type: 'string', default: '40' },
    out: { type: 'string', default: 'eval/out/card-corpus' },
    sample: { type: 'string' },
    floors: { type: 'boolean', default: false },
    seed: { type: 'string', default: '11' },
    types: { type: 'string' },
  },
});
requireData();
const dir = values.out!;
const NOW = new Date('2026-12-01');

function corpus(): CorpusLabel[] {
  const file = join(dir, 'labels.json');
  const have = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CorpusLabel[]) : [];
  const perType = Number(values['per-type']);
  if (CORPUS_TYPES.every((t) => have.filter((l) => l.type === t).length >= Math.ceil(perType / 2))) return have;
  console.error(`Making the card corpus (${perType} a type) in ${dir} …`);
  return [];
}
let labels = corpus();
if (labels.length === 0) labels = await makeCorpus(dir, Number(values['per-type']), Number(values.seed));
if (values.types) {
  const keep = new Set(values.types.split(','));
  labels = labels.filter((l) => keep.has(l.type));
}
if (values.sample) {
  const n = Number(values.sample);
  labels = CORPUS_TYPES.flatMap((t) => labels.filter((l) => l.type === t).slice(0, n));
}

await loadModels({ models: ['ocrDetection', 'ocrRecognition', 'ocrDirection', 'faceDetectOnnx', 'faceLandmarkOnnx', 'faceEmbedding'] });
const known = await recognisedCharacters();
await readIdCard(join(dir, labels[0]!.file), { now: NOW });

const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}% (${n}/${d})`);
const bound = (n: number, d: number) => (d === 0 ? '–' : `${(100 * upperBound95(n, d)).toFixed(1)}%`);
const inside = (b: { x: number; y: number; width: number; height: number }, box: { x: number; y: number; width: number; height: number }) => {
  const [cx, cy] = [b.x + b.width / 2, b.y + b.height / 2];
  return cx >= box.x && cx <= box.x + box.width && cy >= box.y && cy <= box.y + box.height;
};

const times: Record<string, number[]> = {};
const rows: string[][] = [];
const misses: string[] = [];
const failures: string[] = [];
const fieldTally: Record<string, { hit: number; n: number }> = {};
const countField = (type: string, key: string, hit: boolean) => {
  const t = (fieldTally[`${type} ${key}`] ??= { hit: 0, n: 0 });
  t.n++;
  if (hit) t.hit++;
};

const of = (type: CorpusType) => labels.filter((l) => l.type === type);
async function read(label: CorpusLabel): Promise<IdCardReading> {
  const started = performance.now();
  const r = await readIdCard(join(dir, label.file), { now: NOW });
  (times[label.type] ??= []).push(performance.now() - started);
  return r;
}
// The photo's faults, each counted where it is not (the clean types' cards) as well as where it is.
const FAULTS = ['CARD_BLURRED', 'CARD_GLARE', 'CARD_CUT_OFF', 'CARD_SCREEN', 'CARD_FINGER'] as const;
const raised = (r: IdCardReading, id: string) => r.reasons.some((x) => x.id === id);
// Each fault's measure (IdCardReading.quality) on the cards without a fault and on those with it, beside its limit.
const MEASURES = ['blur', 'glare', 'screen', 'finger'] as const;
const measured: Record<string, number[]> = {};
const keep = (group: string, r: IdCardReading) => {
  for (const key of MEASURES) {
    const v = r.quality?.[key];
    if (v !== undefined) (measured[`${group} ${key}`] ??= []).push(v);
  }
};
const countClean = (label: CorpusLabel, r: IdCardReading) => {
  keep('clean', r);
  for (const id of FAULTS) {
    countField('cards without a fault', `${id} raised`, raised(r, id));
    if (raised(r, id)) misses.push(`${label.file}: ${id} raised on a card without it (${JSON.stringify(r.quality)})`);
  }
  // Squared only where photographed at an angle: a card square on (turned in the picture's plane, or not) keeps its reading.
  if (label.type !== 'perspective') {
    countField('cards square on', 'squared', r.outline?.squared === true);
    countField('cards square on', 'outline found', r.outline !== undefined);
    if (r.outline?.squared) misses.push(`${label.file}: squared, square on (keystone ${r.outline.keystoneDeg}°)`);
  }
};
const errors = (r: IdCardReading) => r.reasons.filter((x) => x.severity === 'error').map((x) => x.id);

// The holder: B holds A's card, and sends B's own face. Before: the image's most plausible face was the card's.
if (of('holder').length > 0) {
  const set = of('holder');
  let [portraitOnCard, warned, accepted, acceptedBefore] = [0, 0, 0, 0];
  const similarities: number[] = [];
  for (const label of set) {
    const r = await read(label);
    countClean(label, r);
    if (r.portrait && inside(r.portrait.box, label.card!)) portraitOnCard++;
    else misses.push(`${label.file}: portrait ${r.portrait ? JSON.stringify(r.portrait.box) : 'none'} not on the card ${JSON.stringify(label.card)}`);
    if (r.reasons.some((x) => x.id === 'FACE_OUTSIDE_CARD')) warned++;
    else misses.push(`${label.file}: FACE_OUTSIDE_CARD not raised`);
    const selfie = label.holder!.otherPhoto;
    const now = await compareFaces(join(dir, label.file), [selfie], { minFrames: 1 });
    if (now.match) accepted++;
    similarities.push(now.similarity);
    const decoded = await decodeImage(join(dir, label.file), 2048, { maxInputBytes: 50 * 2 ** 20, maxPixels: 64e6 });
    const before = await compareFaces(await preparedFromPortrait(await findCardPortrait(decoded.image, { detector: 'auto' }), decoded.scale), [selfie], { minFrames: 1 });
    if (before.match) acceptedBefore++;
  }
  rows.push(['holder: card portrait found on the card', pct(portraitOnCard, set.length), '100%']);
  rows.push(['holder: FACE_OUTSIDE_CARD raised', pct(warned, set.length), '≥ 95%']);
  rows.push([`holder: the holder's other photo matched (attack accepted), 95% upper bound ${bound(accepted, set.length)}`, pct(accepted, set.length), '0']);
  rows.push(['holder: accepted by the most plausible face (before)', pct(acceptedBefore, set.length), '']);
  rows.push(['holder: similarity to the holder, median (max)', `${median(similarities).toFixed(3)} (${Math.max(...similarities).toFixed(3)})`, '']);
  if (accepted > 0) failures.push(`holder attacks accepted: ${accepted}`);
}

// Paper with a card's words: accepted when readIdCard reads a portrait side with no error, and the card step
// with the number and name it carries finds nothing.
if (of('paper').length > 0) {
  const set = of('paper');
  let [accepted, acceptedStep] = [0, 0];
  for (const label of set) {
    const r = await read(label);
    const clean = r.side === 'portrait' && errors(r).length === 0;
    if (clean) accepted++;
    const step = cardReasons(r, { idNumber: label.fields['公民身份号码'], name: label.fields['姓名'] }, undefined, known).filter((x) => x.severity === 'error');
    if (r.side === 'portrait' && step.length === 0) {
      acceptedStep++;
      misses.push(`${label.file} (${label.note}): accepted, reasons ${r.reasons.map((x) => x.id).join(',') || 'none'}`);
    }
  }
  rows.push([`paper: read as a valid portrait side, 95% upper bound ${bound(accepted, set.length)}`, pct(accepted, set.length), '0']);
  rows.push([`paper: passed verifyApplicant's card step, 95% upper bound ${bound(acceptedStep, set.length)}`, pct(acceptedStep, set.length), '0']);
  if (acceptedStep > 0) failures.push(`paper fakes accepted: ${acceptedStep}`);
}

// Fields under stamps, every ethnic group, rare-character names, a long number line.
for (const type of ['stamp', 'ethnicity', 'rare-name', 'long-number'] as const) {
  for (const label of of(type)) {
    const r = await read(label);
    const f = r.fields;
    countField('colour cards', 'CARD_PHOTOCOPY raised', r.reasons.some((x) => x.id === 'CARD_PHOTOCOPY'));
    if (type !== 'stamp') countClean(label, r);
    if (type === 'stamp' || type === 'ethnicity') {
      const keys = type === 'stamp' ? (['name', 'ethnicity', 'address', 'idNumber'] as const) : (['ethnicity'] as const);
      for (const key of keys) {
        const hit = f[key]?.value === label.fields[key];
        countField(type, key, hit);
        if (!hit) misses.push(`${label.file} ${key}: read ${JSON.stringify(f[key]?.value)}, printed ${JSON.stringify(label.fields[key])}${label.note ? ` (stamp ${label.note})` : ''}`);
      }
      const layout = r.reasons.find((x) => x.id === 'CARD_LAYOUT');
      countField(type, 'no CARD_LAYOUT error', layout?.severity !== 'error');
    }
    if (type === 'rare-name') {
      const step = cardReasons(r, { name: label.fields.name }, undefined, known).map((x) => x.id);
      countField(type, 'not NAME_MISMATCH', !step.includes('NAME_MISMATCH'));
      countField(type, 'NAME_UNVERIFIED (a warning)', step.includes('NAME_UNVERIFIED'));
      countField(type, 'number exact', f.idNumber?.value === label.fields.idNumber);
      if (step.includes('NAME_MISMATCH')) misses.push(`${label.file}: NAME_MISMATCH, read ${JSON.stringify(f.name?.value)}, printed ${label.fields.name}`);
    }
    if (type === 'long-number') {
      const refused = r.idNumber?.valid !== true && r.reasons.some((x) => x.id === 'ID_NUMBER_FORMAT');
      countField(type, 'refused (ID_NUMBER_FORMAT)', refused);
      if (!refused) misses.push(`${label.file}: number ${JSON.stringify(f.idNumber?.value)} not refused, printed ${label.fields.idNumber}`);
    }
  }
}
// Pages with both sides: read as both, and each side's fields.
for (const label of of('both-sides')) {
  const r = await read(label);
  const both = r.bothSides === true;
  const grey = /grey/.test(label.note ?? '');
  const photocopy = r.reasons.some((x) => x.id === 'CARD_PHOTOCOPY');
  countField('both-sides', grey ? 'CARD_PHOTOCOPY raised on a grey copy' : 'CARD_PHOTOCOPY raised on a colour copy', photocopy);
  countField('both-sides', 'read as both sides', both);
  if (!both) misses.push(`${label.file} (${label.note}): side ${r.side}, not both`);
  for (const key of ['name', 'idNumber', 'address', 'authority', 'validTo'] as const) {
    const hit = r.fields[key]?.value === label.fields[key];
    countField('both-sides', key, hit);
    if (!hit && both) misses.push(`${label.file} ${key}: read ${JSON.stringify(r.fields[key]?.value)}, printed ${JSON.stringify(label.fields[key])} (${label.note})`);
  }
}
// The photo's faults: each raised where it is, and the fields read under it.
for (const [type, id] of [['blur', 'CARD_BLURRED'], ['glare', 'CARD_GLARE'], ['cut-off', 'CARD_CUT_OFF'], ['screen', 'CARD_SCREEN'], ['finger', 'CARD_FINGER'], ['perspective', undefined]] as const) {
  for (const label of of(type)) {
    const r = await read(label);
    if (type !== 'perspective') keep(type, r);
    if (id) {
      // A cut-off's depth: under 5% of the card's side leaves its text whole (its plain border is 5–7 mm).
      const depth = type === 'cut-off' ? Number(/(\d+)%/.exec(label.note ?? '')?.[1]) : undefined;
      const group = depth === undefined ? `${id} raised` : `${id} raised, ${depth < 5 ? 'under 5%' : '5–25%'} of the card out`;
      countField(type, group, raised(r, id));
      if (!raised(r, id)) misses.push(`${label.file} (${label.note ?? ''}): ${id} not raised (${JSON.stringify(r.quality)})`);
    }
    for (const key of ['name', 'idNumber', 'address'] as const) {
      const hit = r.fields[key]?.value === label.fields[key];
      countField(type, key, hit);
      if (!hit && type === 'perspective') misses.push(`${label.file} ${key}: read ${JSON.stringify(r.fields[key]?.value)}, printed ${JSON.stringify(label.fields[key])} (${label.note})`);
    }
    if (type === 'perspective') {
      countField(type, 'no CARD_LAYOUT error', r.reasons.find((x) => x.id === 'CARD_LAYOUT')?.severity !== 'error');
      countField(type, 'squared from its outline', r.outline?.squared === true);
      if (!r.outline?.squared) misses.push(`${label.file} (${label.note}): not squared (${r.outline ? `keystone ${r.outline.keystoneDeg}°` : 'no outline'})`);
      countClean(label, r);
    }
  }
}
// The issue's goals, printed beside each measure; CI (--floors) holds the ones met on the full corpus.
const goals: Record<string, number> = {
  'both-sides read as both sides': 0.95, 'blur CARD_BLURRED raised': 0.95, 'glare CARD_GLARE raised': 0.95, 'screen CARD_SCREEN raised': 0.95, 'finger CARD_FINGER raised': 0.95, 'perspective no CARD_LAYOUT error': 0.95, 'perspective squared from its outline': 0.95, 'perspective name': 0.98, 'perspective idNumber': 0.98, 'perspective address': 0.95, 'stamp name': 0.98, 'stamp idNumber': 0.98, 'stamp address': 0.95, 'stamp ethnicity': 1, 'ethnicity ethnicity': 1, 'rare-name not NAME_MISMATCH': 1, 'long-number refused (ID_NUMBER_FORMAT)': 1 };
const floors = new Set(['ethnicity ethnicity', 'rare-name not NAME_MISMATCH', 'long-number refused (ID_NUMBER_FORMAT)', 'perspective no CARD_LAYOUT error', 'stamp idNumber']);
for (const [key, t] of Object.entries(fieldTally)) {
  const goal = goals[key];
  rows.push([key, pct(t.hit, t.n), key.startsWith('cards without a fault') ? '≤ 2%' : goal === undefined ? '' : `≥ ${(100 * goal).toFixed(0)}%`]);
  if (floors.has(key) && goal !== undefined && t.hit < goal * t.n) failures.push(`${key}: ${t.hit}/${t.n}`);
}
const all = Object.values(times).flat();
const ms = (xs: number[]) => `${Math.round(median(xs))} ms (p90 ${Math.round(quantile(xs, 0.9))}, max ${Math.round(Math.max(...xs))})`;
rows.push(['readIdCard, one image, one thread', ms(all), '≤ 1000 ms']);
for (const [type, xs] of Object.entries(times)) rows.push([`· ${type}`, ms(xs), '']);

console.log(`# The card corpus: ${labels.length} images (${CORPUS_TYPES.map((t) => `${t} ${of(t).length}`).join(', ')}), onnxruntime-node\n`);
console.log('| measure | result | goal |');
console.log('|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
// The measures beside their limits: the clean cards' upper tail against the faulty ones' lower tail.
const tail = (xs: number[] | undefined, q: number) => (xs && xs.length > 0 ? String(Math.round(1000 * quantile(xs, q)) / 1000) : '–');
console.log('\n## Each measure beside its limit\n');
console.log('| measure | limit | cards without a fault: median, p98, max | with it: min, p10, median |');
console.log('|---|---|---|---|');
for (const key of MEASURES) {
  const [clean, faulty] = [measured[`clean ${key}`], measured[`${key} ${key}`]];
  console.log(`| ${key} | ${QUALITY_LIMITS[key]} | ${tail(clean, 0.5)}, ${tail(clean, 0.98)}, ${tail(clean, 1)} (n ${clean?.length ?? 0}) | ${tail(faulty, 0)}, ${tail(faulty, 0.1)}, ${tail(faulty, 0.5)} (n ${faulty?.length ?? 0}) |`);
}
if (misses.length) {
  console.log(`\n## Misses (${misses.length})\n`);
  for (const m of misses) console.log(`- ${m}`);
}
if (values.floors && failures.length) {
  console.error(`\nFloors not met: ${failures.join('; ')}`);
  process.exit(1);
}
