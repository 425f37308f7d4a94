/**
 * createQueueWorker: a process's share of a BullMQ queue, run on the package's worker pool. A job is a
 * call with its inputs by reference; its result is stored on the job (no image bytes beyond a limit).
 * Faults that another try may cure (a worker thread that died, a timeout, a missing ffmpeg on this
 * machine) are retried with backoff; a verdict is a result, and an input error is dead-lettered at
 * once with its code. On close (SIGTERM in the CLI) no job is taken, running ones get a deadline, and
 * what is still running then is handed back to the queue; the pool ends its ffmpeg and temp data.
 */
import { EventEmitter } from 'node:events';
import { realpathSync, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { DEFAULTS as DEFAULT_VALUES } from '../core/defaults.js';
import { ErrorCode, VerifyError, invalidArgument, isVerifyError, shown } from '../core/errors.js';
import { readRegularFile } from '../core/files.js';
import { checkOptions, is, withDefaults } from '../core/options.js';
import { quantile } from '../core/stats.js';
import { type Verifier, type VerifierOptions, createVerifier } from '../pool/create-verifier.js';
import { type ConnectionOption, connect, loadBullMQ, type RedisConnection, release } from './connection.js';
import { type InputRef, QUEUE_CALLS, type QueueCall, type QueueJobData, checkInputRef, checkableHash, inputsOf, maxBytesOf, sha256Hex, withoutIdentity, withoutPaths } from './jobs.js';

/** Codes another try may cure: the process, the machine or the moment, not the input. Every other code is the input's, final. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  ErrorCode.WORKER_EXITED,
  ErrorCode.TIMEOUT,
  ErrorCode.QUEUE_FULL,
  ErrorCode.CLOSED,
  ErrorCode.ABORTED,
  ErrorCode.FFMPEG_NOT_FOUND,
  ErrorCode.FFMPEG_TIMEOUT,
  ErrorCode.MODEL_LOAD_FAILED,
  ErrorCode.MODEL_CHECKSUM_MISMATCH,
  ErrorCode.BACKEND_UNAVAILABLE,
]);

/** createQueueWorker's options. */
export interface QueueWorkerOptions {
  /** Where Redis is: a URL or ioredis options. */
  connection: ConnectionOption;
  /** The queue's name (default 'idphoto-verify'). */
  queue?: string;
  /** Worker threads of this process's pool (default: one a core). */
  workersPerProcess?: number;
  /** Jobs this process runs at once (default: the pool's capacity, `workersPerProcess`). */
  concurrency?: number;
  /** Jobs started per `duration` ms across every worker of the queue, at most (BullMQ's limiter). */
  limiter?: { max: number; duration: number };
  /** The pool's other options: backend, onnxRuntime, preload. */
  pool?: Omit<VerifierOptions, 'workers' | 'maxQueue'>;
  /**
   * Turns a `{ key }` input into bytes or a path (an object store). Without it a key is INVALID_ARGUMENT.
   * A key that does not exist should throw a VerifyError with INPUT_NOT_FOUND (final); any other error is
   * taken for a passing fault of the store (UNEXPECTED, retried).
   */
  resolveInput?: (ref: { key: string; sha256?: string }) => Promise<Uint8Array | string>;
  /**
   * `{ path }` inputs are read only under `root` (shared storage), symlinks followed and held inside it;
   * without it a path input is refused (INVALID_ARGUMENT): whoever can enqueue must not make the worker
   * read any file on its disk. Outside the root, missing and unreadable read alike (INPUT_NOT_FOUND).
   */
  allowPaths?: { root: string };
  /**
   * Keep the applicant's identity data in stored results: the card's fields and lines, the number's parts,
   * what was expected, file names (default false: results keep verdicts, codes and measurements).
   */
  keepIdentity?: boolean;
  /** Stores compressToSpec's output when it is over `maxInlineBytes`; the result then holds `output: { key }`. */
  storeOutput?: (jobId: string, bytes: Buffer) => Promise<{ key: string }>;
  /** Output bytes stored inline on the job, at most (default 256 KiB). */
  maxInlineBytes?: number;
  /** Running jobs' time to finish after `close()` before they are handed back (default 30,000 ms). */
  shutdownTimeoutMs?: number;
  /** This process's lock on a job: a dead process's jobs are taken over after it (default 30,000 ms). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default: `lockDurationMs`). */
  stalledIntervalMs?: number;
  /** Stalls (process deaths) a job survives before it fails (default 2). */
  maxStalledCount?: number;
}

/** A job's end in this process, as the worker emits it (`on('job', …)`). */
export interface QueueJobEvent {
  id: string;
  call: string;
  /** completed: a result (a failed photo too); retried: a transient fault, run again later; dead-lettered: failed for good, with its code; handed-back: returned to the queue at shutdown. */
  status: 'completed' | 'retried' | 'dead-lettered' | 'handed-back';
  code?: string;
  /** From enqueue (or the last retry's release) to the start of this run, ms. */
  queueMs: number;
  workMs: number;
}

/** Counts and times per call, and the pool's occupancy. */
export interface QueueMetrics {
  calls: Record<string, { completed: number; retried: number; deadLettered: number; handedBack: number; queueMs: Summary; workMs: Summary }>;
  pool: { workers: number; running: number; queued: number };
  /** Jobs running in this process now. */
  active: number;
  /** The codes jobs were dead-lettered with, and how many of each. */
  deadLetterCodes: Record<string, number>;
}
/** A duration summary over the last 1,024 jobs of a call: count is over all. */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

/** A queue worker process's handle. */
export interface QueueWorker extends EventEmitter {
  /** Resolves when connected and the pool's threads have started. */
  ready(): Promise<void>;
  /** Counts, times and occupancy, to scrape. */
  metrics(): QueueMetrics;
  /** Stops taking jobs, lets running ones finish within `shutdownTimeoutMs` (then hands them back), closes the pool and the connections. */
  close(): Promise<void>;
  on(event: 'job', listener: (e: QueueJobEvent) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

const WORKER_SCHEMA = {
  connection: is.any,
  queue: is.string,
  workersPerProcess: is.integer(1, 256),
  concurrency: is.positiveInteger,
  limiter: is.object,
  pool: is.object,
  resolveInput: is.function,
  allowPaths: is.object,
  keepIdentity: is.boolean,
  storeOutput: is.function,
  maxInlineBytes: is.positiveInteger,
  shutdownTimeoutMs: is.positiveInteger,
  lockDurationMs: is.positiveInteger,
  stalledIntervalMs: is.positiveInteger,
  maxStalledCount: is.positiveInteger,
} as const;

const RESERVOIR = 1024;
/** The metrics' key for jobs whose call is none of QUEUE_CALLS. */
const INVALID_CALL = 'invalid';
/** A stored failure reason's message, at most. */
const MAX_REASON_CHARS = 500;

/** The input references of a job's data, for taking them out of messages; none when the data is malformed. */
function safeRefs(data: Record<string, unknown>): InputRef[] {
  try {
    return inputsOf(data as { call: QueueCall }).filter((r) => r !== null && typeof r === 'object');
  } catch {
    return [];
  }
}

/** Runs the queue's jobs in this process on a worker pool. */
export function createQueueWorker(options: QueueWorkerOptions): QueueWorker {
  const o = withDefaults(DEFAULT_VALUES.queue, checkOptions(options, WORKER_SCHEMA));
  if (o.connection === undefined) throw invalidArgument('connection', 'a Redis URL or ioredis options', o.connection);
  const { Worker, UnrecoverableError, WaitingError } = loadBullMQ();
  const workers = o.workersPerProcess ?? availableParallelism();
  // Checked before any thread starts: a root that is no folder is the host's mistake, refused at once.
  const root = o.allowPaths === undefined ? undefined : realRoot(o.allowPaths);
  const verifier: Verifier = createVerifier({ ...o.pool, workers, maxQueue: 0 });
  const emitter = new EventEmitter() as QueueWorker;
  const connections: RedisConnection[] = [];
  let handingBack = false;
  let closing: Promise<void> | undefined;
  let active = 0;
  const stats = new Map<string, { completed: number; retried: number; deadLettered: number; handedBack: number; queue: number[]; work: number[]; queueCount: number; workCount: number }>();
  const deadLetterCodes: Record<string, number> = {};

  const record = (e: QueueJobEvent) => {
    let s = stats.get(e.call);
    if (!s) stats.set(e.call, (s = { completed: 0, retried: 0, deadLettered: 0, handedBack: 0, queue: [], work: [], queueCount: 0, workCount: 0 }));
    const key = e.status === 'dead-lettered' ? 'deadLettered' : e.status === 'handed-back' ? 'handedBack' : e.status;
    s[key]++;
    s.queue.push(e.queueMs);
    s.work.push(e.workMs);
    s.queueCount++;
    s.workCount++;
    if (s.queue.length > RESERVOIR) s.queue.shift();
    if (s.work.length > RESERVOIR) s.work.shift();
    if (e.status === 'dead-lettered' && e.code) deadLetterCodes[e.code] = (deadLetterCodes[e.code] ?? 0) + 1;
    emitter.emit('job', e);
  };


  /**
   * An input's bytes, checked against the hash taken when it was enqueued (a file replaced since would
   * get another file's verdict under this id, for good): INPUT_CHANGED. Bytes, not a path, go to the
   * pool, so that what was checked is what is measured.
   */
  async function resolve(ref: InputRef, call: QueueCall, index: number, expected: string | undefined): Promise<Uint8Array> {
    const maxBytes = maxBytesOf(call, index);
    let bytes: Uint8Array;
    if ('base64' in ref) bytes = Buffer.from(ref.base64, 'base64');
    else if ('path' in ref) bytes = await readUnderRoot(ref.path, maxBytes);
    else {
      if (!o.resolveInput) throw invalidArgument('input', 'a path or inline bytes (this worker has no resolveInput for keys)', ref);
      const resolved = await o.resolveInput(ref);
      // A path the host's own resolver gives is the host's: read as any input, without the root.
      bytes = typeof resolved === 'string' ? await readRegularFile(resolved, maxBytes, 'input') : resolved;
    }
    if (checkableHash(expected) && sha256Hex(bytes) !== expected) {
      throw new VerifyError(ErrorCode.INPUT_CHANGED, `Input ${index + 1} of the job is not the content it was enqueued with (its sha256 differs).`, { details: { input: index } });
    }
    return bytes;
  }

  async function readUnderRoot(path: string, maxBytes: number): Promise<Buffer> {
    if (!root) throw invalidArgument('input', 'inline bytes or a key (this worker takes no path inputs: allowPaths is not set)', { path: shown(path) });
    // One answer for outside the root, missing and not a file: an outsider learns nothing of the disk.
    const refused = () => new VerifyError(ErrorCode.INPUT_NOT_FOUND, "A path input is not a readable file under the worker's root.", { details: { path: '<input>' } });
    let real: string;
    try {
      real = await realpath(resolvePath(root, path));
    } catch {
      throw refused();
    }
    const inside = relative(root, real);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw refused();
    try {
      return await readRegularFile(real, maxBytes, 'input');
    } catch (error) {
      if (isVerifyError(error, ErrorCode.INPUT_NOT_FOUND)) throw refused();
      throw error;
    }
  }

  async function run(id: string, data: QueueJobData): Promise<unknown> {
    const opts = (data.options ?? {}) as Record<string, unknown>;
    if (typeof opts !== 'object' || Array.isArray(opts)) throw invalidArgument('options', 'object', opts);
    const withDate = (x: Record<string, unknown>) => (typeof x.now === 'string' ? { ...x, now: new Date(x.now) } : x);
    const hashes = Array.isArray(data.contentHashes) ? data.contentHashes : [];
    // Async: a malformed reference rejects like a missing file, so that Promise.all over several sees every failure (none unhandled).
    const input = async (ref: unknown, where: string, index: number) => resolve(checkInputRef(ref, where), data.call, index, hashes[index]);
    switch (data.call) {
      case 'validatePhoto':
        return verifier.validatePhoto(await input(data.input, 'input', 0), opts);
      case 'readIdCard':
        return verifier.readIdCard(await input(data.input, 'input', 0), withDate(opts));
      case 'compareFaces': {
        if (!Array.isArray(data.frames)) throw invalidArgument('frames', 'an array of inputs', data.frames);
        const frames = await Promise.all(data.frames.map((f, i) => input(f, `frames[${i}]`, i + 1)));
        return verifier.compareFaces(await input(data.idCard, 'idCard', 0), frames, opts);
      }
      case 'compressToSpec': {
        const { buffer, ...result } = await verifier.compressToSpec(await input(data.input, 'input', 0), opts);
        const output = buffer.byteLength <= o.maxInlineBytes ? { base64: buffer.toString('base64'), bytes: buffer.byteLength } : o.storeOutput ? { ...(await o.storeOutput(id, buffer)), bytes: buffer.byteLength } : { bytes: buffer.byteLength, omitted: true };
        return { ...result, output };
      }
      case 'verifyApplicant': {
        const [idCard, video, photo] = await Promise.all([data.idCard, data.video, data.photo].map((r, i) => input(r, ['idCard', 'video', 'photo'][i]!, i)));
        const r = await verifier.verifyApplicant({ idCard: idCard!, video: video!, photo: photo!, challengeDigits: data.challengeDigits, attempt: data.attempt, expected: data.expected }, withDate(opts));
        // The frames' JPEG bytes stay out of Redis.
        const liveness = r.steps.liveness && { ...r.steps.liveness, recording: { ...r.steps.liveness.recording, frames: r.steps.liveness.recording.frames.map(({ image: _, ...f }) => f) } };
        return { ...r, steps: { ...r.steps, liveness } };
      }
      default:
        throw invalidArgument('call', QUEUE_CALLS.join(' | '), (data as { call?: unknown }).call);
    }
  }

  /**
   * A job that has ended for good keeps only its call, content hashes and token in Redis: the inputs
   * (an inline photo, byte for byte), the expected number and name and the options go. A job to be retried keeps them.
   */
  async function forget(job: { data: unknown; updateData(data: unknown): Promise<void> }): Promise<void> {
    const d = (job.data ?? {}) as Record<string, unknown>;
    try {
      await job.updateData({ call: d.call, contentHashes: d.contentHashes, token: d.token });
    } catch (error) {
      if (emitter.listenerCount('error') > 0) emitter.emit('error', error as Error);
    }
  }

  const connection = connect(o.connection, (error) => {
    if (emitter.listenerCount('error') > 0) emitter.emit('error', error);
  });
  connections.push(connection);
  const worker = new Worker(
    o.queue,
    async (job, token) => {
      const started = Date.now();
      const queueMs = Math.max(0, (job.processedOn ?? started) - (job.delay ? job.timestamp + job.delay : job.timestamp));
      // Metrics are kept per known call: the sender controls job.data, and 300 made-up calls must not make 300 keys.
      const known = (QUEUE_CALLS as readonly unknown[]).includes(job.data?.call);
      const call = known ? (job.data.call as string) : INVALID_CALL;
      const refs = known ? safeRefs(job.data) : [];
      active++;
      try {
        const data = job.data as QueueJobData;
        if (!known) throw invalidArgument('job.data.call', QUEUE_CALLS.join(' | '), typeof job.data?.call === 'string' ? job.data.call : typeof job.data?.call);
        const result = await run(job.id!, data);
        const stored = JSON.parse(JSON.stringify(o.keepIdentity ? result : withoutIdentity(result), jsonSafe));
        await forget(job);
        record({ id: job.id!, call, status: 'completed', queueMs, workMs: Date.now() - started });
        return stored;
      } catch (error) {
        const workMs = Date.now() - started;
        const code = isVerifyError(error) ? error.code : undefined;
        if (handingBack && (code === ErrorCode.CLOSED || code === ErrorCode.ABORTED)) {
          // Shutdown's deadline passed: the job goes back to the queue as it was, without spending an attempt.
          await job.moveToWait(token);
          record({ id: job.id!, call, status: 'handed-back', code, queueMs, workMs });
          throw new WaitingError();
        }
        // Stored in Redis and shown to producers: no server path, no input's name, no megabytes of an echoed value.
        const message = shown(withoutPaths(error instanceof Error ? error.message : String(error), refs), MAX_REASON_CHARS);
        if (code !== undefined && !TRANSIENT_CODES.has(code)) {
          await forget(job);
          record({ id: job.id!, call, status: 'dead-lettered', code, queueMs, workMs });
          throw new UnrecoverableError(`${code}: ${message}`);
        }
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (last) await forget(job);
        record({ id: job.id!, call, status: last ? 'dead-lettered' : 'retried', code: code ?? 'UNEXPECTED', queueMs, workMs });
        throw new Error(`${code ?? 'UNEXPECTED'}: ${message}`);
      } finally {
        active--;
      }
    },
    {
      connection,
      concurrency: o.concurrency ?? workers,
      ...(o.limiter ? { limiter: o.limiter } : {}),
      lockDuration: o.lockDurationMs,
      stalledInterval: o.stalledIntervalMs ?? o.lockDurationMs,
      maxStalledCount: o.maxStalledCount,
    },
  );
  // Redis going away is reported and survived: ioredis reconnects, BullMQ resumes.
  worker.on('error', (error) => {
    if (emitter.listenerCount('error') > 0) emitter.emit('error', error);
  });

  emitter.ready = async () => {
    await Promise.all([worker.waitUntilReady(), verifier.ready()]);
  };
  emitter.metrics = () => ({
    calls: Object.fromEntries(
      [...stats].map(([call, s]) => [call, { completed: s.completed, retried: s.retried, deadLettered: s.deadLettered, handedBack: s.handedBack, queueMs: summary(s.queue, s.queueCount), workMs: summary(s.work, s.workCount) }]),
    ),
    pool: { workers, ...verifier.stats() },
    active,
    deadLetterCodes: { ...deadLetterCodes },
  });
  emitter.close = () => {
    closing ??= (async () => {
      const graceful = worker.close();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((r) => (timer = setTimeout(r, o.shutdownTimeoutMs, 'timeout')));
      const first = await Promise.race([graceful.then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (first === 'timeout') {
        handingBack = true;
        // The pool's close rejects the running calls (CLOSED): each job is handed back above.
        await verifier.close();
        await graceful;
      } else {
        await verifier.close();
      }
      await Promise.all(connections.map(release));
    })();
    return closing;
  };
  return emitter;
}

/** allowPaths.root, real (symlinks followed): a folder, or INVALID_ARGUMENT when the worker is created. */
function realRoot(allow: { root?: unknown }): string {
  if (typeof allow.root !== 'string' || allow.root.length === 0) throw invalidArgument('allowPaths.root', 'the path of a folder', allow.root);
  try {
    const real = realpathSync(allow.root);
    if (statSync(real).isDirectory()) return real;
  } catch {
    // below
  }
  throw invalidArgument('allowPaths.root', 'the path of a folder that exists', allow.root);
}

function summary(values: readonly number[], count: number): Summary {
  if (values.length === 0) return { count: 0, mean: 0, p50: 0, p95: 0, max: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { count, mean: Math.round(mean), p50: Math.round(quantile(values, 0.5)), p95: Math.round(quantile(values, 0.95)), max: Math.max(...values) };
}

/** Bytes stay out of a job's result: a Buffer or typed array is replaced by its length. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return { bytes: (value as { data: unknown[] }).data.length };
  }
  if (ArrayBuffer.isView(value)) return { bytes: value.byteLength };
  return value;
}

