/**
 * lipSync: does the mouth move by itself, and with the voice? Two measures of the face in its own frame
 * (face-frame.ts), each against its limit:
 *
 * - the lips' own motion: how fast they open and close, beyond how fast the nose's base moves against its
 *   bridge (0 for a rigid face: camera noise, re-encoding and a photo's motion move both pairs alike;
 *   LIP_MOVEMENT_TOO_SMALL);
 * - its synchrony with the voice: the lips' opening against the level of the voice's 1–3 kHz band, tested
 *   against independence at the best lag within ±0.2 s (synchrony.ts; LIPS_OUT_OF_SYNC). The band of the
 *   second formant is where the mouth's area and the voice's envelope correlate most (Chandrasekaran et
 *   al. 2009, The natural statistics of audiovisual speech); on the real videos of eval:liveness the median
 *   z is 2.0 on this band, 1.5 on the whole one.
 */
import { mean, quantile, round } from '../../core/stats.js';
import { ENVELOPE_RATE, PCM_RATE, bandEnvelope } from '../../media/audio.js';
import type { ReadingVideoFrames } from '../../media/extract-frames.js';
import { FACE_FRAME_EYE_DISTANCE, LOWER_LIP, NOSE_BASE, NOSE_BRIDGE, UPPER_LIP, verticalShift } from '../face-frame.js';
import { synchrony } from '../synchrony.js';
import type { TrackedFrame } from '../tracking.js';
import { LIVENESS_LIMITS, type LivenessCode, type SignalOf } from '../types.js';
import { notMeasured, signal } from './signal.js';

const LIMIT = { minMouthMotion: LIVENESS_LIMITS.minMouthMotion, minSyncZ: LIVENESS_LIMITS.minSyncZ, syncLagsS: LIVENESS_LIMITS.syncLagsS };
// Below this level a 20 ms frame counts as this level: digital silence (−120) would outweigh the speech.
const LEVEL_FLOOR_DBFS = -70;
// The voice's band whose level the lips follow, Hz.
const SYNC_BAND_HZ = [1000, 3000] as const;
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
  const mouths = lips.map((f) => f.mouth!);
  const step = lips.length > 1 ? (lips.at(-1)!.t - lips[0]!.t) / (lips.length - 1) : 0.1;
  const sync = synchrony(mouths, level, Math.max(1, Math.round(LIVENESS_LIMITS.syncLagsS / step)));
  const codes: LivenessCode[] = [];
  if (motion < LIVENESS_LIMITS.minMouthMotion) codes.push('LIP_MOVEMENT_TOO_SMALL');
  else if (sync.z < LIVENESS_LIMITS.minSyncZ) codes.push('LIPS_OUT_OF_SYNC');
  return signal(
    'lipSync',
    codes,
    {
      mouthMotion: round(motion, 2),
      syncZ: round(sync.z, 2),
      syncP: round(sync.p, 3),
      correlation: round(sync.correlation, 3),
      syncLagS: round(sync.lag * step, 2),
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
