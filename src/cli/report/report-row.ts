import type { ErrorMessages } from '../../core/errors.js';
import type { PhotoValidation } from '../../photo/types.js';

/** One file of the run: its result, or the error that kept it from being checked. */
export interface ReportRow {
  file: string;
  result?: PhotoValidation;
  /** `messages`: the words for people (the technical `message` where absent); `format`: an image's real format the spec does not accept. */
  error?: { code: string; message: string; messages?: ErrorMessages; format?: string };
}

export type Verdict = 'pass' | 'fail' | 'unreadable';

export function verdictOf(row: ReportRow): Verdict {
  return row.result ? (row.result.passed ? 'pass' : 'fail') : 'unreadable';
}
