/**
 * The gate between a worker thread's native model runs and its termination. onnxruntime-node runs a
 * model synchronously inside the thread (a setImmediate around a native call); a thread terminated
 * during that call aborts the whole process when the call returns into a torn-down isolate
 * (`terminate called after throwing an instance of 'Napi::Error'`). So the pool never terminates a
 * thread while one runs: it closes the gate (no run starts after), waits until none is running, then
 * terminates. Two words of shared memory, sequentially consistent: the thread counts itself in, then
 * looks at the gate; the pool closes the gate, then looks at the count — one of them always sees the other.
 */
import { ErrorCode, VerifyError } from './errors.js';

const RUNNING = 0;
const CLOSED = 1;

/** A new gate's memory, handed to a worker thread with its workerData. */
export function newGate(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

let threadGate: Int32Array | undefined;

/** In a worker thread: the gate this thread's native runs pass through (none on the main thread). */
export function useGate(memory: SharedArrayBuffer | undefined): void {
  threadGate = memory ? new Int32Array(memory) : undefined;
}

/**
 * Runs `native` (a call into a native addon that must not be interrupted by a termination) through this
 * thread's gate; once the pool has closed the gate it does not start, and rejects with ABORTED.
 */
export async function throughGate<T>(native: () => Promise<T>): Promise<T> {
  const gate = threadGate;
  if (!gate) return native();
  Atomics.add(gate, RUNNING, 1);
  try {
    if (Atomics.load(gate, CLOSED) !== 0) {
      throw new VerifyError(ErrorCode.ABORTED, 'The worker thread is being stopped: no model run is started.', { details: { reason: 'closing' } });
    }
    return await native();
  } finally {
    Atomics.sub(gate, RUNNING, 1);
  }
}

/** In the pool: closes the gate and resolves once no native run is in progress (then the thread may be terminated). */
export async function closeGate(memory: SharedArrayBuffer): Promise<void> {
  const gate = new Int32Array(memory);
  Atomics.store(gate, CLOSED, 1);
  // A run is one model on one input (milliseconds to a second or two): poll rather than block the loop.
  while (Atomics.load(gate, RUNNING) !== 0) await new Promise((resolve) => setTimeout(resolve, 5));
}
