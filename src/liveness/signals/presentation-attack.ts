/**
 * presentationAttack: a screen replayed to the camera, by the moiré its pixel grid leaves across the whole
 * picture (SPOOF_SUSPECTED, deciding); and the anti-spoofing model's score, reported (never decisive).
 */
import sharp from 'sharp';
import { median, quantile, round } from '../../core/stats.js';
import { toRgb } from '../../image/decode.js';
import { peakProminence, powerSpectrum } from '../../image/spectrum.js';
import type { ExtractedFrame } from '../../media/extract-frames.js';
import { livenessScore } from '../../models/presentation-attack.js';
import type { TrackedFrame } from '../tracking.js';
import { LIVENESS_LIMITS, type LivenessCode, type SignalOf } from '../types.js';
import { NO_FACE, notMeasured, signal } from './signal.js';

export async function attackSignal(tracked: TrackedFrame[], frames: readonly ExtractedFrame[]): Promise<SignalOf<'presentationAttack'>> {
  const limit = { maxScreenPattern: LIVENESS_LIMITS.maxScreenPattern, liveScore: 'reported only' as const };
  const faces = tracked.filter((f) => f.faces === 1 && f.box);
  if (faces.length === 0) return notMeasured('presentationAttack', limit, NO_FACE);
  const scores: number[] = [];
  for (const f of faces.slice(0, 8)) scores.push(await livenessScore(f.image, f.box!));
  const screen = await screenPattern(frames);
  const codes: LivenessCode[] = screen !== undefined && screen > LIVENESS_LIMITS.maxScreenPattern ? ['SPOOF_SUSPECTED'] : [];
  // The model's score is reported, never decisive: `npm run eval:liveness` shows how far it separates live faces
  // from attacks on the data available, and it is not enough to reject an applicant on (docs/accuracy.md).
  const measured = { screenPattern: screen === undefined ? null : round(screen, 2), liveScore: round(median(scores), 4), framesScored: scores.length };
  return signal('presentationAttack', codes, measured, limit, {
    SPOOF_SUSPECTED: {
      en: 'The video looks like a recording played on a screen. Record yourself directly with the camera.',
      zh: '视频疑似翻拍屏幕上播放的录像。请直接用摄像头录制本人。',
    },
  });
}

// How periodic the recording is across its whole picture: SCREEN_FRAMES of the sharp frames kept for compareFaces
// (up to 720 px), each cut into at most SCREEN_PATCHES 64-px patches spread over it. A patch's measure is its
// spectrum's strongest peak above MIN_FREQUENCY against the peak's neighbourhood (image/spectrum.ts: ~4–6 by
// chance); the frame's, the lower quartile over its patches, so that a striped shirt or a window's blinds, a few
// patches, do not count, and a screen's moiré, in every patch, does; the recording's, the median over the frames.
// A moiré along the picture's axes (within ~1°) is not seen: its peak lies where every picture's edges put power.
const SCREEN_FRAMES = 3;
const SCREEN_PATCHES = 16;
const PATCH_QUANTILE = 0.25;
const PATCH = 64;
// Bands 25 px apart or closer: broader ones are lost among the picture's own low frequencies in a 64-px patch.
const MIN_FREQUENCY = 0.04;

/** The recording's screen pattern (above), undefined without frames. */
export async function screenPattern(frames: readonly ExtractedFrame[]): Promise<number | undefined> {
  const picked = frames.length <= SCREEN_FRAMES ? frames : Array.from({ length: SCREEN_FRAMES }, (_, i) => frames[Math.round((i * (frames.length - 1)) / (SCREEN_FRAMES - 1))]!);
  const values: number[] = [];
  const luma = new Float32Array(PATCH * PATCH);
  for (const f of picked) {
    const raw = f.image.length === f.width * f.height * 3;
    const { data, width: W, height: H } = await toRgb(raw ? sharp(f.image, { raw: { width: f.width, height: f.height, channels: 3 } }) : sharp(f.image));
    const [nx, ny] = [Math.floor(W / PATCH), Math.floor(H / PATCH)];
    if (nx === 0 || ny === 0) continue;
    const step = Math.max(1, (nx * ny) / SCREEN_PATCHES);
    const [x0, y0] = [Math.floor((W - nx * PATCH) / 2), Math.floor((H - ny * PATCH) / 2)];
    const patches: number[] = [];
    for (let k = 0; k < nx * ny && patches.length < SCREEN_PATCHES; k += step) {
      const cell = Math.floor(k);
      const [px, py] = [x0 + (cell % nx) * PATCH, y0 + Math.floor(cell / nx) * PATCH];
      for (let y = 0; y < PATCH; y++) {
        for (let x = 0; x < PATCH; x++) {
          const i = 3 * ((py + y) * W + px + x);
          luma[y * PATCH + x] = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
        }
      }
      patches.push(peakProminence(powerSpectrum(luma, PATCH), PATCH, MIN_FREQUENCY, 0));
    }
    values.push(quantile(patches, PATCH_QUANTILE));
  }
  return values.length === 0 ? undefined : median(values);
}
