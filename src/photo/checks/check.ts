/** How a photo check reports: typed by its id (photo/types.ts CheckShapes). */
import { type Message, type Severity, measuredFinding, skippedFinding } from '../../core/result.js';
import type { CheckId, CheckOf, CheckShapes } from '../types.js';

/** A check that ran. */
export function result<K extends CheckId>(
  id: K,
  severity: Severity,
  passed: boolean,
  measured: CheckShapes[K]['measured'],
  limit: CheckShapes[K]['limit'],
  message: Message,
): CheckOf<K> {
  return measuredFinding(id, severity, passed, measured, limit, message) as CheckOf<K>;
}

/** A check that could not run; the message says why. */
export function skipped<K extends CheckId>(id: K, severity: Severity, limit: CheckShapes[K]['limit'], message: Message): CheckOf<K> {
  return skippedFinding<K, CheckShapes[K]['measured'], CheckShapes[K]['limit']>(id, severity, limit, message) as CheckOf<K>;
}

export const SKIPPED_NO_FACE: Message = {
  zh: '未检测到唯一的人脸，无法检查此项。',
  en: 'Not checked: the photo does not show exactly one face.',
};
