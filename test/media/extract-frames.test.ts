import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFaces } from '../../src/models/detect.js';
import { ErrorCode, type VerifyError, extractFramesFromReadingVideo } from '../../src/index.js';
import { rankingSharpness } from '../../src/image/measures.js';
import { planBursts, planKeyframes } from '../../src/media/frame-plan.js';
import { locate, run, runningProcesses } from '../../src/media/ffmpeg.js';
import { tempDirsOf } from '../helpers.js';

// Made by scripts/make-video-fixtures.ts: the compliant photo's subject, 3 s, a tone "speaking" 0.8–2.4 s.
const video = (file: string) => fileURLToPath(new URL(`../../fixtures/videos/${file}`, import.meta.url));
const hang = fileURLToPath(new URL('../../fixtures/bin/ffmpeg-hang', import.meta.url));
// This process's own temp folders (named with its pid): other processes on the machine may be making theirs.
const tempDirs = () => tempDirsOf(process.pid).length;
const tempBefore = tempDirs();

async function uprightFaces(frames: Array<{ image: Buffer }>): Promise<number> {
  let found = 0;
  for (const frame of frames) {
    const { data, info } = await sharp(frame.image).raw().toBuffer({ resolveWithObject: true });
    const [face] = await detectFaces({ data, width: info.width, height: info.height });
    // Upright: the chin (landmark 8) is below the eyes.
    if (face && face.landmarks[8].y > face.landmarks[36].y) found++;
  }
  return found;
}

describe('extractFramesFromReadingVideo', () => {
  it.each([
    ['upright.mp4', { codec: 'h264', rotation: 0 }],
    ['rotated-90.mp4', { rotation: 90, storedWidth: 320, storedHeight: 240 }],
    ['rotated-180.mp4', { rotation: 180 }],
    ['rotated-270.mp4', { rotation: 270, storedWidth: 320, storedHeight: 240 }],
    ['hevc.mov', { codec: 'hevc', container: 'mov,mp4,m4a,3gp,3g2,mj2' }],
    ['browser-no-duration.webm', { codec: 'vp9', container: 'matroska,webm', durationSource: 'packets' }],
    ['variable-rate.mp4', { variableFrameRate: true }],
  ] as const)('%s: 8 upright frames inside the speech, and the facts', async (file, facts) => {
    const result = await extractFramesFromReadingVideo(video(file));
    expect(result.video).toMatchObject({ width: 240, height: 320, ...facts });
    expect(result.video.durationS).toBeGreaterThan(2.9);
    expect(result.video.durationS).toBeLessThan(3.1);
    expect(result.audio).toMatchObject({ present: true });
    expect(result.audio.speechSeconds).toBeGreaterThan(1.4);
    expect(result.audio.speechSeconds).toBeLessThan(1.9);
    expect(result.span.source).toBe('speech');
    // One keyframe in 3 s: bursts from keyframes would decode as much as the whole span.
    expect(result.decoding).toBe('sequential');
    expect(result.frames).toHaveLength(8);
    for (const frame of result.frames) {
      expect(frame.timestamp).toBeGreaterThanOrEqual(0.7);
      expect(frame.timestamp).toBeLessThanOrEqual(2.5);
      expect(frame).toMatchObject({ width: 240, height: 320 });
      expect(frame.image.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    expect(await uprightFaces(result.frames.slice(0, 3))).toBe(3);
  });

  it('keyframes inside the slots: bursts from them, upright, each frame the one its timestamp names', async () => {
    // keyframes-rotated-90.mp4: keyframes at 0, 1.2 and 2 s; three slots over 0.8–2.4 s, the middle one
    // without a keyframe (its burst decodes from 1.2 s). Frame n carries grey 4n − 40 in its corner.
    // Forced: on frames this small, opening three inputs costs more than decoding the span ('auto' does that).
    const result = await extractFramesFromReadingVideo(video('keyframes-rotated-90.mp4'), { count: 3, format: 'raw', decoding: 'keyframe-bursts' });
    expect(result.decoding).toBe('keyframe-bursts');
    expect(result.video).toMatchObject({ rotation: 90, width: 240, height: 320 });
    expect(result.frames).toHaveLength(3);
    for (const frame of result.frames) {
      expect(frame.timestamp).toBeGreaterThanOrEqual(0.8);
      expect(frame.timestamp).toBeLessThanOrEqual(2.4);
      let red = 0;
      for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) red += frame.image[(y * frame.width + x) * 3] / 256;
      // limited-range luma shown as full-range RGB: Y = 16 + R·219/255
      const n = (16 + (red * 219) / 255 + 40) / 4;
      expect(Math.abs(n - frame.timestamp * 25), `frame ${n.toFixed(2)} at ${frame.timestamp} s`).toBeLessThan(0.5);
    }
    const jpeg = await extractFramesFromReadingVideo(video('keyframes-rotated-90.mp4'), { count: 3, decoding: 'keyframe-bursts' });
    expect(await uprightFaces(jpeg.frames)).toBe(3);
    expect((await extractFramesFromReadingVideo(video('keyframes-rotated-90.mp4'), { count: 3 })).decoding).toBe('sequential');
  });

  it('a keyframe in every slot: only keyframes are decoded, each frame the keyframe its timestamp names', async () => {
    // Two slots over 0.8–2.4 s hold the keyframes at 1.2 and 2 s.
    const result = await extractFramesFromReadingVideo(video('keyframes-rotated-90.mp4'), { count: 2, format: 'raw' });
    expect(result.decoding).toBe('keyframes');
    expect(result.frames.map((f) => f.timestamp)).toEqual([1.2, 2]);
    for (const frame of result.frames) {
      let red = 0;
      for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) red += frame.image[(y * frame.width + x) * 3] / 256;
      const n = (16 + (red * 219) / 255 + 40) / 4;
      expect(Math.abs(n - frame.timestamp * 25), `frame ${n.toFixed(2)} at ${frame.timestamp} s`).toBeLessThan(0.5);
    }
    const jpeg = await extractFramesFromReadingVideo(video('keyframes-rotated-90.mp4'), { count: 2 });
    expect(await uprightFaces(jpeg.frames)).toBe(2);
  });

  it("the RGB made from ffmpeg's YUV is ffmpeg's own RGB of that frame, within rounding and chroma siting", async () => {
    const [frame] = (await extractFramesFromReadingVideo(video('keyframes-rotated-90.mp4'), { count: 2, format: 'raw' })).frames;
    const { stdout } = await run(locate('ffmpeg').path, ['-v', 'error', '-ss', '1.2', '-i', video('keyframes-rotated-90.mp4'), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { timeoutMs: 30_000 });
    expect(stdout.length).toBe(frame!.image.length);
    let diff = 0;
    let most = 0;
    for (let i = 0; i < stdout.length; i++) {
      diff += Math.abs(stdout[i]! - frame!.image[i]!);
      most = Math.max(most, Math.abs(stdout[i]! - frame!.image[i]!));
    }
    // Measured: mean 1.07, at most 3 (full range read as limited moves every value by up to 16).
    expect(diff / stdout.length).toBeLessThan(1.5);
    expect(most).toBeLessThanOrEqual(4);
  });

  it('an unknown decoding is refused', async () => {
    await expect(extractFramesFromReadingVideo(video('upright.mp4'), { decoding: 'fast' as never })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it('keyframes too sparse for the slots: the whole span is decoded', async () => {
    const result = await extractFramesFromReadingVideo(video('keyframes-rotated-90.mp4'));
    expect(result.decoding).toBe('sequential');
    expect(result.frames).toHaveLength(8);
  });

  it('a silent video: no speech, frames over the whole video, loudness reported', async () => {
    const result = await extractFramesFromReadingVideo(video('silent.mp4'));
    expect(result.audio).toMatchObject({ present: true, speechSeconds: 0, loudnessDbfs: -120 });
    expect(result.span).toMatchObject({ source: 'whole', start: 0 });
    expect(result.frames[result.frames.length - 1].timestamp).toBeGreaterThan(2.4);
  });

  it('a video without audio says so', async () => {
    const result = await extractFramesFromReadingVideo(video('no-audio.mp4'));
    expect(result.audio).toEqual({ present: false });
    expect(result.frames).toHaveLength(8);
  });

  it('takes bytes, raw RGB output, smaller frames and another count', async () => {
    const result = await extractFramesFromReadingVideo(readFileSync(video('upright.mp4')), { count: 3, format: 'raw', maxWidth: 120 });
    expect(result.frames).toHaveLength(3);
    expect(result.frames[0]).toMatchObject({ width: 120, height: 160 });
    expect(result.frames[0].image.length).toBe(120 * 160 * 3);
  });

  it('ranks frames by sharpness: a blurred picture of the same face scores lower', async () => {
    const photoFile = (f: string) => fileURLToPath(new URL(`../../fixtures/photos/${f}`, import.meta.url));
    const score = async (f: string) => {
      const { data, info } = await sharp(photoFile(f)).raw().toBuffer({ resolveWithObject: true });
      return rankingSharpness({ data, width: info.width, height: info.height }, { x0: 120, y0: 106, x1: 360, y1: 533 });
    };
    expect(await score('compliant.jpg')).toBeGreaterThan(3 * (await score('blurred.jpg')));
    const result = await extractFramesFromReadingVideo(video('upright.mp4'));
    for (const frame of result.frames) expect(frame.sharpness).toBeGreaterThan(0);
  });
});

describe('extractFramesFromReadingVideo refuses bad input with typed errors, in time, leaving nothing behind', () => {
  const upright = readFileSync(video('upright.mp4'));
  it.each([
    ['a zero-byte file', ErrorCode.INPUT_EMPTY, Buffer.alloc(0), {}],
    ['not a video (text)', ErrorCode.NOT_A_VIDEO, Buffer.from('this is not a video'), {}],
    ['an image', ErrorCode.VIDEO_DURATION, readFileSync(fileURLToPath(new URL('../../fixtures/photos/compliant.jpg', import.meta.url))), {}],
    ['a truncated MP4 (its moov atom, written last, cut off)', ErrorCode.NOT_A_VIDEO, upright.subarray(0, Math.floor(upright.length * 0.6)), {}],
    ['audio only', ErrorCode.NO_VIDEO_STREAM, readFileSync(video('audio-only.m4a')), {}],
    ['a resolution over maxVideoPixels (8K is over the default 4K)', ErrorCode.VIDEO_TOO_LARGE, upright, { maxVideoPixels: 240 * 320 - 1 }],
    ['longer than maxDurationS (a 2-hour file is over the default 60 s)', ErrorCode.VIDEO_DURATION, upright, { maxDurationS: 2 }],
    ['shorter than minDurationS', ErrorCode.VIDEO_DURATION, upright, { minDurationS: 5 }],
    ['over maxInputBytes', ErrorCode.INPUT_TOO_LARGE, upright, { maxInputBytes: 1000 }],
    ['an ffprobe that hangs', ErrorCode.TIMEOUT, upright, { ffprobePath: hang, timeoutMs: 500 }],
    ['a missing ffmpeg', ErrorCode.FFMPEG_NOT_FOUND, upright, { ffprobePath: '/nonexistent/ffprobe' }],
    ['a bad count', ErrorCode.INVALID_ARGUMENT, upright, { count: 0 }],
  ] as const)('%s → %s', async (_, code, input, options) => {
    const started = performance.now();
    const error = (await extractFramesFromReadingVideo(input, options as never).catch((e) => e)) as VerifyError;
    expect(error.code).toBe(code);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('a name that reads like a protocol opens the local file of that name, never another file, a URL or standard input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idphoto-test-protocols-'));
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      writeFileSync('real.mp4', upright);
      // concat: would have read real.mp4; the file of that name is text.
      writeFileSync('concat:real.mp4', 'not a video');
      await expect(extractFramesFromReadingVideo('concat:real.mp4')).rejects.toMatchObject({ code: ErrorCode.NOT_A_VIDEO });
      // A local file whose relative name is a URL: its frames, and no request.
      mkdirSync(`http:/127.0.0.1:${port}`, { recursive: true });
      writeFileSync(`http:/127.0.0.1:${port}/x.mp4`, upright);
      expect((await extractFramesFromReadingVideo(`http:/127.0.0.1:${port}/x.mp4`)).frames).toHaveLength(8);
      expect(requests).toEqual([]);
      // Standard input by name: the file of that name, or not found.
      for (const name of ['-', 'pipe:0']) {
        await expect(extractFramesFromReadingVideo(name)).rejects.toMatchObject({ code: ErrorCode.INPUT_NOT_FOUND });
        writeFileSync(name, 'not a video');
        await expect(extractFramesFromReadingVideo(name)).rejects.toMatchObject({ code: ErrorCode.NOT_A_VIDEO });
      }
    } finally {
      process.chdir(cwd);
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing path is INPUT_NOT_FOUND', async () => {
    await expect(extractFramesFromReadingVideo('/nonexistent/video.mp4')).rejects.toMatchObject({ code: ErrorCode.INPUT_NOT_FOUND });
  });

  afterAll(() => {
    expect(runningProcesses()).toBe(0);
    expect(tempDirs()).toBe(tempBefore);
  });
});

describe('planBursts: where keyframe bursts are decoded, and when they do not pay', () => {
  // 10 s at 25 fps; keyframes every `gop` seconds.
  const packets = (gop: number) => {
    const times = Array.from({ length: 250 }, (_, i) => i / 25);
    return { times, keyframes: times.filter((t) => Math.abs(t / gop - Math.round(t / gop)) < 1e-9) };
  };
  const span = { start: 0.5, end: 9.5 };

  it.each([
    ['a keyframe every second, 1920×1080', 1, 2.07, 'every slot from its own keyframe'],
    ['a keyframe every 2 s, 3840×2160', 2, 8.3, 'some slots from the keyframe before them'],
    ['a keyframe every 2 s, 1920×1080', 2, 2.07, 'none: the whole span is decoded'],
    ['a keyframe every second, 720×960 (opening 8 inputs costs more)', 1, 0.69, 'none: the whole span is decoded'],
    ['a keyframe every 4 s', 4, 8.3, 'none: the whole span is decoded'],
    ['one keyframe (browser WebM)', 100, 8.3, 'none: the whole span is decoded'],
  ] as const)('%s: %s', (_, gop, megapixels, expected) => {
    // 8 slots of 1.125 s over 0.5–9.5 s
    const plan = planBursts(packets(gop), span, 8, 4, megapixels);
    if (expected === 'none: the whole span is decoded') return expect(plan).toBeUndefined();
    expect(plan!.bursts).toHaveLength(8);
    expect(plan!.cost.bursts).toBeLessThanOrEqual(plan!.cost.sequential / 2);
    plan!.bursts.forEach((b, slot) => {
      const from = span.start + (slot * 9) / 8;
      expect(b.timestamps).toHaveLength(4);
      expect(b.timestamps[0]).toBeGreaterThanOrEqual(from - 1e-9);
      expect(b.timestamps[3]).toBeLessThanOrEqual(from + 9 / 8);
      // The seek lands on a keyframe at or before the burst, never past it.
      expect(b.seek + b.from).toBeLessThan(b.timestamps[0]);
    });
    const fromOwnKeyframe = plan!.bursts.filter((b) => packets(gop).keyframes.includes(b.timestamps[0])).length;
    expect(fromOwnKeyframe === 8).toBe(expected === 'every slot from its own keyframe');
  });
});

describe('planKeyframes: only keyframes, when every slot holds one', () => {
  const keyframesEvery = (gop: number, until = 10) => ({ keyframes: Array.from({ length: Math.floor(until / gop) + 1 }, (_, i) => i * gop) });

  it('a keyframe every 0.5 s over 9 s of speech: the keyframes of each slot are its candidates', () => {
    const plan = planKeyframes(keyframesEvery(0.5), { start: 0.5, end: 9.5 }, 8)!;
    // Decoded from the start: every keyframe before 9.55 s.
    expect(plan.decoded).toBe(20);
    expect(new Set(plan.keyframes.map((k) => k.slot)).size).toBe(8);
    for (const k of plan.keyframes) {
      expect(k.time).toBe(k.index * 0.5);
      expect(k.time).toBeGreaterThanOrEqual(0.5 + (k.slot * 9) / 8);
      expect(k.time).toBeLessThanOrEqual(0.5 + ((k.slot + 1) * 9) / 8);
    }
  });

  it.each([
    ['a slot without a keyframe (one every 1.2 s, 7 s of speech, 8 slots)', keyframesEvery(1.2), { start: 0.8, end: 7.9 }],
    ['one keyframe (browser WebM)', { keyframes: [0] }, { start: 0.5, end: 9.5 }],
    ['an empty span', keyframesEvery(0.5), { start: 2, end: 2 }],
  ])('%s: none', (_, packets, span) => {
    expect(planKeyframes(packets, span, 8)).toBeUndefined();
  });
});
