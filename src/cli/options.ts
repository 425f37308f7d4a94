/** What every command receives from main.ts: the parsed options, and the error for misusing them. */
import type { DetectorName } from '../models/detect.js';
import type { Locale } from './text.js';

export interface CliOptions {
  json: boolean;
  csv: boolean;
  report?: string;
  out?: string;
  /** fix: write outputs that still fail to <out>/still-failing/ (false: --no-failing, not at all). */
  failing: boolean;
  /** check, fix, frames: replace existing files the CLI did not write (never an input). */
  overwrite: boolean;
  /** Folders and globs: every file, not only image names. */
  allFiles: boolean;
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
  /** verify: digits that were not checked fail the verification. */
  requireDigits: boolean;
  attempt?: number;
  /** worker, enqueue: the Redis URL, the queue's name. */
  redis?: string;
  queue?: string;
  /** worker: path inputs are read under this folder only (none without it). */
  pathsUnder?: string;
  /** enqueue: wait for each job's outcome and print it. */
  wait: boolean;
  /** enqueue: every photo by path (workers on shared storage), none inline. */
  byPath: boolean;
  /** verify: what the applicant registered with. */
  idNumber?: string;
  name?: string;
}

/** Misuse of the command line: main prints the message in a line with where to find help, and exits 2. */
export class UsageError extends Error {}
