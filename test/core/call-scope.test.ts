import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, compareFaces, compressToSpec, extractFramesFromReadingVideo, validatePhoto, verifyApplicant } from '../../src/index.js';
import { runningProcesses } from '../../src/media/ffmpeg.js';
import { HANG, photo, sleepers, tempDirsOf, until } from '../helpers.js';

const fixture = (path: string) => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));
const card = readFileSync(fixture('faces/card-person-a.jpg'));
const frames = [1, 2, 3].map((i) => fixture(`faces/person-a-frame-${i}.jpg`));

/** Aborts after `ms`. */
const abortAfter = (ms: number) => {
  const c = new AbortController();
  setTimeout(() => c.abort(), ms);
  return c.signal;
};

describe('every public call takes signal and timeoutMs', () => {
  // 1 ms is over before the first stage ends; an aborted signal stops the call before it starts.
  it.each([
    ['validatePhoto', (o: object) => validatePhoto(photo('compliant.jpg'), o)],
    ['compressToSpec', (o: object) => compressToSpec(photo('compliant.jpg'), o)],
    ['compareFaces', (o: object) => compareFaces(card, frames, o)],
    ['extractFramesFromReadingVideo', (o: object) => extractFramesFromReadingVideo(fixture('videos/upright.mp4'), o)],
    ['verifyApplicant', (o: object) => verifyApplicant({ idCard: card, video: fixture('videos/upright.mp4'), photo: photo('compliant.jpg') }, o)],
  ] as const)('%s: TIMEOUT past timeoutMs, ABORTED on the signal, INVALID_ARGUMENT for a bad one', async (_, call) => {
    await expect(call({ timeoutMs: 1 })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT, details: { timeoutMs: 1 } });
    await expect(call({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    await expect(call({ signal: 'stop' })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(call({ timeoutMs: -5 })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it('a signal that fires mid-call stops it at the next stage (validatePhoto, compareFaces)', async () => {
    // Warm the models so that the abort lands inside the call, not in the model loading.
    await compareFaces(card, frames.slice(0, 1));
    await expect(validatePhoto(photo('compliant.jpg'), { signal: abortAfter(20) })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    await expect(compareFaces(card, frames, { signal: abortAfter(50) })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
  });

  it('the same calls without a stop still succeed (the scope adds no failure of its own)', async () => {
    const r = await validatePhoto(photo('compliant.jpg'), { timeoutMs: 60_000, signal: new AbortController().signal });
    expect(r.passed).toBe(true);
  });
});

describe('bounded cost', () => {
  it('compareFaces refuses more frames than maxFrames (default 32) with TOO_MANY_FRAMES, before any work', async () => {
    const many = Array.from({ length: 33 }, () => frames[0]!);
    const started = performance.now();
    await expect(compareFaces(card, many)).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_FRAMES, details: { frames: 33, maxFrames: 32 } });
    await expect(compareFaces(card, many.slice(0, 5), { maxFrames: 4 })).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_FRAMES });
    expect(performance.now() - started).toBeLessThan(100);
    await expect(compareFaces(card, frames, { maxFrames: 0 })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });
});

describe('verifyApplicant settles only when nothing of it runs any more', () => {
  it('a photo that fails at once cancels the video chain: its ffmpeg is ended and its temp folder gone when the call rejects', async () => {
    const before = sleepers();
    const started = performance.now();
    const call = verifyApplicant({ idCard: card, video: readFileSync(fixture('videos/upright.mp4')), photo: Buffer.from('not an image') }, { video: { ffprobePath: HANG } });
    // The video chain reaches its (never-ending) ffprobe before the photo fails? Either way, nothing may remain.
    await expect(call).rejects.toMatchObject({ code: ErrorCode.UNSUPPORTED_FORMAT });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(runningProcesses()).toBe(0);
    expect(tempDirsOf(process.pid)).toEqual([]);
    expect(await until(() => sleepers() === before, 2000)).toBe(true);
  });

  it('video.signal (as before) and the top-level signal both stop the whole call', async () => {
    const before = sleepers();
    const video = readFileSync(fixture('videos/upright.mp4'));
    for (const options of [{ signal: abortAfter(300) }, { video: { ffprobePath: HANG, signal: abortAfter(300) } }]) {
      await expect(verifyApplicant({ idCard: card, video, photo: photo('compliant.jpg') }, { ...options, video: { ffprobePath: HANG, ...(options as { video?: object }).video } })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
      expect(runningProcesses()).toBe(0);
      expect(tempDirsOf(process.pid)).toEqual([]);
    }
    expect(await until(() => sleepers() === before, 2000)).toBe(true);
  });
});
