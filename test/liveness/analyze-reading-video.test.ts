import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, LIVENESS_LIMITS, analyzeReadingVideo, extractFramesFromReadingVideo, spokenDigits } from '../../src/index.js';
import { locate, runningProcesses } from '../../src/media/ffmpeg.js';
import { tempDirsOf } from '../helpers.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');

// fixtures/videos: photo-voice.mp4 and face-switch.mp4 by scripts/make-liveness-fixtures.ts (person A's
// still photo, then person B's, over a voice-like tone 0.5–3.5 s); silent.mp4, no-audio.mp4 by
// scripts/make-video-fixtures.ts. The real talking videos that pass are in test/data/.
const video = (file: string) => fileURLToPath(new URL(`../../fixtures/videos/${file}`, import.meta.url));
// This process's own temp folders (named with its pid): other processes on the machine may be making theirs.
const tempDirs = () => tempDirsOf(process.pid).length;

describe('analyzeReadingVideo: attacks and failures each fail the signal meant for them', () => {
  it('a still photo with a voice over it: LIP_MOVEMENT_TOO_SMALL, and the other signals pass', async () => {
    const r = await analyzeReadingVideo(video('photo-voice.mp4'));
    expect(r.passed).toBe(false);
    expect(r.codes).toEqual(['LIP_MOVEMENT_TOO_SMALL']);
    const lips = r.signals.lipSync;
    expect(lips).toMatchObject({ status: 'failed', passed: false, limit: { minMouthMotion: LIVENESS_LIMITS.minMouthMotion, minSyncZ: LIVENESS_LIMITS.minSyncZ } });
    // A still: the lips move no more than the nose does (not at all).
    expect(Math.abs(lips.measured.mouthMotion as number)).toBeLessThan(LIVENESS_LIMITS.minMouthMotion);
    expect(r.signals.speech).toMatchObject({ status: 'passed' });
    expect(r.signals.speech.measured.speechSeconds).toBeGreaterThan(2.5);
    expect(r.signals.faceConsistency).toMatchObject({ status: 'passed', measured: { oneFaceShare: 1 } });
    // One person throughout: no run of faces is unlike the others.
    expect(r.signals.faceConsistency.measured.runSimilarity as number).toBeGreaterThan(LIVENESS_LIMITS.minSameFaceSimilarity);
    expect(r.signals.quality.status).toBe('passed');
    expect(r.signals.digits).toMatchObject({ status: 'not-checked', passed: true, measured: {} });
    expect(r.signals.presentationAttack).toMatchObject({ severity: 'error', passed: true, codes: [], limit: { maxScreenPattern: LIVENESS_LIMITS.maxScreenPattern } });
    expect(r.signals.presentationAttack.measured.screenPattern).toBeLessThan(LIVENESS_LIMITS.maxScreenPattern);
    // About 10 frames a second over the 3 s of voice.
    expect(r.samples.length).toBeGreaterThanOrEqual(25);
    expect(r.recording.frames).toHaveLength(8);
    // compareFaces' frames come from the tracking decode (one keyframe in the file: no keyframe decoding), inside the speech.
    expect(r.recording.decoding).toBe('sequential');
    for (const f of r.recording.frames) {
      expect(f.timestamp).toBeGreaterThanOrEqual(r.recording.span.start);
      expect(f.timestamp).toBeLessThanOrEqual(r.recording.span.end);
      expect(f.image.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    expect(r.recording.frames.map((f) => f.timestamp)).toEqual([...r.recording.frames.map((f) => f.timestamp)].sort((a, b) => a - b));
  });

  it('a video with no face at all: FACE_NOT_VISIBLE after a bounded search (6 detections, not one per frame)', async () => {
    // 12 s of a test pattern over a voice-like tone, made here: every frame used to be searched (30–80 s for 20 s).
    const dir = mkdtempSync(join(tmpdir(), 'idphoto-test-faceless-'));
    try {
      const file = join(dir, 'faceless.mp4');
      const made = spawnSync(locate('ffmpeg').path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=12', '-f', 'lavfi', '-i', 'sine=frequency=220:duration=12', '-af', 'volume=8', '-pix_fmt', 'yuv420p', '-shortest', file]);
      expect(made.status, made.stderr?.toString()).toBe(0);
      const r = await analyzeReadingVideo(file);
      expect(r.codes).toContain('FACE_NOT_VISIBLE');
      expect(r.samples.length).toBeGreaterThan(60);
      expect(r.samples.filter((s) => s.faces >= 0).length).toBeLessThanOrEqual(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('person A, then person B: FACE_CHANGED', async () => {
    const r = await analyzeReadingVideo(video('face-switch.mp4'));
    expect(r.codes).toContain('FACE_CHANGED');
    expect(r.signals.faceConsistency.measured.lowestSimilarity as number).toBeLessThan(LIVENESS_LIMITS.minSameFaceSimilarity);
    // B's run of faces, compared as a whole with A's.
    expect(r.signals.faceConsistency.measured.runSimilarity as number).toBeLessThan(LIVENESS_LIMITS.minSameFaceSimilarity);
    expect(r.signals.faceConsistency.measured.runFaces).toBeGreaterThanOrEqual(3);
  });

  it('person B sitting down after the reading, silent: FACE_CHANGED from the frames outside the speech', async () => {
    // photo-voice.mp4 (person A, 4 s, the voice 0.5–3.5 s), then 4 s of person B without a sound: B is
    // seen only outside the speech, on the frames decoded a second apart beside the speech's own.
    const dir = mkdtempSync(join(tmpdir(), 'liveness-test-'));
    try {
      const out = join(dir, 'switch-after.mp4');
      const graph = '[1:v]scale=360:432:force_original_aspect_ratio=decrease,pad=360:432:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25,format=yuv420p[b];[0:v]setsar=1,format=yuv420p[a];[a][0:a][b][2:a]concat=n=2:v=1:a=1[v][s]';
      const made = spawnSync(locate('ffmpeg').path, ['-v', 'error', '-i', video('photo-voice.mp4'), '-loop', '1', '-t', '4', '-i', fileURLToPath(new URL('../../fixtures/faces/person-b.jpg', import.meta.url)), '-f', 'lavfi', '-t', '4', '-i', 'anullsrc=r=48000:cl=mono', '-filter_complex', graph, '-map', '[v]', '-map', '[s]', '-c:v', 'libx264', '-c:a', 'aac', out]);
      expect(made.status, String(made.stderr)).toBe(0);
      const r = await analyzeReadingVideo(out);
      expect(r.recording.span.end).toBeLessThan(4.5);
      expect(r.codes).toContain('FACE_CHANGED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['silent.mp4', 'no-audio.mp4'])('%s: NO_SOUND, and lip sync cannot be measured', async (file) => {
    const r = await analyzeReadingVideo(video(file));
    expect(r.signals.speech).toMatchObject({ status: 'failed', codes: ['NO_SOUND'] });
    expect(r.signals.lipSync.status).toBe('skipped');
    expect(r.passed).toBe(false);
    expect(r.signals.speech.message.zh).toMatch(/声音/);
  });
});

describe("analyzeReadingVideo: digits, with the host's recogniser", () => {
  it('checks the challenge digits in order among the digits heard, in Chinese or English, filler ignored', async () => {
    const heard: Int16Array[] = [];
    const ok = await analyzeReadingVideo(video('photo-voice.mp4'), {
      challengeDigits: '3806',
      transcribe: async (pcm) => {
        heard.push(pcm);
        return '嗯，三八零，六';
      },
    });
    expect(ok.signals.digits).toMatchObject({ status: 'passed', measured: { heard: '3806' }, limit: { challenge: '3806' } });
    // The recogniser is given 16 kHz mono: about 4 s of it.
    expect(heard[0]!.length).toBeGreaterThan(3.5 * 16_000);
    const wrong = await analyzeReadingVideo(video('photo-voice.mp4'), { challengeDigits: '3806', transcribe: async () => 'three eight six zero' });
    expect(wrong.signals.digits).toMatchObject({ status: 'failed', codes: ['DIGITS_MISMATCH'] });
  });

  it.each([
    ['三八零六', '3806'],
    ['幺两三', '123'],
    ['my number is 4, 7, nine', '479'],
    ['no digits here', ''],
  ])('spokenDigits(%j) = %j', (text, digits) => {
    expect(spokenDigits(text)).toBe(digits);
  });
});

describe('analyzeReadingVideo: bad input and resources', () => {
  it.each([
    ['not a video', Buffer.from('hello, not a video at all'), ErrorCode.NOT_A_VIDEO],
    ['an empty buffer', Buffer.alloc(0), ErrorCode.INPUT_EMPTY],
    ['a missing file', '/nonexistent/video.mp4', ErrorCode.INPUT_NOT_FOUND],
    ['audio only', video('audio-only.m4a'), ErrorCode.NO_VIDEO_STREAM],
  ])('%s → %s', async (_name, input, code) => {
    await expect(analyzeReadingVideo(input as Buffer)).rejects.toMatchObject({ code });
  });

  it.each([[{ fps: 100 }], [{ challengeDigits: '38a6' }], [{ transcribe: 'whisper' }]])('refuses options %j', async (options) => {
    await expect(analyzeReadingVideo(video('photo-voice.mp4'), options as never)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it("never writes the applicant's raw frames to its temp folder, only a video given as bytes (the frames come through pipes)", async () => {
    const seen = new Set<string>();
    const poll = setInterval(() => {
      for (const dir of tempDirsOf(process.pid)) {
        try {
          for (const name of readdirSync(join(tmpdir(), dir))) seen.add(name);
        } catch {
          // removed meanwhile
        }
      }
    }, 2);
    try {
      for (const file of ['photo-voice.mp4', 'variable-rate.mp4', 'browser-no-duration.webm', 'face-switch.mp4']) {
        await analyzeReadingVideo(readFileSync(video(file)));
        await analyzeReadingVideo(video(file), { decoding: 'sequential' });
        for (const decoding of ['keyframes', 'keyframe-bursts', 'sequential'] as const) await extractFramesFromReadingVideo(readFileSync(video(file)), { decoding });
      }
    } finally {
      clearInterval(poll);
    }
    expect([...seen]).toEqual(['input']);
  });

  it('leaves no tensor, process or temp folder behind, bytes in or path in', async () => {
    await analyzeReadingVideo(video('photo-voice.mp4'));
    const tensors = tf.memory().numTensors;
    const temp = tempDirs();
    await analyzeReadingVideo(readFileSync(video('face-switch.mp4')));
    await analyzeReadingVideo(Buffer.from('garbage')).catch(() => undefined);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(runningProcesses()).toBe(0);
    expect(tempDirs()).toBe(temp);
  });
});
