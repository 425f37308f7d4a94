/**
 * The life of one public call: the caller's AbortSignal, the call's deadline (`timeoutMs`) and
 * cancellation by a sibling's failure, as one signal that ffmpeg runs and inner calls share, and a
 * checkpoint between stages. Model inference cannot be interrupted mid-run: a stop takes effect at
 * the next checkpoint (one stage, tens to hundreds of milliseconds).
 */
import { ErrorCode, VerifyError, invalidArgument } from './errors.js';
import { type Schema, is } from './options.js';

/** What every call takes to be stopped: an AbortSignal and a limit on its time. */
export interface CallControl {
  /** Stops the call: it rejects with `ABORTED` (its ffmpeg ended, its temp data removed). */
  signal?: AbortSignal;
  /** Limit on the whole call, milliseconds; past it the call rejects with `TIMEOUT`. */
  timeoutMs?: number;
}

/** The rules of `signal` and `timeoutMs`, for every call's option schema (Infinity: no limit). */
export const CALL_SCHEMA = {
  signal: is.signal,
  timeoutMs: { expected: 'positive number of milliseconds (or Infinity)', test: (v: unknown) => typeof v === 'number' && v > 0 },
} as const satisfies Schema;

export class CallScope {
  private readonly controller = new AbortController();
  private readonly timer?: NodeJS.Timeout;
  private readonly onCallerAbort?: () => void;
  readonly deadline: number;

  constructor(
    private readonly call: string,
    private readonly caller: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    this.deadline = performance.now() + timeoutMs;
    // An outer call's scope passes its own reason on (TIMEOUT stays TIMEOUT); a host's abort is ABORTED.
    const fromCaller = () => (caller!.reason instanceof VerifyError ? caller!.reason : aborted(call));
    if (caller?.aborted) {
      this.controller.abort(fromCaller());
      return;
    }
    if (caller) {
      this.onCallerAbort = () => this.controller.abort(fromCaller());
      caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
    if (Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(
        () => this.controller.abort(new VerifyError(ErrorCode.TIMEOUT, `${call} did not finish within ${timeoutMs} ms and was stopped.`, { details: { timeoutMs } })),
        timeoutMs,
      );
      this.timer.unref();
    }
  }

  /** Aborted when the caller aborts, the deadline passes or `cancel` is called; its reason is the VerifyError to throw. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Throws the stop's error if the call was stopped: call it between stages. */
  check(): void {
    if (this.controller.signal.aborted) throw stopError(this.controller.signal, this.call);
  }

  /** Stops the work still running for this call (a sibling failed, the answer is known). */
  cancel(why: string): void {
    this.controller.abort(new VerifyError(ErrorCode.ABORTED, `${this.call} stopped its remaining work: ${why}.`, { details: { reason: 'cancelled' } }));
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  remainingMs(): number {
    return Math.max(0, this.deadline - performance.now());
  }

  /** Ends the timer and the link to the caller's signal; call in `finally`. */
  dispose(): void {
    clearTimeout(this.timer);
    if (this.onCallerAbort) this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}

/** A scope from a call's options, checked: `signal` must be an AbortSignal and `timeoutMs` a positive number. */
export function callScope(call: string, options: CallControl | undefined, defaultTimeoutMs: number): CallScope {
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument('options.signal', 'an AbortSignal', signal);
  const timeoutMs = options?.timeoutMs ?? defaultTimeoutMs;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw invalidArgument('options.timeoutMs', 'a positive number of milliseconds (or Infinity)', timeoutMs);
  return new CallScope(call, signal, timeoutMs);
}

/** Runs `work` in a scope that is disposed when it settles. */
export async function scoped<T>(call: string, options: CallControl | undefined, defaultTimeoutMs: number, work: (scope: CallScope) => Promise<T>): Promise<T> {
  const scope = callScope(call, options, defaultTimeoutMs);
  try {
    scope.check();
    return await work(scope);
  } finally {
    scope.dispose();
  }
}

/** The error a stopped signal stands for: its reason when that is one of ours, else ABORTED. */
export function stopError(signal: AbortSignal, what: string): VerifyError {
  const reason: unknown = signal.reason;
  if (reason instanceof VerifyError) return new VerifyError(reason.code, reason.message, { details: { ...reason.details }, messages: reason.messages });
  return aborted(what);
}

function aborted(what: string): VerifyError {
  return new VerifyError(ErrorCode.ABORTED, `${what} was stopped: the operation was aborted.`, { details: { reason: 'aborted' } });
}

/**
 * A turn of the event loop. TensorFlow.js runs a model synchronously on the calling thread (WASM and CPU
 * backends), and the awaits between runs resolve without a turn: a call's model runs and the JavaScript
 * after them (and those of calls beside it) would join into one block of 60–110 ms. A turn before each
 * model run and before long JavaScript stages bounds a host's stall to about one of them.
 */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
