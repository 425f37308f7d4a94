/**
 * npm run bench:verify — verifyApplicant end to end on the repository's fixtures (person A's synthetic
 * ID card, a 4 s reading video, a compliant photo), median of 3 after a warm-up, with each step's time
 * and share; and, in the same run, the call with `readCard: false` (the card's portrait searched, its
 * text not read). The steps run as concurrent chains (card; video → card vs frames; photo → card vs
 * photo), so the whole call is shorter than the sum of its steps.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModels, verifyApplicant } from '../../src/index.js';
import { printTable } from '../data.js';

const fixture = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const submission = { idCard: readFileSync(fixture('cards/synthetic-portrait-person-a.jpg')), video: fixture('videos/photo-voice.mp4'), photo: fixture('photos/compliant.jpg') };
const RUNS = 3;

await loadModels();
await verifyApplicant(submission);
await verifyApplicant(submission, { readCard: false });
const runs: Array<Record<string, number>> = [];
const without: number[] = [];
for (let i = 0; i < RUNS; i++) {
  runs.push((await verifyApplicant(submission)).timings);
  without.push((await verifyApplicant(submission, { readCard: false })).timings.total!);
}
const median = (k: string) => runs.map((t) => t[k]!).sort((a, b) => a - b)[RUNS >> 1]!;
const steps = ['card', 'liveness', 'videoMatch', 'photo', 'photoMatch'];
const sum = steps.reduce((s, k) => s + median(k), 0);
console.log(`# verifyApplicant benchmark: fixtures, median of ${RUNS}, 2 cores, WASM backend\n`);
printTable(
  ['step', 'ms (median)', 'share of the steps'],
  [
    ['card (readIdCard: the text read, the portrait found at its rotation)', median('card'), ''],
    ['liveness (analyzeReadingVideo: frames, audio, 10 fps tracking, signals)', median('liveness'), ''],
    ['videoMatch (compareFaces: card vs 8 frames)', median('videoMatch'), ''],
    ['photo (validatePhoto)', median('photo'), ''],
    ['photoMatch (compareFaces: card vs photo)', median('photoMatch'), ''],
  ].map(([k, v]) => [k!, v!, `${((Number(v) / sum) * 100).toFixed(0)}%`]),
);
console.log(`\nSum of the steps: ${sum} ms. The whole call: ${median('total')} ms (${(median('total') / sum).toFixed(2)} of the sum: the chains overlap).`);
const plain = without.sort((a, b) => a - b)[RUNS >> 1]!;
console.log(`With readCard: false (the portrait searched, the text not read), same run: ${plain} ms; reading the card costs the call ${median('total') - plain} ms (${(median('total') / plain).toFixed(2)}×).`);
