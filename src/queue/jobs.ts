/**
 * The queue's jobs: what a producer puts in Redis (the call, its inputs by reference, its options) and
 * the job id that makes a job idempotent (the call, a hash of each input's content, the options).
 * Pure: no Redis, no models.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ErrorCode, VerifyError, invalidArgument } from '../core/errors.js';

/** The calls a queue worker runs. */
export const QUEUE_CALLS = ['validatePhoto', 'compressToSpec', 'compareFaces', 'readIdCard', 'verifyApplicant'] as const;
/** A call a queue worker runs. */
export type QueueCall = (typeof QUEUE_CALLS)[number];

/**
 * An input by reference: a path every worker can read (shared storage), a key the worker's `resolveInput`
 * hook turns into bytes or a path (an object store), or the bytes themselves in base64 (small inputs only,
 * up to the producer's `maxInlineBytes`).
 */
export type InputRef = { path: string } | { key: string; sha256?: string } | { base64: string };

/** The job data of each call: its inputs by reference and its options (JSON: no signal, no function). */
export interface QueueJobs {
  validatePhoto: { input: InputRef; options?: Record<string, unknown> };
  compressToSpec: { input: InputRef; options?: Record<string, unknown> };
  compareFaces: { idCard: InputRef; frames: InputRef[]; options?: Record<string, unknown> };
  /** `options.now` as an ISO date string. */
  readIdCard: { input: InputRef; options?: Record<string, unknown> };
  verifyApplicant: {
    idCard: InputRef;
    video: InputRef;
    photo: InputRef;
    challengeDigits?: string;
    attempt?: number;
    expected?: { idNumber?: string; name?: string };
    /** `options.now` as an ISO date string. */
    options?: Record<string, unknown>;
  };
}

/** A job as stored: the call and its data, and the hash of every input's content (the job id is made from them). */
export type QueueJobData<C extends QueueCall = QueueCall> = C extends QueueCall ? { call: C; contentHashes: string[] } & QueueJobs[C] : never;

/** The inputs of a job's data, in a fixed order. */
export function inputsOf(data: { call: QueueCall } & Record<string, unknown>): InputRef[] {
  const d = data as unknown as QueueJobs[QueueCall] & Record<string, unknown>;
  switch (data.call) {
    case 'compareFaces':
      return [d.idCard as InputRef, ...((d.frames as InputRef[] | undefined) ?? [])];
    case 'verifyApplicant':
      return [d.idCard as InputRef, d.video as InputRef, d.photo as InputRef];
    default:
      return [d.input as InputRef];
  }
}

/** Checks the shape of an input reference; INVALID_ARGUMENT names what is wrong. */
export function checkInputRef(ref: unknown, where: string): InputRef {
  const r = ref as Record<string, unknown> | null;
  const one = (key: string) => r !== null && typeof r === 'object' && typeof r[key] === 'string' && (r[key] as string).length > 0;
  // Empty inline bytes are a reference still: the call says INPUT_EMPTY.
  if (one('path') || one('key') || (r !== null && typeof r === 'object' && typeof r.base64 === 'string')) return r as unknown as InputRef;
  throw invalidArgument(where, '{ path } | { key, sha256? } | { base64 }', ref);
}

/** sha256 of an input's content: the file's or the inline bytes; for a key, the sha256 given with it, else the key (an object store key names one content). */
export async function contentHash(ref: InputRef): Promise<string> {
  if ('base64' in ref) return sha256(Buffer.from(ref.base64, 'base64'));
  if ('path' in ref) {
    try {
      return sha256(await readFile(ref.path));
    } catch (cause) {
      throw new VerifyError(ErrorCode.INPUT_NOT_FOUND, `The input ${ref.path} cannot be read to hash it.`, { cause, details: { path: ref.path } });
    }
  }
  return ref.sha256 ?? sha256(Buffer.from(`key:${ref.key}`));
}

/**
 * The job id: the call and a hash of the inputs' contents and the options, so that the same work
 * enqueued twice (a retried upload, a producer that restarted) is one job with one answer.
 */
export function jobIdOf(call: QueueCall, contentHashes: readonly string[], rest: Record<string, unknown>): string {
  const h = createHash('sha256').update(call).update('\0').update(contentHashes.join(',')).update('\0').update(canonical(rest));
  // BullMQ's custom ids may not contain ':' and may not be integers.
  return `${call}-${h.digest('hex').slice(0, 40)}`;
}

/** JSON with sorted keys, for hashing. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
