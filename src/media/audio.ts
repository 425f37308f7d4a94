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
export function levelEnvelope(samples: Int16Array): Float64Array {
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
  };
}

const toDbfs = (meanSquare: number) => (meanSquare > 0 ? 10 * Math.log10(meanSquare / (32768 * 32768)) : -120);
