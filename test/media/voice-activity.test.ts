/**
 * The voice-activity model (Silero VAD) that readRecording asks when the level finds less than a second
 * of speech. Real speech the level misses is in test/data/liveness.data.test.ts (../shared/data).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { extractFramesFromReadingVideo } from '../../src/index.js';
import { decodePcm } from '../../src/media/audio.js';
import { locate } from '../../src/media/ffmpeg.js';
import { SECOND_OPINION_BELOW_S, speechProbabilities, speechSegments } from '../../src/media/voice-activity.js';
import { LIVENESS_LIMITS } from '../../src/liveness/types.js';

const video = (file: string) => fileURLToPath(new URL(`../../fixtures/videos/${file}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vad-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('speechSegments (Silero’s hysteresis over 32 ms steps)', () => {
  const steps = (...runs: Array<[number, number]>) => Float32Array.from(runs.flatMap(([p, n]) => Array<number>(n).fill(p)));
  it('starts above 0.5, holds above 0.35, joins pauses under 100 ms, drops segments under 250 ms', () => {
    // 10 quiet, 20 loud, 2 at 0.4 (held), 2 at 0.2 (a 64 ms pause: joined), 10 loud, 10 quiet, 3 loud (96 ms: dropped), 10 quiet.
    const p = steps([0.1, 10], [0.9, 20], [0.4, 2], [0.2, 2], [0.9, 10], [0.1, 10], [0.9, 3], [0.1, 10]);
    expect(speechSegments(p)).toEqual([{ start: 0.32, end: 1.408 }]);
  });
  it('a segment still open at the end is closed there', () => {
    expect(speechSegments(steps([0.1, 5], [0.8, 20]))).toEqual([{ start: 0.16, end: 0.8 }]);
  });
  it('nothing above 0.5 is no speech', () => {
    expect(speechSegments(steps([0.45, 50]))).toEqual([]);
  });
});

describe('speechProbabilities (the model, real)', () => {
  it('one probability a 32 ms step, each in 0–1; steady loud noise is not speech', async () => {
    const noisy = join(dir, 'noise.mp4');
    execFileSync(locate('ffmpeg').path, ['-v', 'error', '-f', 'lavfi', '-i', 'color=gray:s=64x64:r=10', '-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.3:seed=3', '-t', '4', '-shortest', '-c:v', 'libx264', '-c:a', 'aac', noisy], { timeout: 30_000 });
    const pcm = await decodePcm(noisy, { timeoutMs: 30_000, maxSeconds: 10 });
    const p = await speechProbabilities(pcm);
    expect(p).toHaveLength(Math.floor(pcm.length / 512));
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...p)).toBeLessThan(0.35);
    // The level finds no speech in it either, so readRecording asked the model, which found none.
    const r = await extractFramesFromReadingVideo(noisy, { count: 1 });
    expect(r.audio).toMatchObject({ speechSeconds: 0, foundBy: 'level' });
  }, 60_000);

  it('is stopped by its signal', async () => {
    const pcm = await decodePcm(video('upright.mp4'), { timeoutMs: 30_000, maxSeconds: 10 });
    const stop = new AbortController();
    stop.abort(new Error('stopped'));
    await expect(speechProbabilities(pcm, stop.signal)).rejects.toThrow('stopped');
  });

  it('asks the model below the same second of speech that liveness needs', () => {
    expect(SECOND_OPINION_BELOW_S).toBe(LIVENESS_LIMITS.minSpeechSeconds);
  });
});
