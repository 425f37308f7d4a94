/**
 * lipSync: does the mouth move by itself, and with the voice? Two measures of the face in its own frame
 * (face-frame.ts), each against its limit:
 *
 * - the mouth's non-rigid motion: how many times as far the mouth moves from frame to frame as the face
 *   beside the nose does (1: a rigid face). Camera noise, re-encoding and a photo's motion move both
 *   alike; only a mouth that moves by itself moves more (LIP_MOVEMENT_TOO_SMALL);
 * - its synchrony with the voice: the lips' opening against the level of the voice's 1–3 kHz band, tested
 *   against independence at the best lag within ±0.2 s (synchrony.ts; LIPS_OUT_OF_SYNC). The band of the
 *   second formant is where the mouth's area and the voice's envelope correlate most (Chandrasekaran et
 *   al. 2009, The natural statistics of audiovisual speech); measured on the real videos, the median z
 *   rose from 1.5 (whole band) to 2.0, and the lowest from −0.3 to 0.3.
 */
import { mean, quantile, round } from '../../core/stats.js';
import { ENVELOPE_RATE, bandEnvelope } from '../../media/audio.js';
import type { ReadingVideoFrames } from '../../media/extract-frames.js';
import { CONTROL_REGION, MOUTH_REGION, regionChange, regionTexture } from '../face-frame.js';
import { synchrony } from '../synchrony.js';
import type { TrackedFrame } from '../tracking.js';
import { LIVENESS_LIMITS, type LivenessCode, type SignalOf } from '../types.js';
import { notMeasured, signal } from './signal.js';

const LIMIT = { minMouthMotion: LIVENESS_LIMITS.minMouthMotion, minSyncZ: LIVENESS_LIMITS.minSyncZ, syncLagsS: LIVENESS_LIMITS.syncLagsS };
// Below this level a 20 ms frame counts as this level: digital silence (−120) would outweigh the speech.
const LEVEL_FLOOR_DBFS = -70;
// Apparent displacement below which a region counts as still, face-frame pixels (noise moves it 0.05–0.1).
const MOTION_FLOOR = 0.01;
// The voice's band whose level the lips follow, Hz.
const SYNC_BAND_HZ = [1000, 3000] as const;

export function lipSyncSignal(frames: TrackedFrame[], pcm: Int16Array | undefined, recording: ReadingVideoFrames): SignalOf<'lipSync'> {
  // Over each pair of consecutive frames with the face registered in both, each region's change over its
  // texture: an apparent displacement, so that the mouth's sharper edges (lips, teeth) do not make a
  // photo's registration error look larger there than beside the nose (measured: a bent print's mouth
  // changed 5.5 grey levels a frame more than beside the nose, a real speaker's as little as 3.9; in
  // displacement the print's moved 1.5× as far, the real speakers' 1.7× and more).
  const ratios: number[] = [];
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!.faceFrame;
    const b = frames[i]!.faceFrame;
    if (!a || !b) continue;
    const mouth = regionChange(b, a, MOUTH_REGION) / Math.max(1e-3, (regionTexture(a, MOUTH_REGION) + regionTexture(b, MOUTH_REGION)) / 2);
    const control = regionChange(b, a, CONTROL_REGION) / Math.max(1e-3, (regionTexture(a, CONTROL_REGION) + regionTexture(b, CONTROL_REGION)) / 2);
    // A floor under both: frames identical to the grey level (a still re-encoded losslessly) move by 1×, not 0/0.
    ratios.push((mouth + MOTION_FLOOR) / (control + MOTION_FLOOR));
  }
  if (ratios.length < 8 || !pcm || (recording.audio.speechSeconds ?? 0) < LIVENESS_LIMITS.minSpeechSeconds) {
    return notMeasured('lipSync', LIMIT, ratios.length < 8
      ? { en: 'Lip movement could not be measured: too few frames show the mouth.', zh: '无法检测唇动：能看到嘴部的画面太少。' }
      : { en: 'Lip movement could not be measured: there is no speech to compare the lips with.', zh: '无法检测唇动：没有可比对的语音。' });
  }
  const motion = mean(ratios);
  // The lips' opening at each frame that shows them, and the level of the voice's 1–3 kHz band there:
  // dBFS over ±50 ms, from the 50-a-second envelope.
  const lips = frames.filter((f) => f.mouth !== null);
  const env = bandEnvelope(pcm, SYNC_BAND_HZ[0], SYNC_BAND_HZ[1]);
  const level = lips.map(({ t }) => {
    const c = Math.round(t * ENVELOPE_RATE);
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
