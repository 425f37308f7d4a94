/**
 * Speech found by a model, where the level alone does not find it: Silero VAD v5 (models/silero, MIT),
 * a small recurrent network that gives the probability of speech in each 32 ms of 16 kHz audio.
 *
 * audio.ts finds speech by level: a frame 12 dB above the recording's own quietest tenth. A voice over a
 * loud, steady background (a TV studio, a street) has no quiet tenth, and speech read without a pause has
 * none either: on two real speakers of eval:liveness the level found 0 s and 0.8 s of speech where
 * there were 9.7 s and 4.3 s (NO_SOUND, an attempt lost). The model hears the voice itself. It runs only
 * then — when the level finds less speech than liveness asks for and the track is not silent — so the
 * common recording costs nothing more (the model takes ~10 ms a second of audio here, native).
 */
import { useOnnxModel } from '../models/registry.js';
import { getOnnxRuntime } from '../models/onnx.js';
import { PCM_RATE } from './audio.js';

// The model's step, and the samples of the step before that it is given as context (Silero's own values at 16 kHz).
const STEP = 512;
const CONTEXT = 64;
const STATE_SIZE = 2 * 1 * 128;
// Silero's defaults (utils_vad.get_speech_timestamps): speech starts above 0.5 and ends below 0.35;
// a pause of less than 100 ms does not end it; a segment of less than 250 ms is not speech.
const ON = 0.5;
const OFF = 0.35;
const MIN_PAUSE_S = 0.1;
const MIN_SEGMENT_S = 0.25;

/** The speech probability of each 32 ms step of 16 kHz mono samples. */
export async function speechProbabilities(samples: Int16Array, signal?: AbortSignal): Promise<Float32Array> {
  const session = await useOnnxModel('voiceActivity');
  const { ort } = getOnnxRuntime();
  const steps = Math.floor(samples.length / STEP);
  const out = new Float32Array(steps);
  const sr = new ort.Tensor('int64', BigInt64Array.of(BigInt(PCM_RATE)), [1]);
  let state: Float32Array = new Float32Array(STATE_SIZE);
  const input = new Float32Array(CONTEXT + STEP);
  for (let i = 0; i < steps; i++) {
    // The last CONTEXT samples of the previous step, then this step.
    input.copyWithin(0, STEP, STEP + CONTEXT);
    for (let j = 0; j < STEP; j++) input[CONTEXT + j] = samples[i * STEP + j]! / 32768;
    const result = await session.run({
      input: new ort.Tensor('float32', input.slice(), [1, CONTEXT + STEP]),
      state: new ort.Tensor('float32', state, [2, 1, 128]),
      sr,
    });
    out[i] = (result.output!.data as Float32Array)[0]!;
    // The next state, as the runtime returned it (a fresh array each run).
    state = result.stateN!.data as Float32Array;
    if (i % 64 === 63) signal?.throwIfAborted();
  }
  return out;
}

/**
 * Less speech than this, seconds, by level, and the model is asked (liveness's LIVENESS_LIMITS.minSpeechSeconds:
 * below it a reading video is NO_SOUND), unless nothing in the track is louder than a quiet room.
 */
export const SECOND_OPINION_BELOW_S = 1;
export const SILENT_PEAK_DBFS = -50;

/** The speech facts by the model: its segments, their seconds. */
export async function modelSpeech(samples: Int16Array, signal?: AbortSignal): Promise<{ speechSeconds: number; segments: Array<{ start: number; end: number }> }> {
  const segments = speechSegments(await speechProbabilities(samples, signal));
  return { speechSeconds: round3(segments.reduce((sum, s) => sum + s.end - s.start, 0)), segments };
}

/** The speaking intervals (seconds from the start) in the model's probabilities, by Silero's hysteresis. */
export function speechSegments(probabilities: Float32Array): Array<{ start: number; end: number }> {
  const stepS = STEP / PCM_RATE;
  const segments: Array<{ start: number; end: number }> = [];
  let start = -1;
  // The first quiet step of the pause under way: a pause ends the segment there once it has lasted MIN_PAUSE_S.
  let quiet = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (p >= ON) {
      if (start < 0) start = i;
      quiet = -1;
    } else if (start >= 0 && p < OFF) {
      if (quiet < 0) quiet = i;
      if ((i + 1 - quiet) * stepS >= MIN_PAUSE_S) {
        segments.push({ start: start * stepS, end: quiet * stepS });
        start = -1;
        quiet = -1;
      }
    }
  }
  if (start >= 0) segments.push({ start: start * stepS, end: (quiet < 0 ? probabilities.length : quiet) * stepS });
  return segments.filter((s) => s.end - s.start >= MIN_SEGMENT_S).map((s) => ({ start: round3(s.start), end: round3(s.end) }));
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
