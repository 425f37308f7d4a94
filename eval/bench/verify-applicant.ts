/**
 * npm run bench:verify — verifyApplicant end to end on the repository's fixtures (the ID card of
 * person A, a 4 s reading video, a compliant photo), median of 3 after a warm-up, with each step's time
 * and share. The steps run as two concurrent chains (video → card vs frames; photo → card vs photo),
 * so the whole call is shorter than the sum of its steps.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModels, verifyApplicant } from '../../src/index.js';
import { printTable } from '../data.js';

const fixture = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const submission = { idCard: readFileSync(fixture('faces/card-person-a.jpg')), video: fixture('videos/photo-voice.mp4'), photo: fixture('photos/compliant.jpg') };
const RUNS = 3;

await loadModels();
await verifyApplicant(submission);
const runs: Array<Record<string, number>> = [];
for (let i = 0; i < RUNS; i++) runs.push((await verifyApplicant(submission)).timings);
const median = (k: string) => runs.map((t) => t[k]!).sort((a, b) => a - b)[RUNS >> 1]!;
const steps = ['liveness', 'videoMatch', 'photo', 'photoMatch'];
const sum = steps.reduce((s, k) => s + median(k), 0);
console.log(`# verifyApplicant benchmark: fixtures, median of ${RUNS}, 2 cores, WASM backend\n`);
printTable(
  ['step', 'ms (median)', 'share of the steps'],
  [
    ['liveness (analyzeReadingVideo: frames, audio, 10 fps tracking, signals)', median('liveness'), ''],
    ['videoMatch (compareFaces: card vs 8 frames)', median('videoMatch'), ''],
    ['photo (validatePhoto)', median('photo'), ''],
    ['photoMatch (compareFaces: card vs photo)', median('photoMatch'), ''],
  ].map(([k, v]) => [k!, v!, `${((Number(v) / sum) * 100).toFixed(0)}%`]),
);
console.log(`\nSum of the steps: ${sum} ms. The whole call: ${median('total')} ms (${(median('total') / sum).toFixed(2)} of the sum: the two chains overlap).`);
