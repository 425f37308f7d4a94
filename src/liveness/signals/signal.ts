/** How a liveness signal reports: a Finding typed by its id, with the codes it failed on. */
import { type Message, type Severity, joinMessages, measuredFinding, skippedFinding } from '../../core/result.js';
import type { LivenessCode, SignalId, SignalOf, SignalShapes } from '../types.js';

/** A signal that was measured: passed when no code was raised; the message joins the codes' messages. */
export function signal<K extends SignalId>(
  id: K,
  codes: LivenessCode[],
  measured: SignalShapes[K]['measured'],
  limit: SignalShapes[K]['limit'],
  messages: Partial<Record<LivenessCode, Message>>,
  severity: Severity = 'error',
): SignalOf<K> {
  const passed = codes.length === 0;
  const message: Message = passed ? { en: `${id}: passed.`, zh: `${id}：通过。` } : joinMessages(codes.map((c) => messages[c]!));
  return { ...measuredFinding(id, severity, passed, measured, limit, message), codes } as SignalOf<K>;
}

/** A signal that could not be measured (the message says why), or that the caller did not ask for ('not-checked'). */
export function notMeasured<K extends SignalId>(id: K, limit: SignalShapes[K]['limit'], message: Message, status: 'skipped' | 'not-checked' = 'skipped'): SignalOf<K> {
  return { ...skippedFinding<K, SignalShapes[K]['measured'], SignalShapes[K]['limit']>(id, 'error', limit, message, status), codes: [] } as SignalOf<K>;
}

export const NO_FACE: Message = { en: 'No face to examine.', zh: '没有可检测的人脸。' };
