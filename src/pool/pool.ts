/**
 * A fixed set of worker threads, one call at a time each, fed from one bounded FIFO queue.
 * A worker that dies is replaced; the call it was running rejects. Idle workers do not keep the
 * process alive (they are unref'd), so a forgotten verifier does not hang a script's exit. A thread is
 * only ever terminated between native model runs (core/native-gate.ts): onnxruntime-node aborts the
 * whole process when a thread ends inside one.
 */
import type { Worker } from 'node:worker_threads';
import { ErrorCode, VerifyError } from '../core/errors.js';
import {
  type FromWorker,
  type Method,
  type SerializedError,
  type ToWorker,
  type WorkerConfig,
  abandoned,
  assertSendable,
  deserializeError,
  reviveBuffers,
  takeSignals,
} from './protocol.js';
import { holdDir, holdProcess, releaseDir, releaseProcess, signalGroup } from '../core/cleanup.js';
import { closeGate, newGate } from '../core/native-gate.js';
import { rmSync } from 'node:fs';
import { startWorker } from './worker-file.js';

interface Task {
  id: number;
  method: Method;
  args: unknown[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Who called, appended to the worker's stack. */
  callSite: string;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  /** The thread's native-run gate: closed and waited on before the thread is terminated. */
  gate: SharedArrayBuffer;
  threadId: number;
  ready: boolean;
  task?: Task;
  /** The uncaught exception that ended the thread, if one did. */
  crash?: Error;
  /** ffmpeg process groups and temp folders the thread holds: ended here if it dies holding them. */
  processes: Set<number>;
  dirs: Set<string>;
  /** Resolves when the thread says every call has ended after close. */
  drained?: () => void;
  /** Being terminated: its gate is closed, so its call fails for that; the exit, not that failure, is the call's answer. */
  ending?: boolean;
}

// close() gives running calls this long to stop at their next checkpoint (an ffmpeg gets 1.5 s after
// SIGTERM) before the threads are terminated and what they held is ended here.
const CLOSE_GRACE_MS = 5000;
// close({ drain: true })'s default time for accepted calls to finish: a verifyApplicant takes a few seconds.
const DRAIN_TIMEOUT_MS = 30_000;

/** Tests reach the threads through this key (to end one mid-call); it is not part of the public API. */
export const kSlots = Symbol('idphoto-verify.pool.slots');

/** close()'s options. */
export interface CloseOptions {
  /** Let the calls already accepted (running and waiting) finish, refusing new ones; default false: they reject with CLOSED. */
  drain?: boolean;
  /** With `drain`: how long they may take, ms; what is still running then is cancelled as without drain. Default 30,000. */
  timeoutMs?: number;
}

/** A thread of the pool as the tests see it: its Worker, and its end as the pool ends it (between native runs). */
export interface PoolThread {
  worker: Worker;
  /** Terminates the thread once no native model run is in progress in it. */
  terminate(): Promise<void>;
}

export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private readonly roomWaiters: Array<() => void> = [];
  private readyWaiters: Array<{ resolve(): void; reject(error: unknown): void }> = [];
  private nextId = 1;
  private closing?: Promise<void>;
  /** Set by close({ drain: true }) until its calls have finished: new calls are refused, accepted ones run. */
  private draining = false;
  private readonly idleWaiters: Array<() => void> = [];
  /** Set when a worker cannot start (a backend that will not load): every call then fails with it. */
  private fatal?: Error;

  constructor(
    readonly size: number,
    readonly maxQueue: number,
    private readonly config: WorkerConfig,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  get [kSlots](): PoolThread[] {
    return [...this.slots].map((slot) => ({ worker: slot.worker, terminate: () => this.endThread(slot) }));
  }

  /** Calls given to a worker (running, or starting as soon as the worker has started). */
  get running(): number {
    let n = 0;
    for (const slot of this.slots) if (slot.task) n++;
    return n;
  }

  /** Calls waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves when every worker has started (and loaded its models, with `preload`). */
  ready(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closing) return Promise.reject(abandoned('closed', 'The verifier is closed.'));
    if ([...this.slots].every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.readyWaiters.push({ resolve, reject });
      this.updateRefs(); // someone awaits the start: keep the process alive for it
    });
  }

  /** Resolves when one more call can be accepted without refusing it (the bulk `map` waits on this). */
  room(): Promise<void> {
    if (this.hasRoom() || this.closing || this.fatal) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  run(method: Method, args: unknown[], callSite: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.fatal) return reject(this.fatal);
      if (this.closing) return reject(abandoned('closed', `The verifier is ${this.draining ? 'closing' : 'closed'}: ${method} was not run.`));
      // The caller's AbortSignal stays here; the worker aborts its own on request.
      const taken = takeSignals(method, args);
      args = taken.args;
      for (const s of taken.signals) {
        if (!(s instanceof AbortSignal)) return reject(new VerifyError(ErrorCode.INVALID_ARGUMENT, `Expected an AbortSignal for options.signal but received ${String(s)}`));
        if (s.aborted) return reject(abandoned('aborted', `${method} was aborted before it started.`));
      }
      const signals = taken.signals as AbortSignal[];
      const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      try {
        args.forEach((arg, i) => assertSendable(arg, i === 0 ? 'input' : i === args.length - 1 ? 'options' : `argument ${i + 1}`));
      } catch (error) {
        return reject(error);
      }
      if (!this.hasRoom()) {
        return reject(
          abandoned('queue-full', `The verifier's queue is full (${this.maxQueue} calls waiting for ${this.size} workers): try again later, or use map() to wait for room.`, {
            maxQueue: this.maxQueue,
            workers: this.size,
          }),
        );
      }
      const task: Task = { id: this.nextId++, method, args, resolve, reject, callSite, signal };
      if (signal) {
        task.onAbort = () => this.abort(task);
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  /**
   * Refuses new calls, rejects waiting and running ones with CLOSED, asks each thread to abort what it
   * runs (so its ffmpeg is ended and its temp folder removed by the call itself), waits up to
   * CLOSE_GRACE_MS, then terminates the threads and ends whatever they still held.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      if (options.drain) await this.drain(options.timeoutMs ?? DRAIN_TIMEOUT_MS);
      const error = () => abandoned('closed', 'The verifier was closed before this call finished.');
      for (const task of this.queue.splice(0)) this.settle(task, error());
      for (const slot of this.slots) if (slot.task) this.settle(slot.task, error());
      this.flushWaiters(abandoned('closed', 'The verifier was closed.'));
      await Promise.all(
        [...this.slots].map(async (slot) => {
          if (slot.task && slot.ready) {
            slot.worker.ref();
            let timer: NodeJS.Timeout | undefined;
            await new Promise<void>((resolve) => {
              slot.drained = resolve;
              timer = setTimeout(resolve, CLOSE_GRACE_MS);
              slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
            });
            clearTimeout(timer);
          }
          slot.task = undefined;
          await this.endThread(slot);
        }),
      );
      this.slots.clear();
    })();
    return this.closing;
  }

  /** Waits until every accepted call has settled, or `timeoutMs` passes; new calls are refused meanwhile. */
  private async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const resolve of this.roomWaiters.splice(0)) resolve(); // map() stops waiting for room: its next call is refused
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        if (this.running + this.queue.length === 0) return resolve();
        this.idleWaiters.push(resolve);
      }),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    this.draining = false;
  }

  /** Terminates a thread between native runs (its gate closed and waited on first), and ends what it held. */
  private async endThread(slot: Slot): Promise<void> {
    slot.ending = true;
    await closeGate(slot.gate);
    await slot.worker.terminate();
    this.releaseHeld(slot);
  }

  private hasRoom(): boolean {
    return this.running + this.queue.length < this.size + this.maxQueue;
  }

  private spawn(): void {
    const gate = newGate();
    const worker = startWorker({ ...this.config, gate });
    const slot: Slot = { worker, gate, threadId: worker.threadId, ready: false, processes: new Set(), dirs: new Set() };
    this.slots.add(slot);
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (error) => {
      slot.crash = error;
    });
    worker.on('exit', (code) => this.onExit(slot, code));
    this.updateRefs();
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        if ([...this.slots].every((s) => s.ready)) for (const w of this.readyWaiters.splice(0)) w.resolve();
        if (slot.task) this.post(slot);
        this.dispatch();
        return;
      case 'init-failed':
        this.fail(deserializeError(message.error));
        return;
      case 'drained':
        slot.drained?.();
        return;
      case 'resource': {
        // Held in this thread too, so that this process's exit and signal hooks end it as well.
        const e = message.event;
        if (e.kind === 'process') {
          if (e.op === 'hold') (slot.processes.add(e.pid), holdProcess(e.pid));
          else (slot.processes.delete(e.pid), releaseProcess(e.pid));
        } else if (e.op === 'hold') (slot.dirs.add(e.path), holdDir(e.path));
        else (slot.dirs.delete(e.path), releaseDir(e.path));
        return;
      }
      case 'result':
      case 'error': {
        const task = slot.task;
        if (!task || task.id !== message.id) return; // settled already (aborted, closed)
        if (slot.ending && message.type === 'error') return; // the gate refused its next model run: onExit answers WORKER_EXITED
        slot.task = undefined;
        if (message.type === 'result') this.settle(task, undefined, reviveBuffers(message.value));
        else this.settle(task, deserializeError(message.error as SerializedError, task.callSite));
        this.dispatch();
      }
    }
  }

  /** Ends the process groups and removes the temp folders a thread that ended still held. */
  private releaseHeld(slot: Slot): void {
    for (const pid of slot.processes) {
      signalGroup(pid, 'SIGKILL');
      releaseProcess(pid);
    }
    for (const path of slot.dirs) {
      try {
        rmSync(path, { recursive: true, force: true });
      } catch {
        // removed by the thread itself meanwhile, or not removable: nothing more to do
      }
      releaseDir(path);
    }
    slot.processes.clear();
    slot.dirs.clear();
  }

  private onExit(slot: Slot, code: number): void {
    this.releaseHeld(slot);
    this.slots.delete(slot);
    // Closed: its call was settled already. Draining: its call ends here, and a new thread runs what waits.
    if (this.closing && !this.draining) return;
    if (slot.task) {
      const task = slot.task;
      slot.task = undefined;
      const why = slot.crash ? `${slot.crash.name}: ${slot.crash.message}` : `exit code ${code}`;
      this.settle(task, abandoned('worker-exited', `The worker thread running ${task.method} ended (${why}); the verifier started a new one.`, { threadId: slot.threadId, exitCode: code }, slot.crash));
    }
    if (!slot.ready) {
      // It died before it could take a call: a new one would too.
      this.fail(new VerifyError(ErrorCode.BACKEND_UNAVAILABLE, `A worker thread ended while starting (exit code ${code}).`, { cause: slot.crash, details: { exitCode: code } }));
      return;
    }
    if (!this.fatal) this.spawn();
    this.dispatch();
  }

  private fail(error: Error): void {
    if (this.fatal || this.closing) return;
    this.fatal = error;
    for (const task of this.queue.splice(0)) this.settle(task, error);
    this.flushWaiters(error);
    for (const slot of this.slots) void this.endThread(slot);
  }

  private abort(task: Task): void {
    const queuedAt = this.queue.indexOf(task);
    if (queuedAt >= 0) {
      this.queue.splice(queuedAt, 1);
      this.settle(task, abandoned('aborted', `${task.method} was aborted before it started.`));
      this.dispatch();
      return;
    }
    for (const slot of this.slots) {
      if (slot.task !== task) continue;
      if (!slot.ready) {
        slot.task = undefined; // its worker is still starting: the call never began
        this.settle(task, abandoned('aborted', `${task.method} was aborted before it started.`));
        this.dispatch();
      } else {
        // Running: the worker aborts the library call, which rejects with ABORTED as it does on one thread.
        slot.worker.postMessage({ type: 'abort', id: task.id } satisfies ToWorker);
      }
    }
  }

  /** Gives each free worker the oldest waiting call; a starting worker takes one too and runs it once ready. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (slot.task) continue;
      slot.task = this.queue.shift()!;
      if (slot.ready) this.post(slot);
    }
    this.updateRefs();
    while (this.roomWaiters.length > 0 && this.hasRoom()) this.roomWaiters.shift()!();
    if (this.running + this.queue.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private post(slot: Slot): void {
    const task = slot.task!;
    try {
      slot.worker.postMessage({ type: 'call', id: task.id, method: task.method, args: task.args } satisfies ToWorker);
    } catch (cause) {
      slot.task = undefined;
      this.settle(task, new VerifyError(ErrorCode.INVALID_ARGUMENT, `The arguments of ${task.method} cannot be sent to a worker thread: ${(cause as Error).message}`, { cause }));
      this.dispatch();
    }
  }

  private settle(task: Task, error: unknown, value?: unknown): void {
    if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
    if (error === undefined) task.resolve(value);
    else task.reject(error);
  }

  private flushWaiters(error: Error): void {
    for (const w of this.readyWaiters.splice(0)) w.reject(error);
    for (const resolve of this.roomWaiters.splice(0)) resolve();
  }

  /** Workers keep the process alive only while there is work, or a caller awaits ready(). */
  private updateRefs(): void {
    const busy = this.running + this.queue.length + this.readyWaiters.length > 0;
    for (const slot of this.slots) {
      if (busy) slot.worker.ref();
      else slot.worker.unref();
    }
  }
}
