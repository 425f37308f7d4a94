/**
 * analyzeReadingVideo and verifyApplicant on the real talking videos of ../shared/data/videos.
 * `npm run eval:liveness` has every signal of every video and of the attacks made from them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, dataAvailable, readLabels } from '../../eval/data.js';
import { detectFaces } from '../../src/models/detect.js';
import { livenessScore } from '../../src/models/presentation-attack.js';
import { decodeRgb } from '../../src/image/decode.js';
import { sniffFormat } from '../../src/image/sniff.js';
import { LIVENESS_LIMITS, analyzeReadingVideo, compressToSpec, verifyApplicant } from '../../src/index.js';
import { locate, run } from '../../src/media/ffmpeg.js';

beforeAll(() => {
  if (!dataAvailable()) throw new Error(`The evaluation data is missing: expected labels.csv in ${DATA_DIR}. Put ../shared/data beside the repository or set VERIFY_DATA_DIR.`);
});

const sadtalker = (name: string) => join(DATA_DIR, 'videos/sadtalker/examples/ref_video', `${name}.mp4`);

async function frameAt(path: string, seconds: number): Promise<Buffer> {
  const { stdout } = await run(locate('ffmpeg').path, ['-v', 'error', '-ss', String(seconds), '-i', path, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'], { timeoutMs: 30_000 });
  return stdout;
}

describe('the phone-screen photo (asia/insightface rgb_fake.jpg)', () => {
  it('scores below every real East-Asian face photo on fr_liveness (reported, not decided on: live video frames score as low)', async () => {
    const score = async (path: string) => {
      const bytes = readFileSync(path);
      const image = await decodeRgb(bytes, sniffFormat(bytes), 64_000_000, 1280);
      const face = (await detectFaces(image))[0];
      return face ? livenessScore(image, face.box) : undefined;
    };
    const rows = readLabels().filter((r) => r.source.startsWith('asia/') && r.kind === 'face' && sniffFormat(readFileSync(r.path)) !== 'bmp');
    const real = (await Promise.all(rows.map((r) => score(r.path)))).filter((v): v is number => v !== undefined);
    const spoof = await score(join(DATA_DIR, 'asia/insightface/cpp-package/inspireface/test_res/data/bulk/rgb_fake.jpg'));
    expect(real.length).toBeGreaterThan(40);
    expect(spoof).toBeLessThan(Math.min(...real));
  }, 600_000);
});

describe('real talking videos', () => {
  it.each(['WDA_KatieHill_000', 'WDA_AlexandriaOcasioCortez_000'])('%s passes every liveness signal', async (name) => {
    const r = await analyzeReadingVideo(sadtalker(name));
    expect(r.codes).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.signals.lipSync.measured.mouthMotion as number).toBeGreaterThan(LIVENESS_LIMITS.minMouthMotion);
  }, 300_000);

  // Real speakers the level alone missed: a loud TV clip without a pause (0 s of speech found), and one
  // spoken over a steady background (0.8 s of 4.6). Silero VAD hears 9.7 s and 4.3 s.
  it.each([
    ['Audio_Source/681100216.mp4', 9],
    ['Pose_Source/731200067.mp4', 4],
  ])('%s: speech the level misses is heard by the model, and the speaker passes', async (file, seconds) => {
    const r = await analyzeReadingVideo(join(DATA_DIR, 'videos/talking/Hangz-nju-cuhk+Talking-Face_PC-AVS/misc', file));
    expect(r.recording.audio.foundBy).toBe('model');
    expect(r.recording.audio.speechSeconds).toBeGreaterThan(seconds);
    expect(r.codes).toEqual([]);
  }, 300_000);

  it('d6, 31 s of speech: tracked over its first 15 s, and its 8 frames for compareFaces spread over the whole speech', async () => {
    const r = await analyzeReadingVideo(join(DATA_DIR, 'videos/liveportrait/assets/examples/driving/d6.mp4'));
    const { span, frames } = r.recording;
    expect(span.end - span.start).toBeGreaterThan(25);
    expect(r.samples.at(-1)!.t - r.samples[0]!.t).toBeLessThan(15.5);
    expect(frames).toHaveLength(8);
    expect(frames.at(-1)!.timestamp).toBeGreaterThan(span.end - (span.end - span.start) / 4);
    expect(r.passed).toBe(true);
  }, 300_000);

  it('verifyApplicant passes end to end: a card printed from one frame, the video, a spec photo made from another frame', async () => {
    const video = sadtalker('WDA_KatieHill_000');
    // The card: the face from the frame at 1 s, small on a card-coloured layout, as a phone photographs it.
    const portrait = await sharp(await frameAt(video, 1)).extract({ left: 96, top: 40, width: 320, height: 400 }).resize(150, 188).toBuffer();
    const card = await sharp({ create: { width: 640, height: 404, channels: 3, background: '#dfe6ea' } })
      .composite([{ input: portrait, left: 440, top: 60 }])
      .jpeg({ quality: 80 })
      .toBuffer();
    // A frame where she faces the camera (at 2 s and 6–7 s her head is turned past the pose limits).
    const photo = await compressToSpec(await frameAt(video, 4));
    const r = await verifyApplicant({ idCard: card, video, photo: photo.buffer, attempt: 2 });
    // The card has a portrait and no text: with nothing expected of it, that is a warning only.
    expect(r.reasons.map((x) => [x.step, x.id, x.severity])).toEqual([['card', 'CARD_UNREADABLE', 'warning']]);
    expect(r.passed).toBe(true);
    expect(r.attemptsLeft).toBe(1);
    expect(r.steps.videoMatch!.similarity).toBeGreaterThan(r.steps.videoMatch!.threshold);
  }, 300_000);
});
