/**
 * Loudness and speech activity of a recording's audio, from 16 kHz mono PCM: an energy-based voice
 * activity measure with a noise floor that adapts to the recording.
 */
import { round } from '../core/stats.js';
import { type BinaryOptions, locate, run } from './ffmpeg.js';

/** The recording's voice: loudness and the segments where someone speaks. */
export interface SpeechFacts {
  /** RMS level of the whole track, dBFS (0 = full scale; −∞ reported as −120). */
  loudnessDbfs: number;
  /** Loudest 20 ms frame, dBFS. */
  peakDbfs: number;
  /** Seconds in which someone is speaking. */
  speechSeconds: number;
  /** The speaking intervals, seconds from the start. */
  segments: Array<{ start: number; end: number }>;
  /**
   * What found them: 'level' (frames 12 dB above the track's quietest tenth), or 'model' (Silero VAD,
   * voice-activity.ts) when the level found less than a second of speech in a track that is not silent.
   */
  foundBy: 'level' | 'model';
}

const RATE = 16_000;
/** Samples a second of decodePcm's audio. */
export const PCM_RATE = RATE;
const FRAME = 320; // 20 ms
// A frame is voiced when it is this much above the recording's noise floor (its 10th-percentile
// frame) and above an absolute floor: a quiet room reads about −60 dBFS, speech −35 to −15.
const ABOVE_FLOOR_DB = 12;
const MIN_SPEECH_DBFS = -50;
// Gaps shorter than this join two segments (pauses between digits); segments shorter than the
// minimum are clicks, not speech.
const JOIN_GAP_S = 0.3;
const MIN_SEGMENT_S = 0.12;

type PcmOptions = BinaryOptions & { timeoutMs: number; signal?: AbortSignal; maxSeconds: number };

/** The first audio stream as 16 kHz mono signed 16-bit samples. */
export async function decodePcm(path: string, options: PcmOptions): Promise<Int16Array> {
  const ffmpeg = locate('ffmpeg', options).path;
  const { stdout } = await run(ffmpeg, ['-v', 'error', '-i', path, '-vn', '-ac', '1', '-ar', String(RATE), '-t', String(options.maxSeconds), '-f', 's16le', 'pipe:1'], {
    ...options,
    maxOutputBytes: Math.ceil(options.maxSeconds * RATE * 2) + 65_536,
  });
  // A copy: the pipe's buffer may start at an odd offset.
  const aligned = new Uint8Array(stdout.byteLength - (stdout.byteLength % 2));
  aligned.set(stdout.subarray(0, aligned.byteLength));
  return new Int16Array(aligned.buffer);
}

/** Level of each 20 ms frame, dBFS: the loudness envelope, 50 values a second. */
export function levelEnvelope(samples: ArrayLike<number>): Float64Array {
  const frames = Math.floor(samples.length / FRAME);
  const db = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) sum += samples[i]! * samples[i]!;
    db[f] = toDbfs(sum / FRAME);
  }
  return db;
}

export const ENVELOPE_RATE = RATE / FRAME;

/**
 * Level of each 20 ms frame of one band of the voice, dBFS (50 values a second): the samples through a
 * band-pass of two 2nd-order high-pass and two 2nd-order low-pass sections (RBJ biquads, Butterworth Q).
 */
export function bandEnvelope(samples: Int16Array, lowHz: number, highHz: number): Float64Array {
  let x: Float64Array = Float64Array.from(samples);
  for (let pass = 0; pass < 2; pass++) x = biquad(biquad(x, 'highpass', lowHz), 'lowpass', highHz);
  return levelEnvelope(x);
}

function biquad(x: Float64Array, type: 'highpass' | 'lowpass', hz: number): Float64Array {
  const w = (2 * Math.PI * hz) / RATE;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / (2 * Math.SQRT1_2);
  const a0 = 1 + alpha;
  const [b0, b1, b2] = type === 'lowpass' ? [(1 - cos) / 2, 1 - cos, (1 - cos) / 2] : [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2];
  const [n0, n1, n2, d1, d2] = [b0 / a0, b1 / a0, b2 / a0, (-2 * cos) / a0, (1 - alpha) / a0];
  const y = new Float64Array(x.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = n0 * x[i]! + n1 * x1 + n2 * x2 - d1 * y1 - d2 * y2;
    x2 = x1;
    x1 = x[i]!;
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

/** Loudness and voiced segments of 16 kHz mono samples. */
export function speechActivity(samples: Int16Array): SpeechFacts {
  const db = levelEnvelope(samples);
  const frames = db.length;
  let total = 0;
  for (let i = 0; i < frames * FRAME; i++) total += samples[i]! * samples[i]!;
  const loudnessDbfs = frames ? toDbfs(total / (frames * FRAME)) : -120;
  const peakDbfs = frames ? Math.max(...db) : -120;
  const floor = frames ? [...db].sort((a, b) => a - b)[Math.floor(frames * 0.1)] : -120;
  const threshold = Math.max(MIN_SPEECH_DBFS, floor + ABOVE_FLOOR_DB);
  const segments: Array<{ start: number; end: number }> = [];
  for (let f = 0; f < frames; f++) {
    if (db[f] < threshold) continue;
    const start = (f * FRAME) / RATE;
    const end = ((f + 1) * FRAME) / RATE;
    const last = segments[segments.length - 1];
    if (last && start - last.end <= JOIN_GAP_S) last.end = end;
    else segments.push({ start, end });
  }
  const kept = segments.filter((s) => s.end - s.start >= MIN_SEGMENT_S).map((s) => ({ start: round(s.start, 3), end: round(s.end, 3) }));
  return {
    loudnessDbfs: round(loudnessDbfs, 3),
    peakDbfs: round(peakDbfs, 3),
    speechSeconds: round(kept.reduce((sum, s) => sum + s.end - s.start, 0), 3),
    segments: kept,
    foundBy: 'level',
  };
}

const toDbfs = (meanSquare: number) => (meanSquare > 0 ? 10 * Math.log10(meanSquare / (32768 * 32768)) : -120);
