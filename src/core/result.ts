import type { Check, CheckId, Message } from '../photo/types.js';

/** A check that ran. */
export function result<M extends Record<string, unknown>, L extends Record<string, unknown>>(
  id: CheckId,
  severity: Check['severity'],
  passed: boolean,
  measured: M,
  limit: L,
  message: Message,
): Check {
  return { id, status: passed ? 'passed' : 'failed', passed, severity, measured, limit, message };
}

/** A check that could not run; the message says why. */
export function skipped(id: CheckId, severity: Check['severity'], limit: Record<string, unknown>, message: Message): Check {
  return { id, status: 'skipped', passed: false, severity, measured: {}, limit, message };
}

export const SKIPPED_NO_FACE: Message = {
  zh: '未检测到唯一的人脸，无法检查此项。',
  en: 'Not checked: the photo does not show exactly one face.',
};

/** Rounds for reporting: measurements are not more precise than this. */
export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
