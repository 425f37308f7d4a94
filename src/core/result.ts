/**
 * The one result vocabulary: a photo check, a liveness signal, a comparison's reason and a verification's
 * reason all have the shape of a Finding. Codes are string-literal unions; `measured` and `limit` are
 * typed per id, so `checks.find((c) => c.id === 'fileSize')!.measured.bytes` compiles.
 */

/** A message for people (the applicant, an operator), in both languages. */
export interface Message {
  zh: string;
  en: string;
}

/** 'error' findings decide the verdict; 'warning' ones inform and do not fail it; 'info' ones only report. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * 'passed' / 'failed': measured and held against its limit. 'skipped': it could not be measured (no face,
 * no file name, …; the message says why). 'not-checked': the caller did not ask for it (digits without a
 * speech recogniser).
 */
export type Status = 'passed' | 'failed' | 'skipped' | 'not-checked';

/** The one result shape: a photo check, a liveness signal, a comparison or verification reason. */
export interface Finding<Id extends string = string, M extends object = Record<string, unknown>, L extends object = Record<string, unknown>> {
  id: Id;
  /** status === 'passed' (a 'not-checked' finding also counts as passed: nothing held against the applicant). */
  passed: boolean;
  status: Status;
  severity: Severity;
  /** What was measured, units in the key names (…Px, …Bytes, …Deg, …Dbfs; shares 0–1). Keys are absent when skipped. */
  measured: M;
  /** The limits the measurement was held against, same units. */
  limit: L;
  message: Message;
}

/**
 * A finding whose `measured` has every key when it ran and none when it was skipped: a discriminated
 * union on `status` that still lets `f.measured.key` compile (as `T | undefined`) without narrowing it.
 */
export type Outcome<Id extends string, M extends object, L extends object> =
  | (Finding<Id, M, L> & { status: 'passed' | 'failed' })
  | (Finding<Id, Partial<M>, L> & { status: 'skipped' | 'not-checked' });

/** A finding that ran: passed or failed against its limit. */
export function measuredFinding<Id extends string, M extends object, L extends object>(
  id: Id,
  severity: Severity,
  passed: boolean,
  measured: M,
  limit: L,
  message: Message,
): Finding<Id, M, L> & { status: 'passed' | 'failed' } {
  return { id, status: passed ? 'passed' : 'failed', passed, severity, measured, limit, message };
}

/** A finding that could not be measured; the message says why. */
export function skippedFinding<Id extends string, M extends object, L extends object>(
  id: Id,
  severity: Severity,
  limit: L,
  message: Message,
  status: 'skipped' | 'not-checked' = 'skipped',
): Finding<Id, Partial<M>, L> & { status: 'skipped' | 'not-checked' } {
  return { id, status, passed: status === 'not-checked', severity, measured: {}, limit, message };
}

/** Messages joined: English with spaces, Chinese without. */
export function joinMessages(messages: readonly Message[]): Message {
  return { en: messages.map((m) => m.en).join(' '), zh: messages.map((m) => m.zh).join('') };
}
