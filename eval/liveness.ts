/**
 * npm run eval:liveness — every liveness signal of analyzeReadingVideo on the real talking videos of
 * ../shared/data/videos and on attacks made from them with ffmpeg (in eval/out/liveness/, not committed):
 *
 * - photo + voice: the video's middle frame as a still, with the video's own voice;
 * - dubbed: the video with another video's voice (lips and voice from different recordings);
 * - face switch: the first half of one video, the second half of another, with the first one's voice;
 * - muted: the video without its sound.
 *
 * Prints each signal's value, limit and verdict per video, then the live-accept rate and the
 * attack-reject rate per attack type. Then the presentation-attack score on real face photos and on
 * the phone-screen photo of asia/insightface (rgb_fake.jpg).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { detectFaces } from '../src/models/detect.js';
import { livenessScore } from '../src/models/presentation-attack.js';
import { decodeRgb } from '../src/image/decode.js';
import { sniffFormat } from '../src/image/sniff.js';
import { LIVENESS_LIMITS, type ReadingVideoAnalysis, analyzeReadingVideo } from '../src/index.js';
import { locate, run } from '../src/media/ffmpeg.js';
import { printTable, readLabels, requireData } from './data.js';

requireData();
const OUT = join(import.meta.dirname, 'out', 'liveness');
mkdirSync(OUT, { recursive: true });
const ffmpeg = locate('ffmpeg').path;
const ff = (args: string[]) => run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { timeoutMs: 300_000 });

// Real people speaking to the camera, with sound (labels: kind 'video', liveportrait 'driving' and sadtalker).
const live = readLabels()
  .filter((r) => r.kind === 'video' && /sadtalker|liveportrait\/assets\/examples\/driving/.test(r.relative))
  .map((r) => r.path);
const withSound: string[] = [];
for (const path of live) {
  const { stdout } = await run(locate('ffprobe').path, ['-v', 'error', '-select_streams', 'a', '-show_entries', 'stream=index', '-of', 'csv=p=0', path], { timeoutMs: 30_000 });
  if (stdout.toString().trim()) withSound.push(path);
}

const name = (p: string) => basename(p, '.mp4');
const SIZE = 'scale=480:480:force_original_aspect_ratio=decrease,pad=480:480:(ow-iw)/2:(oh-ih)/2,setsar=1';

async function duration(path: string): Promise<number> {
  const { stdout } = await run(locate('ffprobe').path, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { timeoutMs: 30_000 });
  return Number(stdout.toString().trim());
}

/** The attack videos made from one live video (and the next one, for dubbing and switching). */
async function attacks(path: string, other: string): Promise<Array<{ type: string; path: string; expect: string }>> {
  const d = Math.min(15, await duration(path));
  const base = name(path);
  const made = [
    { type: 'photo + voice', path: join(OUT, `${base}-photo-voice.mp4`), expect: 'LIP_MOVEMENT_TOO_SMALL' },
    { type: 'dubbed', path: join(OUT, `${base}-dubbed.mp4`), expect: 'LIP_MOVEMENT_TOO_SMALL' },
    { type: 'face switch', path: join(OUT, `${base}-switch.mp4`), expect: 'FACE_CHANGED' },
    { type: 'muted', path: join(OUT, `${base}-muted.mp4`), expect: 'NO_SOUND' },
  ];
  if (made.every((m) => existsSync(m.path))) return made;
  const h264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-r', '25'];
  await ff(['-ss', String(d / 2), '-i', path, '-frames:v', '1', join(OUT, `${base}-still.png`)]);
  await ff(['-loop', '1', '-framerate', '25', '-i', join(OUT, `${base}-still.png`), '-i', path, '-map', '0:v', '-map', '1:a', '-vf', SIZE, ...h264, '-c:a', 'aac', '-t', String(d), made[0]!.path]);
  await ff(['-i', path, '-i', other, '-map', '0:v', '-map', '1:a', '-vf', SIZE, ...h264, '-c:a', 'aac', '-t', String(Math.min(d, await duration(other))), made[1]!.path]);
  const half = d / 2;
  await ff([
    '-t', String(half), '-i', path, '-t', String(half), '-i', other,
    '-filter_complex', `[0:v]${SIZE}[a];[1:v]${SIZE}[b];[a][b]concat=n=2:v=1:a=0[v]`,
    '-map', '[v]', '-map', '0:a', ...h264, '-c:a', 'aac', '-t', String(d), made[2]!.path,
  ]);
  await ff(['-i', path, '-an', '-vf', SIZE, ...h264, '-t', String(d), made[3]!.path]);
  return made;
}

const rows: Array<Array<string | number>> = [];
const verdicts: Record<string, { total: number; rejected: number; byExpected: number }> = {};
const liveResults: ReadingVideoAnalysis[] = [];
const cell = (r: ReadingVideoAnalysis) => {
  const s = r.signals;
  return [
    `${s.speech.measured.speechSeconds} s, ${s.speech.measured.voicedDbfs} dB`,
    s.lipSync.status === 'skipped' ? 'skipped' : `${s.lipSync.measured.mouthRange} / r=${s.lipSync.measured.correlation}`,
    `${s.faceConsistency.measured.oneFaceShare} / ${s.faceConsistency.measured.lowestSimilarity} (${s.faceConsistency.measured.framesUnlikeTheFace} unlike)`,
    String(s.presentationAttack.measured.liveScore ?? '–'),
    `${s.quality.measured.faceLuma} / ${s.quality.measured.faceSharpness} / ${s.quality.measured.eyeDistancePx}`,
    r.codes.join(' ') || 'pass',
  ];
};

// The driving videos of liveportrait show faces pulling expressions, most without a word: only the
// videos in which someone speaks (≥ LIVENESS_LIMITS.minSpeechSeconds) are reading-video-like, and only
// they are made into attacks; the others are listed for what the signals say about them.
const speaking: string[] = [];
for (const path of withSound) {
  const r = await analyzeReadingVideo(path);
  const speaks = (r.signals.speech.measured.speechSeconds as number) >= LIVENESS_LIMITS.minSpeechSeconds;
  if (speaks) {
    speaking.push(path);
    liveResults.push(r);
  }
  const kind = speaks ? 'live' : 'live, no speech';
  rows.push([name(path), kind, ...cell(r)]);
  const v = (verdicts[kind] ??= { total: 0, rejected: 0, byExpected: 0 });
  v.total++;
  if (!r.passed) v.rejected++;
  console.error(`live ${name(path)}`);
}
for (const [i, path] of speaking.entries()) {
  const other = speaking[(i + 1) % speaking.length]!;
  for (const attack of await attacks(path, other)) {
    const a = await analyzeReadingVideo(attack.path);
    rows.push([name(path), attack.type, ...cell(a)]);
    const w = (verdicts[attack.type] ??= { total: 0, rejected: 0, byExpected: 0 });
    w.total++;
    if (!a.passed) w.rejected++;
    if (a.codes.includes(attack.expect as never)) w.byExpected++;
  }
  console.error(`${i + 1}/${speaking.length} ${name(path)}`);
}

console.log(`## Liveness signals: ${withSound.length} real videos with sound (${speaking.length} with speech), 4 attacks made from each that speaks\n`);
printTable(['video', 'kind', 'speech (s, dBFS)', 'lips: mouth range / correlation', 'one-face share / lowest similarity', 'live score', 'face luma / sharpness / eye px', 'codes'], rows);
console.log('\nLimits: src/liveness/types.ts LIVENESS_LIMITS.\n');
printTable(
  ['kind', 'videos', 'rejected', 'rejected by the signal meant to catch it', 'rate'],
  Object.entries(verdicts).map(([k, v]) => [k, v.total, v.rejected, k.startsWith('live') ? '–' : v.byExpected, k.startsWith('live') ? `live-accept ${pct(1 - v.rejected / v.total)}` : `attack-reject ${pct(v.rejected / v.total)}`]),
);

// ---- presentation-attack score on photos ----------------------------------------------------------
console.log('\n## Presentation-attack score (fr_liveness.onnx) on photos\n');
const photos = readLabels().filter((r) => r.source.startsWith('asia/') && ['face', 'spoof', 'single'].includes(r.kind));
const scored: Array<{ path: string; kind: string; score: number }> = [];
for (const r of photos) {
  const bytes = readFileSync(r.path);
  const format = sniffFormat(bytes);
  if (format === 'bmp') continue;
  const image = await decodeRgb(bytes, format, 64_000_000, 1280);
  const face = (await detectFaces(image, { detector: 'ssd' }))[0];
  if (face) scored.push({ path: r.relative, kind: r.kind === 'spoof' ? 'spoof (phone screen)' : 'real photo', score: await livenessScore(image, face.box) });
}
const real = scored.filter((s) => s.kind === 'real photo').map((s) => s.score).sort((a, b) => a - b);
// Speaking live videos only.
const liveVideo = liveResults.map((r) => Number(r.signals.presentationAttack.measured.liveScore)).filter(Number.isFinite).sort((a, b) => a - b);
printTable(
  ['set', 'n', 'min', 'median', 'max'],
  [
    ['real face photos (asia/)', real.length, real[0]!.toFixed(3), real[real.length >> 1]!.toFixed(3), real.at(-1)!.toFixed(3)],
    ['live videos (median over frames)', liveVideo.length, liveVideo[0]?.toFixed(3) ?? '–', liveVideo[liveVideo.length >> 1]?.toFixed(3) ?? '–', liveVideo.at(-1)?.toFixed(3) ?? '–'],
    ...scored.filter((s) => s.kind !== 'real photo').map((s) => [s.kind, 1, s.score.toFixed(3), '', ''] as Array<string | number>),
  ],
);
const spoof = scored.find((s) => s.kind !== 'real photo');
if (spoof) console.log(`\nReal photos scoring at or below the phone-screen photo: ${real.filter((v) => v <= spoof.score).length} of ${real.length}.`);

function pct(v: number): string {
  return `${(v * 100).toFixed(0)}%`;
}
