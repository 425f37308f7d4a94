/**
 * What crosses between the verifier and its worker threads: the calls, their results and their
 * errors. Everything is structured-cloned, so the rules here are what makes the pool's methods
 * return exactly what the library functions return.
 */
import type { ResourceEvent } from '../core/cleanup.js';
import { ErrorCode, VerifyError } from '../core/errors.js';

/** The library functions a worker runs. */
export const METHODS = ['validatePhoto', 'compressToSpec', 'readIdCard', 'prepareCard', 'prepareFrames', 'compareFaces', 'extractFramesFromReadingVideo', 'analyzeReadingVideo', 'verifyApplicant'] as const;
export type Method = (typeof METHODS)[number];

/** Set once per worker from createVerifier's options. */
export interface WorkerConfig {
  backend?: string;
  onnxRuntime?: string;
  /** Load every model before reporting ready (otherwise each model loads on its first use). */
  preload: boolean;
  /** This thread's native-run gate (core/native-gate.ts), set by the pool for each thread. */
  gate?: SharedArrayBuffer;
}

export type ToWorker = { type: 'call'; id: number; method: Method; args: unknown[] } | { type: 'abort'; id: number } | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  /** Every call has ended after a 'close' (aborted, its ffmpeg ended, its temp data removed). */
  | { type: 'drained' }
  /** A process group or temp folder the worker holds or let go (cleanup.ts), ended by the pool if the worker dies. */
  | { type: 'resource'; event: ResourceEvent }
  | { type: 'init-failed'; error: SerializedError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Present when the error was a VerifyError. */
  code?: string;
  details?: Record<string, unknown>;
  messages?: { zh: string; en: string };
  cause?: SerializedError;
}

/** Where a method's options object sits in its arguments. */
export function optionsIndex(method: Method): number {
  return method === 'compareFaces' ? 2 : 1;
}

/**
 * Takes the caller's AbortSignals out of a call's arguments (a signal cannot be cloned: it stays in this
 * thread, and the worker is told to abort its own): `options.signal`, and verifyApplicant's
 * `options.video.signal`. Returns the arguments without them and the signals found.
 */
export function takeSignals(method: Method, args: readonly unknown[]): { args: unknown[]; signals: unknown[] } {
  const at = optionsIndex(method);
  const options = args[at];
  const out = [...args];
  const signals: unknown[] = [];
  if (!isPlainObject(options)) return { args: out, signals };
  const { signal, ...rest } = options;
  if (signal !== undefined) signals.push(signal);
  if (method === 'verifyApplicant' && isPlainObject(rest.video) && rest.video.signal !== undefined) {
    const { signal: videoSignal, ...video } = rest.video;
    signals.push(videoSignal);
    rest.video = video;
  }
  out[at] = rest;
  return { args: out, signals };
}

/** In the worker: the call's arguments with the worker's own signal for it as `options.signal`. */
export function withSignal(method: Method, args: unknown[], signal: AbortSignal): unknown[] {
  const at = optionsIndex(method);
  const out = [...args];
  while (out.length < at) out.push(undefined);
  const options = out[at];
  // Anything but a plain object (or nothing) is left as it is, for the library to refuse.
  if (options === undefined) out[at] = { signal };
  else if (isPlainObject(options)) out[at] = { ...options, signal };
  return out;
}

/**
 * Refuses what cannot be sent to a worker thread: functions (a `transcribe` callback), symbols, and
 * class instances other than bytes and dates (their prototype would be lost). `name` is the
 * argument's path for the message, e.g. `options.transcribe`.
 */
export function assertSendable(value: unknown, name: string, seen = new Set<object>()): void {
  if (typeof value === 'function') refuse(name, `a function (${value.name || 'anonymous'})`);
  if (typeof value === 'symbol') refuse(name, `a symbol (${String(value)})`);
  if (value === null || typeof value !== 'object') return;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return;
  if (seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertSendable(item, `${name}[${i}]`, seen));
    return;
  }
  if (!isPlainObject(value)) refuse(name, `an instance of ${value.constructor?.name || 'a class'}`);
  for (const [key, item] of Object.entries(value)) assertSendable(item, `${name}.${key}`, seen);
}

function refuse(name: string, received: string): never {
  const expected = 'a value that can be sent to a worker thread (a path, bytes, plain options)';
  throw new VerifyError(ErrorCode.INVALID_ARGUMENT, `Expected ${expected} for ${name} but received ${received}`, { details: { name, expected } });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const out: SerializedError = { name: error.name, message: error.message, stack: error.stack };
  if (error instanceof VerifyError) {
    out.code = error.code;
    out.details = cloneable(error.details);
    out.messages = { ...error.messages };
  }
  if (error.cause !== undefined) out.cause = serializeError(error.cause);
  return out;
}

/** Rebuilds a worker's error in this thread: a VerifyError stays a VerifyError with its code, messages and details. */
export function deserializeError(e: SerializedError, callSite?: string): Error {
  const cause = e.cause ? deserializeError(e.cause) : undefined;
  let error: Error;
  if (e.code !== undefined) {
    error = new VerifyError(e.code as ErrorCode, e.message, { cause, details: e.details, messages: e.messages });
  } else {
    error = new Error(e.message, cause === undefined ? undefined : { cause });
    if (e.name !== 'Error') Object.defineProperty(error, 'name', { value: e.name, configurable: true, writable: true });
  }
  // The worker's stack says where it failed; the call site says who asked.
  if (e.stack) error.stack = callSite ? `${e.stack}\n    at <worker thread> called from:\n${callSite}` : e.stack;
  return error;
}

/** Details are facts (numbers, strings, small objects); anything that would not clone is shown as text. */
function cloneable(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    try {
      out[key] = structuredClone(value);
    } catch {
      out[key] = String(value);
    }
  }
  return out;
}

/**
 * Buffers arrive as Uint8Arrays (structured clone keeps bytes, not classes): give them back their
 * class, without copying, so that `result.buffer` is a Buffer as the library's own result type says.
 */
export function reviveBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveBuffers(value[i]);
    return value;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) value[key] = reviveBuffers(value[key]);
  }
  return value;
}

/**
 * The memory of the byte arrays in a result that can be moved instead of copied: whole
 * ArrayBuffers only (a Buffer cut from Node's shared 8 KB pool must be copied, or the pool goes with it).
 */
export function transferables(value: unknown, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength && buffer.byteLength > 8192) out.add(buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferables(item, out);
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) transferables(item, out);
  }
  return [...out];
}

const ABANDONED = { closed: ErrorCode.CLOSED, 'queue-full': ErrorCode.QUEUE_FULL, 'worker-exited': ErrorCode.WORKER_EXITED, aborted: ErrorCode.ABORTED } as const;

/**
 * A call that did not run to its end, each with its own code (a host answers them differently: 503 for
 * QUEUE_FULL, 499 for ABORTED, a retry for WORKER_EXITED); `details.reason` says the same in words.
 */
export function abandoned(reason: keyof typeof ABANDONED, message: string, details: Record<string, unknown> = {}, cause?: unknown): VerifyError {
  return new VerifyError(ABANDONED[reason], message, { cause, details: { reason, ...details } });
}
