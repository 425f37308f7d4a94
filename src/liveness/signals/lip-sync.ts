/**
 * lipSync: does the mouth move by itself, and with the voice? Two measures of the face in its own frame
 * (face-frame.ts), each against its limit:
 *
 * - the lips' own motion: how fast they open and close, beyond how fast the nose's base moves against its
 *   bridge (0 for a rigid face: camera noise, re-encoding and a photo's motion move both pairs alike;
 *   LIP_MOVEMENT_TOO_SMALL);
 * - its synchrony with the voice: the lips' opening against the level of the voice's 1–3 kHz band, tested
 *   against independence at the best lag within ±0.2 s (synchrony.ts; LIPS_OUT_OF_SYNC); and the same test
 *   0.4–2 s off, where a shifted voice fits its lips (LIPS_OUT_OF_SYNC when it fits there beyond chance, and
 *   better than near). The band of the
 *   second formant is where the mouth's area and the voice's envelope correlate most (Chandrasekaran et
 *   al. 2009, The natural statistics of audiovisual speech); on the real videos of eval:liveness the median
 *   z is 2.0 on this band, 1.5 on the whole one.
 */
import { mean, quantile, round } from '../../core/stats.js';
import { ENVELOPE_RATE, PCM_RATE, bandEnvelope } from '../../media/audio.js';
import type { ReadingVideoFrames } from '../../media/extract-frames.js';
import { FACE_FRAME_EYE_DISTANCE, LOWER_LIP, NOSE_BASE, NOSE_BRIDGE, UPPER_LIP, verticalShift } from '../face-frame.js';
import { synchrony, synchronyAt } from '../synchrony.js';
import type { TrackedFrame } from '../tracking.js';
import { LIVENESS_LIMITS, type LivenessCode, type SignalOf } from '../types.js';
import { notMeasured, signal } from './signal.js';

const LIMIT = {
  minMouthMotion: LIVENESS_LIMITS.minMouthMotion,
  minSyncZ: LIVENESS_LIMITS.minSyncZ,
  syncLagsS: LIVENESS_LIMITS.syncLagsS,
  offsetLagsS: LIVENESS_LIMITS.offsetLagsS,
  maxOffsetSyncP: LIVENESS_LIMITS.maxOffsetSyncP,
};
// Below this level a 20 ms frame counts as this level: digital silence (−120) would outweigh the speech.
const LEVEL_FLOOR_DBFS = -70;
// The voice's band whose level the lips follow, Hz.
const SYNC_BAND_HZ = [1000, 3000] as const;
// Half the window of the trend taken out of both series before the synchrony test, seconds.
const TREND_HALF_WINDOW_S = 0.5;
// Samples of an envelope frame (20 ms).
const PCM_FRAME = PCM_RATE / ENVELOPE_RATE;

export function lipSyncSignal(frames: TrackedFrame[], pcm: Int16Array | undefined, recording: ReadingVideoFrames): SignalOf<'lipSync'> {
  // Over each pair of consecutive frames with the face registered in both: how far the lips moved apart
  // or together, and how far the nose's base moved against its bridge (the registration's error, the same
  // spacing apart). A rigid face's excess is 0 but for noise; a speaker's lips open and close.
  const lipSpeeds: number[] = [];
  const noseSpeeds: number[] = [];
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!.faceFrame;
    const b = frames[i]!.faceFrame;
    if (!a || !b) continue;
    lipSpeeds.push(Math.abs(verticalShift(a, b, LOWER_LIP) - verticalShift(a, b, UPPER_LIP)));
    noseSpeeds.push(Math.abs(verticalShift(a, b, NOSE_BASE) - verticalShift(a, b, NOSE_BRIDGE)));
  }
  if (lipSpeeds.length < 8 || !pcm || (recording.audio.speechSeconds ?? 0) < LIVENESS_LIMITS.minSpeechSeconds) {
    return notMeasured('lipSync', LIMIT, lipSpeeds.length < 8
      ? { en: 'Lip movement could not be measured: too few frames show the mouth.', zh: '无法检测唇动：能看到嘴部的画面太少。' }
      : { en: 'Lip movement could not be measured: there is no speech to compare the lips with.', zh: '无法检测唇动：没有可比对的语音。' });
  }
  // Face-frame pixels a frame step, as eye distances (24 px) a second.
  const fps = (frames.length - 1) / Math.max(1e-3, frames.at(-1)!.t - frames[0]!.t);
  const motion = ((mean(lipSpeeds) - mean(noseSpeeds)) * fps) / FACE_FRAME_EYE_DISTANCE;
  // The lips' opening at each frame that shows them, and the level of the voice's 1–3 kHz band there:
  // dBFS over ±50 ms, from the 50-a-second envelope.
  const lips = frames.filter((f) => f.mouth !== null);
  // The band filtered over the tracked frames only (a second either side for the filters to settle), not
  // over the whole recording.
  const from = Math.max(0, Math.floor(((frames[0]!.t - 1) * ENVELOPE_RATE)));
  const env = bandEnvelope(pcm.subarray(from * PCM_FRAME, Math.ceil((frames.at(-1)!.t + 1) * ENVELOPE_RATE) * PCM_FRAME), SYNC_BAND_HZ[0], SYNC_BAND_HZ[1]);
  const level = lips.map(({ t }) => {
    const c = Math.round(t * ENVELOPE_RATE) - from;
    let sum = 0;
    let n = 0;
    for (let i = c - 2; i <= c + 2; i++) if (i >= 0 && i < env.length) (sum += Math.max(LEVEL_FLOOR_DBFS, env[i]!)), n++;
    return n ? sum / n : LEVEL_FLOOR_DBFS;
  });
  const step = lips.length > 1 ? (lips.at(-1)!.t - lips[0]!.t) / (lips.length - 1) : 0.1;
  // Each series less its trend (a centred 1 s mean): the syllables' rhythm is synchrony; a tracker settling
  // on a still face as the voice starts, a slow zoom, a voice getting louder are not. The photo-voice
  // fixture's still reached z 4.8 on the raw series, by its landmarks' first-second settling alone.
  const half = Math.max(1, Math.round(TREND_HALF_WINDOW_S / step));
  const mouths = detrended(lips.map((f) => f.mouth!), half);
  const voice = detrended(level, half);
  const sync = synchrony(mouths, voice, Math.max(1, Math.round(LIVENESS_LIMITS.syncLagsS / step)));
  // The voice 0.4–2 s off, either way: where a shifted voice fits its lips.
  const [near, far] = LIVENESS_LIMITS.offsetLagsS.map((s) => Math.round(s / step));
  const offLags: number[] = [];
  for (let l = near!; l <= far!; l++) offLags.push(l, -l);
  const offset = synchronyAt(mouths, voice, offLags);
  const codes: LivenessCode[] = [];
  if (motion < LIVENESS_LIMITS.minMouthMotion) codes.push('LIP_MOVEMENT_TOO_SMALL');
  else if (sync.z < LIVENESS_LIMITS.minSyncZ || (offset.p < LIVENESS_LIMITS.maxOffsetSyncP && offset.z > sync.z)) codes.push('LIPS_OUT_OF_SYNC');
  return signal(
    'lipSync',
    codes,
    {
      mouthMotion: round(motion, 2),
      syncZ: round(sync.z, 2),
      syncP: round(sync.p, 3),
      correlation: round(sync.correlation, 3),
      syncLagS: round(sync.lag * step, 2),
      offsetSyncZ: round(offset.z, 2),
      offsetSyncP: round(offset.p, 3),
      offsetLagS: round(offset.lag * step, 2),
      mouthRange: round(quantile(mouths, 0.9) - quantile(mouths, 0.1), 4),
      framesWithMouth: lips.length,
    },
    LIMIT,
    {
      LIP_MOVEMENT_TOO_SMALL: { en: 'The lips do not move. Read the digits aloud yourself, facing the camera.', zh: '未检测到唇动。请本人正对镜头大声朗读数字。' },
      LIPS_OUT_OF_SYNC: { en: 'The lips do not move with the voice. Read the digits yourself, facing the camera.', zh: '唇动与声音不一致。请本人正对镜头朗读数字。' },
    },
  );
}

/** `x` less its centred moving mean over ±`half` samples. */
function detrended(x: readonly number[], half: number): number[] {
  const sums = [0];
  for (const v of x) sums.push(sums.at(-1)! + v);
  return x.map((v, i) => {
    const from = Math.max(0, i - half);
    const to = Math.min(x.length, i + half + 1);
    return v - (sums[to]! - sums[from]!) / (to - from);
  });
}
