/**
 * extractFramesFromReadingVideo: the frames (and the facts) that verification needs from the video
 * an applicant records while reading digits aloud.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ErrorCode, VerifyError, invalidArgument } from '../errors.js';
import { rankingSharpness } from '../image/measures.js';
import { analyzeAudio, type SpeechFacts } from './audio.js';
import { type BinaryOptions, locate, run } from './ffmpeg.js';
import { type AudioFacts, type VideoFacts, probe } from './probe.js';
import { stageTimer } from '../photo/options.js';

export interface ExtractFramesOptions extends BinaryOptions {
  /** Frames to return, spread over the speech. Default 8. */
  count?: number;
  /** 'jpeg' (default) or 'raw' (RGB, 3 bytes a pixel, for direct model input). */
  format?: 'jpeg' | 'raw';
  /** Largest frame size, pixels; frames are reduced inside ffmpeg. Default 720×720 (aspect kept). */
  maxWidth?: number;
  maxHeight?: number;
  /** Shortest and longest video accepted, seconds. Defaults 2 and 60 (services ask for 3–15 s of reading). */
  minDurationS?: number;
  maxDurationS?: number;
  /** Largest file, bytes. Default 200 MiB. */
  maxFileBytes?: number;
  /** Largest picture, pixels (as stored). Default 3840×2160 (4K); 8K is refused. */
  maxPixels?: number;
  /** Hard limit on each ffmpeg/ffprobe run, milliseconds. Default 60,000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExtractedFrame {
  /** Seconds from the start. */
  timestamp: number;
  /** JPEG bytes, or raw RGB with format 'raw'. */
  image: Buffer;
  width: number;
  height: number;
  /** Laplacian-variance sharpness of the frame (image/measures.ts), the larger the sharper. */
  sharpness: number;
}

export interface ReadingVideoFrames {
  video: VideoFacts;
  audio: AudioFacts & Partial<SpeechFacts>;
  /** The part of the video the frames were taken from, seconds: the speech, or the whole video. */
  span: { start: number; end: number; source: 'speech' | 'whole' };
  frames: ExtractedFrame[];
  /** Milliseconds per stage: probe, audio, frames. */
  timings: Record<string, number>;
}

const DEFAULTS: { count: number; maxWidth: number; maxHeight: number; minDurationS: number; maxDurationS: number; maxFileBytes: number; maxPixels: number; timeoutMs: number } = {
  count: 8,
  maxWidth: 720,
  maxHeight: 720,
  minDurationS: 2,
  maxDurationS: 60,
  maxFileBytes: 200 * 1024 * 1024,
  maxPixels: 3840 * 2160,
  timeoutMs: 60_000,
};
// Candidate frames decoded per returned frame: the sharpest of each slot is kept.
const CANDIDATES_PER_SLOT = 4;

export async function extractFramesFromReadingVideo(video: string | Buffer | Uint8Array, options: ExtractFramesOptions = {}): Promise<ReadingVideoFrames> {
  const o = { ...DEFAULTS, ...definedOnly(options) };
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 64) throw invalidArgument('options.count', 'an integer from 1 to 64', o.count);
  if (o.format !== undefined && o.format !== 'jpeg' && o.format !== 'raw') throw invalidArgument('options.format', "'jpeg' or 'raw'", o.format);
  const { timings, lap } = stageTimer();

  let tempDir: string | undefined;
  try {
    let path: string;
    if (typeof video === 'string') {
      const info = await stat(video).catch((cause) => {
        throw new VerifyError(ErrorCode.INPUT_NOT_FOUND, `Cannot read the video file ${video}.`, { cause, details: { path: video } });
      });
      if (!info.isFile()) throw new VerifyError(ErrorCode.INPUT_NOT_FOUND, `${video} is not a file.`, { details: { path: video } });
      checkBytes(info.size, o.maxFileBytes);
      path = video;
    } else if (video instanceof Uint8Array) {
      checkBytes(video.byteLength, o.maxFileBytes);
      // A private folder (mode 0700) holds the bytes for ffmpeg, which must seek in MP4; removed in finally.
      tempDir = await mkdtemp(join(tmpdir(), 'idphoto-video-'));
      path = join(tempDir, 'input');
      await writeFile(path, video, { mode: 0o600 });
    } else {
      throw invalidArgument('video', 'a file path, Buffer or Uint8Array', video);
    }

    const runOptions = { ffmpegPath: o.ffmpegPath, ffprobePath: o.ffprobePath, timeoutMs: o.timeoutMs, signal: o.signal };
    const facts = await probe(path, runOptions);
    const { video: v } = facts;
    if (v.storedWidth * v.storedHeight > o.maxPixels) {
      throw new VerifyError(ErrorCode.VIDEO_TOO_LARGE, `The video is ${v.storedWidth}×${v.storedHeight}; at most ${o.maxPixels} pixels a frame are accepted. Record at 1080p or 4K.`, {
        details: { width: v.storedWidth, height: v.storedHeight, maxPixels: o.maxPixels },
      });
    }
    if (!(v.durationS >= o.minDurationS) || v.durationS > o.maxDurationS) {
      throw new VerifyError(
        ErrorCode.VIDEO_DURATION,
        `The video lasts ${v.durationS.toFixed(1)} s; it must last ${o.minDurationS}–${o.maxDurationS} s.`,
        { details: { durationS: v.durationS, minDurationS: o.minDurationS, maxDurationS: o.maxDurationS } },
      );
    }
    lap('probe');

    let audio: ReadingVideoFrames['audio'] = facts.audio;
    if (facts.audio.present) audio = { ...facts.audio, ...(await analyzeAudio(path, { ...runOptions, maxSeconds: v.durationS + 1 })) };
    lap('audio');

    const speech = audio.segments ?? [];
    const span: ReadingVideoFrames['span'] =
      speech.length > 0 && (audio.speechSeconds ?? 0) >= 0.3
        ? { start: speech[0].start, end: Math.min(v.durationS, speech[speech.length - 1].end), source: 'speech' }
        : { start: 0, end: v.durationS, source: 'whole' };
    const frames = await sharpestFrames(path, v, span, o, runOptions);
    lap('frames');
    return { video: v, audio, span, frames, timings };
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

/**
 * One ffmpeg run decodes CANDIDATES_PER_SLOT × count frames evenly over the span (seeking to its start,
 * scaled down inside ffmpeg, autorotated upright); the sharpest candidate of each slot is returned.
 */
async function sharpestFrames(
  path: string,
  v: VideoFacts,
  span: { start: number; end: number },
  o: typeof DEFAULTS & ExtractFramesOptions,
  runOptions: BinaryOptions & { timeoutMs: number; signal?: AbortSignal },
): Promise<ExtractedFrame[]> {
  const scale = Math.min(1, o.maxWidth / v.width, o.maxHeight / v.height);
  const width = Math.max(2, Math.round((v.width * scale) / 2) * 2);
  const height = Math.max(2, Math.round((v.height * scale) / 2) * 2);
  const length = Math.max(0.1, span.end - span.start);
  const wanted = o.count * CANDIDATES_PER_SLOT;
  const rate = wanted / length;
  const ffmpeg = locate('ffmpeg', runOptions).path;
  const { stdout } = await run(
    ffmpeg,
    [
      '-v', 'error',
      // Frames no other frame refers to (most B-frames) are not decoded: a 10 s 1080p H.264 clip
      // decodes in 0.73× the time, and the frames that are decoded keep their full quality.
      '-skip_frame', 'noref',
      '-ss', span.start.toFixed(3),
      '-i', path,
      '-t', length.toFixed(3),
      '-an',
      '-vf', `fps=${rate.toFixed(4)},scale=${width}:${height}`,
      '-frames:v', String(wanted),
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ],
    { ...runOptions, maxOutputBytes: wanted * width * height * 3 + 1024 },
  );
  const frameBytes = width * height * 3;
  const decoded = Math.floor(stdout.length / frameBytes);
  if (decoded === 0) throw new VerifyError(ErrorCode.NOT_A_VIDEO, 'No frame could be decoded from the video.');
  const candidates = Array.from({ length: decoded }, (_, i) => {
    const data = stdout.subarray(i * frameBytes, (i + 1) * frameBytes);
    const image = { data, width, height };
    return {
      index: i,
      timestamp: span.start + (i + 0.5) / rate,
      data,
      // Central part of the frame, where the face is: background blur does not count.
      sharpness: rankingSharpness(image, { x0: width / 4, y0: height / 6, x1: (width * 3) / 4, y1: (height * 5) / 6 }),
    };
  });
  const slots = Math.min(o.count, decoded);
  const chosen = [];
  for (let s = 0; s < slots; s++) {
    const from = Math.floor((s * decoded) / slots);
    const to = Math.max(from + 1, Math.floor(((s + 1) * decoded) / slots));
    chosen.push(candidates.slice(from, to).reduce((best, c) => (c.sharpness > best.sharpness ? c : best)));
  }
  return Promise.all(
    chosen.map(async (c) => ({
      timestamp: Math.round(c.timestamp * 1000) / 1000,
      image: o.format === 'raw' ? Buffer.from(c.data) : await sharp(c.data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer(),
      width,
      height,
      sharpness: Math.round(c.sharpness * 10) / 10,
    })),
  );
}

function checkBytes(size: number, max: number): void {
  if (size === 0) throw new VerifyError(ErrorCode.INPUT_EMPTY, 'The video file is empty (0 bytes).');
  if (size > max) throw new VerifyError(ErrorCode.INPUT_TOO_LARGE, `The video is ${size} bytes; at most ${max} are accepted.`, { details: { bytes: size, maxFileBytes: max } });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
