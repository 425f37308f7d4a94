/**
 * What the bulk commands call: the library's functions on worker threads (createVerifier), one per core
 * by default, each with its own models.
 */
import type { readIdCard } from '../card/read-id-card.js';
import type { compressToSpec } from '../photo/compress-to-spec.js';
import type { validatePhoto } from '../photo/validate-photo.js';
import { createVerifier } from '../pool/create-verifier.js';

export interface Runner {
  validatePhoto: typeof validatePhoto;
  compressToSpec: typeof compressToSpec;
  readIdCard: typeof readIdCard;
  /** Calls in flight at once. */
  concurrency: number;
  close(): Promise<void>;
}

export async function openRunner(workers: number | undefined): Promise<Runner> {
  const v = createVerifier({ workers });
  return {
    validatePhoto: (input, options) => v.validatePhoto(input, options),
    compressToSpec: (input, options) => v.compressToSpec(input, options),
    readIdCard: (input, options) => v.readIdCard(input, options),
    // Two per worker keep each busy while results are printed; well under workers + maxQueue, so none is refused.
    concurrency: v.workers * 2,
    close: () => v.close(),
  };
}

/**
 * Runs `work` over `items`, at most `concurrency` at once, and hands each result to `done` in input
 * order (a bounded window: memory stays flat over tens of thousands of photos).
 */
export async function inOrder<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>, done: (item: T, result: R) => void | Promise<void>, signal?: AbortSignal): Promise<void> {
  const window: Array<Promise<R>> = [];
  let next = 0;
  while (next < items.length || window.length > 0) {
    while (!signal?.aborted && next < items.length && window.length < Math.max(1, concurrency)) {
      const call = work(items[next++]!);
      // Awaited below in turn; if an earlier one ends the run first, this one's failure is not unhandled.
      call.catch(() => undefined);
      window.push(call);
    }
    if (window.length === 0) break;
    // Stopped: the calls in flight were aborted too; they are waited for (nothing outlives the run), not reported.
    if (signal?.aborted) {
      await Promise.allSettled(window);
      return;
    }
    const result = await Promise.race([window[0]!, ...(signal ? [aborted(signal)] : [])]);
    if (signal?.aborted) continue;
    window.shift();
    await done(items[next - window.length - 1]!, result);
  }
}

/** Resolves (with nothing) when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((resolve) => signal.addEventListener('abort', () => resolve(undefined as never), { once: true }));
}

/**
 * A bulk command's run: the pool opened, `work` over `files` in input order, `done` for each result;
 * Ctrl-C stops new work and aborts the calls in flight (`work` passes the signal to each call, which stops
 * at its next checkpoint), and the pool is always closed. True when interrupted. A second Ctrl-C ends the process at once.
 */
export async function runBulk<R>(files: readonly string[], workers: number | undefined, work: (runner: Runner, file: string, signal: AbortSignal) => Promise<R>, done: (file: string, result: R) => void | Promise<void>): Promise<boolean> {
  const runner = await openRunner(workers);
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  try {
    await inOrder(files, runner.concurrency, (file) => work(runner, file, stop.signal), done, stop.signal);
  } finally {
    process.off('SIGINT', onSigint);
    await runner.close();
  }
  return stop.signal.aborted;
}
