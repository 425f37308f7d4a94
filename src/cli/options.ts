/** What every command receives from main.ts: the parsed options, and the error for misusing them. */
import type { DetectorName } from '../models/detect.js';
import type { Locale } from './text.js';

export interface CliOptions {
  json: boolean;
  csv: boolean;
  report?: string;
  out?: string;
  workers?: number;
  locale: Locale;
  spec?: object;
  /** Undefined: each library call's own default. */
  detector: DetectorName | undefined;
  count?: number;
  idCard?: string;
  video?: string;
  photo?: string;
  digits?: string;
  attempt?: number;
}

/** Misuse of the command line: main prints the message and the usage text, and exits 2. */
export class UsageError extends Error {}
