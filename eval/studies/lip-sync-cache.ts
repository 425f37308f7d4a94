/**
 * A study, run by hand (not part of npm run eval): the tracked face of every real speaker of
 * eval:liveness and of the dubbed and shifted-voice attacks (or TYPES=a,b), cached per frame — time,
 * landmark mouth opening, 68 landmarks, the 64×80 face frame — with the PCM around the speech, so that
 * lip-sync measures can be compared in seconds (lip-sync-features.ts) instead of re-tracking.
 *
 *   FPS=25 npx tsx eval/studies/lip-sync-cache.ts      # → eval/out/sync-exp-25/ (~4 min for 106 videos)
 *
 * The corpus must exist (npm run eval:liveness-corpus).
 */
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extractOptions, readRecording } from '../../src/media/extract-frames.js';
import { trackFace, trackingFrames } from '../../src/liveness/tracking.js';
import { bonaFideVideos, readCorpus } from '../liveness-corpus.js';
import { LIVENESS_LIMITS } from '../../src/liveness/types.js';

const fps = Number(process.env.FPS ?? 25);
const OUT = `eval/out/sync-exp-${fps}`;
mkdirSync(OUT, { recursive: true });
const types = (process.env.TYPES ?? 'dubbed,shifted-voice').split(',');
const bona = (await bonaFideVideos()).filter((v) => v.hasAudio && (!v.relative.includes('liveportrait') || v.speechS >= LIVENESS_LIMITS.minSpeechSeconds));
const items = [
  ...bona.map((v) => ({ id: v.id, kind: 'bona', split: v.split, path: v.path })),
  ...readCorpus().filter((e) => types.includes(e.type)).map((e) => ({ id: e.id, kind: e.type, split: e.split, path: e.path })),
];
const scope = { check() {}, timeoutMs: 120000 } as any;
for (const it of items) {
  const file = join(OUT, `${it.id}.json.gz`);
  if (existsSync(file)) continue;
  const t0 = Date.now();
  try {
    const eo = extractOptions({ count: 8 });
    const ro = { timeoutMs: 120000 };
    const { video: v, pcm, span } = await readRecording(it.path, eo as any, ro as any, () => {});
    const length = Math.min(span.end - span.start, 15);
    const { dense } = await trackingFrames(it.path, v, span.start, length, fps, false, ro);
    const tracked = await trackFace(dense, fps, scope);
    const from = Math.max(0, Math.floor((span.start - 1) * 16000));
    const to = Math.min(pcm?.length ?? 0, Math.ceil((span.start + length + 1) * 16000));
    const rec = {
      ...it, fps, span, pcmFrom: from,
      pcm: pcm ? Buffer.from(pcm.buffer, pcm.byteOffset + from * 2, (to - from) * 2).toString('base64') : null,
      frames: tracked.map((f) => ({ t: f.t, mouth: f.mouth, lm: f.landmarks?.flatMap((p) => [Math.round(p.x * 100) / 100, Math.round(p.y * 100) / 100]) ?? null, ff: f.faceFrame ? Buffer.from(f.faceFrame).toString('base64') : null })),
    };
    writeFileSync(file, gzipSync(JSON.stringify(rec)));
    console.log(it.id, it.kind, tracked.length, Date.now() - t0, 'ms');
  } catch (e) {
    console.log(it.id, 'ERR', (e as Error).message);
  }
}
