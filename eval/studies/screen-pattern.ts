/**
 * A study, run by hand (not part of npm run eval): the presentationAttack signal's screen pattern
 * (src/liveness/signals/presentation-attack.ts) on every real speaker of eval:liveness and on the corpus'
 * screen replays (or, with ALL=1, every attack made), by split, sorted: where its limit falls between them.
 *
 *   npx tsx eval/studies/screen-pattern.ts      # after npm run eval:liveness-corpus (-- --types screen-replay)
 *
 * Results of 2026-12-03 are in docs/accuracy.md (analyzeReadingVideo, the screen pattern).
 */
import { existsSync } from 'node:fs';
import { extractFramesFromReadingVideo } from '../../src/index.js';
import { screenPattern } from '../../src/liveness/signals/presentation-attack.js';
import { bonaFideVideos, readCorpus } from '../liveness-corpus.js';

const rows: Array<{ set: string; id: string; value: number }> = [];
const bona = (await bonaFideVideos()).filter((v) => v.hasAudio);
const attacks = readCorpus().filter((e) => existsSync(e.path) && (process.env.ALL || e.type === 'screen-replay'));
let ms = 0;
for (const item of [...bona.map((v) => ({ set: `bona fide ${v.split}`, id: v.id, path: v.path })), ...attacks.map((e) => ({ set: `${e.type} ${e.split}`, id: e.id, path: e.path }))]) {
  const recording = await extractFramesFromReadingVideo(item.path);
  const started = performance.now();
  const value = await screenPattern(recording.frames);
  ms += performance.now() - started;
  rows.push({ set: item.set, id: item.id, value: value ?? Number.NaN });
}
for (const set of [...new Set(rows.map((r) => r.set))]) {
  const values = rows.filter((r) => r.set === set).map((r) => r.value).sort((a, b) => a - b);
  console.log(`${set.padEnd(22)} ${String(values.length).padStart(3)}  ${values.map((v) => v.toFixed(1)).join(' ')}`);
}
console.log(`\n${(ms / rows.length).toFixed(1)} ms a recording for the measure (its frames decoded included)`);
