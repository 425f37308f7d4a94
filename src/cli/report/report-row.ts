import type { PhotoValidation } from '../../photo/types.js';

/** One file of the run: its result, or the error that kept it from being checked. */
export interface ReportRow {
  file: string;
  result?: PhotoValidation;
  error?: { code: string; message: string };
}

export type Verdict = 'pass' | 'fail' | 'unreadable';

export function verdictOf(row: ReportRow): Verdict {
  return row.result ? (row.result.passed ? 'pass' : 'fail') : 'unreadable';
}
