/**
 * The queue's jobs: what a producer puts in Redis (the call, its inputs by reference, its options) and
 * the job id that makes a job idempotent (the call, a hash of each input's content, the options).
 * Pure: no Redis, no models.
 */
import { createHash } from 'node:crypto';
import { DEFAULTS } from '../core/defaults.js';
import { invalidArgument } from '../core/errors.js';
import { hashRegularFile } from '../core/files.js';

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

/**
 * A job as stored: the call and its data, the hash of every input's content (the job id is made from
 * them), and the enqueuer's token (who added it, for `duplicate`). Once the job has ended for good only
 * `call`, `contentHashes` and `token` stay: the inputs and options (an applicant's photo, expected number
 * and name, server paths) are removed from Redis.
 */
export type QueueJobData<C extends QueueCall = QueueCall> = C extends QueueCall ? { call: C; contentHashes: string[]; token?: string } & QueueJobs[C] : never;

/** The bytes an input of `call` at `index` may have: a video's limit for verifyApplicant's video, an image's otherwise. */
export function maxBytesOf(call: QueueCall, index: number): number {
  return call === 'verifyApplicant' && index === 1 ? DEFAULTS.frames.maxInputBytes : DEFAULTS.image.maxInputBytes;
}

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

/**
 * sha256 of an input's content (hex): the file's (a regular file of at most `maxBytes`, read in chunks) or
 * the inline bytes; for a key, the sha256 given with it, else `key:` and the key's own hash (an object store
 * key names one content; a worker cannot check that one, and tells it by the prefix).
 */
export async function contentHash(ref: InputRef, maxBytes: number = DEFAULTS.image.maxInputBytes): Promise<string> {
  if ('base64' in ref) return sha256Hex(Buffer.from(ref.base64, 'base64'));
  if ('path' in ref) return hashRegularFile(ref.path, maxBytes, 'input');
  if (ref.sha256 !== undefined) {
    if (!/^[0-9a-f]{64}$/.test(ref.sha256)) throw invalidArgument('sha256', 'the 64 hex digits of the content\'s sha256', ref.sha256);
    return ref.sha256;
  }
  return `key:${sha256Hex(Buffer.from(ref.key))}`;
}

/** Whether `hash` (from contentHash) can be checked against the content a worker reads. */
export const checkableHash = (hash: string | undefined): hash is string => typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash);

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

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// The keys of a result that carry who the applicant is: the card's fields and lines, the number's parts,
// what the host expected, file names and paths. Their text is replaced below them; numbers and flags stay.
const IDENTITY_KEYS: ReadonlySet<string> = new Set(['fields', 'lines', 'idNumber', 'name', 'sex', 'ethnicity', 'birthDate', 'address', 'authority', 'validFrom', 'validTo', 'regionCode', 'expectedCheckDigit', 'expected', 'text', 'path', 'filename']);
export const REDACTED = '[redacted]';

/** A result with the applicant's identity data taken out: every string under an identity key becomes REDACTED. */
export function withoutIdentity(value: unknown, under = false): unknown {
  if (typeof value === 'string') return under ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => withoutIdentity(v, under));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutIdentity(v, under || IDENTITY_KEYS.has(k))]));
  }
  return value;
}

/**
 * A failure message as it may be stored and shown to producers: the job's own input references (paths,
 * keys) and any other absolute path replaced, so that a server's layout does not leave the worker.
 */
export function withoutPaths(message: string, refs: readonly InputRef[]): string {
  let out = message;
  for (const r of refs) {
    const name = 'path' in r ? r.path : 'key' in r ? r.key : undefined;
    if (typeof name === 'string' && name.length > 0) out = out.split(name).join('<input>');
  }
  return out.replace(/(?<![\w:/.])\/(?:[^\s'"`:,()<>]+\/)*[^\s'"`:,()<>]+/g, '<path>');
}
