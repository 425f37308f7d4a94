/** presentationAttack: the anti-spoofing model's score, reported (severity 'info'), never decisive. */
import { median, round } from '../../core/stats.js';
import { livenessScore } from '../../models/presentation-attack.js';
import type { TrackedFrame } from '../tracking.js';
import type { SignalOf } from '../types.js';
import { NO_FACE, notMeasured, signal } from './signal.js';

export async function attackSignal(frames: TrackedFrame[]): Promise<SignalOf<'presentationAttack'>> {
  const faces = frames.filter((f) => f.faces === 1 && f.box);
  if (faces.length === 0) return notMeasured('presentationAttack', { decision: 'reported only' }, NO_FACE);
  const scores: number[] = [];
  for (const f of faces.slice(0, 8)) scores.push(await livenessScore(f.image, f.box!));
  // Reported, never decisive: `npm run eval:liveness` shows how far the score separates live faces from
  // attacks on the data available, and it is not enough to reject an applicant on (docs/accuracy.md).
  const measured = { liveScore: round(median(scores), 4), framesScored: scores.length };
  const result = signal('presentationAttack', [], measured, { decision: 'reported only' }, {}, 'info');
  return { ...result, message: { en: 'Presentation-attack score measured (reported, not used for the verdict).', zh: '已计算防伪分数（仅供参考，不参与判定）。' } };
}
