/** lipSync: do the lips move with the voice? */
import { pearson, quantile, round } from '../../core/stats.js';
import { ENVELOPE_RATE, levelEnvelope } from '../../media/audio.js';
import type { ReadingVideoFrames } from '../../media/extract-frames.js';
import type { TrackedFrame } from '../tracking.js';
import { LIVENESS_LIMITS, type LivenessCode, type SignalOf } from '../types.js';
import { notMeasured, signal } from './signal.js';

const LIMIT = { minMouthRange: LIVENESS_LIMITS.minMouthRange, minLipCorrelation: LIVENESS_LIMITS.minLipCorrelation };

export function lipSyncSignal(frames: TrackedFrame[], pcm: Int16Array | undefined, recording: ReadingVideoFrames): SignalOf<'lipSync'> {
  const withMouth = frames.filter((f) => f.mouth !== null);
  if (withMouth.length < 8 || !pcm || (recording.audio.speechSeconds ?? 0) < LIVENESS_LIMITS.minSpeechSeconds) {
    return notMeasured('lipSync', LIMIT, withMouth.length < 8
      ? { en: 'Lip movement could not be measured: too few frames show the mouth.', zh: '无法检测唇动：能看到嘴部的画面太少。' }
      : { en: 'Lip movement could not be measured: there is no speech to compare the lips with.', zh: '无法检测唇动：没有可比对的语音。' });
  }
  const mouths = withMouth.map((f) => f.mouth!);
  const range = quantile(mouths, 0.9) - quantile(mouths, 0.1);
  // The voice's level at each frame: linear RMS over ±50 ms, from the 50-a-second envelope.
  const env = levelEnvelope(pcm);
  const level = withMouth.map((f) => {
    const c = Math.round(f.t * ENVELOPE_RATE);
    let sum = 0;
    let n = 0;
    for (let i = c - 2; i <= c + 2; i++) if (i >= 0 && i < env.length) (sum += 10 ** (env[i]! / 20)), n++;
    return n ? sum / n : 0;
  });
  const fps = withMouth.length > 1 ? (withMouth.length - 1) / Math.max(1e-6, withMouth.at(-1)!.t - withMouth[0]!.t) : 10;
  const maxLag = Math.max(1, Math.round(0.2 * fps));
  let best = -1;
  for (let lag = -maxLag; lag <= maxLag; lag++) best = Math.max(best, pearson(mouths, level, lag));
  const codes: LivenessCode[] = range < LIVENESS_LIMITS.minMouthRange || best < LIVENESS_LIMITS.minLipCorrelation ? ['LIP_MOVEMENT_TOO_SMALL'] : [];
  return signal(
    'lipSync',
    codes,
    { mouthRange: round(range, 4), correlation: round(best, 3), framesWithMouth: withMouth.length },
    LIMIT,
    { LIP_MOVEMENT_TOO_SMALL: { en: 'The lips do not move with the voice. Read the digits yourself, facing the camera.', zh: '唇动与声音不一致。请本人正对镜头朗读数字。' } },
  );
}

