/**
 * createVerifier: the library's calls on worker threads, for services and batch jobs that check
 * many photos. Each worker loads its own models; nothing mutable is shared between threads.
 */
import type { IdCardReading, ReadIdCardOptions } from '../card/types.js';
import { availableParallelism } from 'node:os';
import { DEFAULTS as DEFAULT_VALUES } from '../core/defaults.js';
import { sweepOnce } from '../core/cleanup.js';
import { invalidArgument } from '../core/errors.js';
import { checkOptions, is } from '../core/options.js';
import type { CompareFacesOptions, CompareFacesResult, FrameInput, PrepareCardOptions, PreparedCard, PreparedFrame, PrepareFramesOptions } from '../compare/types.js';
import type { OnnxRuntimeName } from '../models/onnx.js';
import { BACKEND_NAMES, type BackendName } from '../models/tf.js';
import type { ImageInput } from '../image/input.js';
import type { CompressToSpecOptions, CompressToSpecResult, PhotoValidation, ValidatePhotoOptions } from '../photo/types.js';
import type { ApplicantSubmission, ApplicantVerification, VerifyApplicantOptions } from '../verify/types.js';
import type { AnalyzeReadingVideoOptions, ReadingVideoAnalysis } from '../liveness/types.js';
import type { ExtractFramesOptions, ReadingVideoFrames } from '../media/extract-frames.js';
import type { VideoInput } from '../media/input.js';
import { type CloseOptions, WorkerPool, kSlots } from './pool.js';

export type { CloseOptions } from './pool.js';
import type { Method } from './protocol.js';

/** createVerifier's options. */
const VERIFIER_SCHEMA = {
  workers: is.integer(1, 256),
  maxQueue: is.integer(0),
  backend: is.oneOf(BACKEND_NAMES),
  onnxRuntime: is.oneOf(['auto', 'node', 'web'] as const),
  preload: is.boolean,
} as const;
const MAP_SCHEMA = { ordered: is.boolean, concurrency: is.positiveInteger } as const;
const CLOSE_SCHEMA = { drain: is.boolean, timeoutMs: is.positiveNumber } as const;
const DEFAULTS = DEFAULT_VALUES.verifier;

/** createVerifier's options. */
export interface VerifierOptions {
  /** Worker threads, each with its own models (about 400 MB of RSS each, docs/speed.md). Default: `os.availableParallelism()`. */
  workers?: number;
  /** Calls that may wait for a free worker; one more is refused with `QUEUE_FULL`. Default `workers × 4`. */
  maxQueue?: number;
  /** TensorFlow.js backend in each worker (as `loadModels`). Default 'auto'. */
  backend?: BackendName;
  /** ONNX runtime in each worker (as `loadModels`). Default 'auto'. */
  onnxRuntime?: OnnxRuntimeName;
  /** Load every model in every worker at start (`ready()` resolves when done) instead of on first use. Default false. */
  preload?: boolean;
}

/** Verifier.map's options. */
export interface MapOptions {
  /** Results in input order (default), or as they finish (`false`). */
  ordered?: boolean;
  /** Inputs in flight at most: started and not yet consumed. Default `workers × 2`. */
  concurrency?: number;
}

/** One input's outcome in `map`, like an entry of `Promise.allSettled`, with its input and position. */
export type MapResult<T, R> =
  | { index: number; input: T; status: 'fulfilled'; value: R }
  | { index: number; input: T; status: 'rejected'; reason: unknown };

/** The library's calls on worker threads (createVerifier), with map for batches and close. */
export interface Verifier {
  /** Worker threads. */
  readonly workers: number;
  /** Calls that may wait for a worker beyond those running. */
  readonly maxQueue: number;
  /** Calls now running in a worker, and waiting for one. */
  stats(): { running: number; queued: number };
  /** Resolves when every worker has started (with `preload`: and loaded its models); rejects if one cannot. */
  ready(): Promise<void>;
  validatePhoto(input: ImageInput, options?: ValidatePhotoOptions): Promise<PhotoValidation>;
  compressToSpec(input: ImageInput, options?: CompressToSpecOptions): Promise<CompressToSpecResult>;
  readIdCard(image: ImageInput, options?: ReadIdCardOptions): Promise<IdCardReading>;
  prepareCard(idCardImage: ImageInput, options?: PrepareCardOptions): Promise<PreparedCard>;
  prepareFrames(selfieFrames: readonly FrameInput[], options?: PrepareFramesOptions): Promise<PreparedFrame[]>;
  compareFaces(idCardImage: ImageInput | PreparedCard, selfieFrames: ReadonlyArray<FrameInput | PreparedFrame>, options?: CompareFacesOptions): Promise<CompareFacesResult>;
  extractFramesFromReadingVideo(video: VideoInput, options?: ExtractFramesOptions): Promise<ReadingVideoFrames>;
  /** As the library function, without `transcribe`: a function cannot be sent to a thread (INVALID_ARGUMENT). */
  analyzeReadingVideo(video: VideoInput, options?: Omit<AnalyzeReadingVideoOptions, 'transcribe'>): Promise<ReadingVideoAnalysis>;
  /** As the library function, without `transcribe`. */
  verifyApplicant(submission: ApplicantSubmission, options?: Omit<VerifyApplicantOptions, 'transcribe'>): Promise<ApplicantVerification>;
  /**
   * Runs `fn` over `inputs` (an iterable or async iterable, read only as room frees up), at most
   * `concurrency` at a time; yields each outcome, in input order or as they finish. Breaking out of
   * the loop stops reading inputs; calls already running finish and are dropped.
   */
  map<T, R>(inputs: Iterable<T> | AsyncIterable<T>, fn: (input: T, index: number) => Promise<R>, options?: MapOptions): AsyncGenerator<MapResult<T, R>, void, undefined>;
  /**
   * Ends the workers. New calls are refused with `CLOSED` at once. Without `drain`, calls still waiting or
   * running reject with `CLOSED`; running calls are aborted (their ffmpeg ended, their temp folders
   * removed) and given up to 5 s to stop at their next checkpoint. With `drain: true` (a server on SIGTERM)
   * the calls already accepted, running and waiting, finish first, for up to `timeoutMs` (default 30 s);
   * what is left then is cancelled as without drain. A thread is terminated only between model runs.
   */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * Starts `workers` threads, each able to run every library call with its own models.
 *
 *   const verifier = createVerifier({ workers: 4 });
 *   for await (const r of verifier.map(files, (f) => verifier.validatePhoto(f))) console.log(r.input, r.status);
 *   await verifier.close();
 */
export function createVerifier(options: VerifierOptions = {}): Verifier {
  options = checkOptions(options, VERIFIER_SCHEMA);
  void sweepOnce(); // what a killed process left in the temp folder (cleanup.ts)
  const workers = options.workers ?? availableParallelism();
  const maxQueue = options.maxQueue ?? workers * DEFAULTS.queuePerWorker;
  const preload = options.preload ?? DEFAULTS.preload;

  const pool = new WorkerPool(workers, maxQueue, { backend: options.backend, onnxRuntime: options.onnxRuntime, preload });
  const call = (method: Method, args: unknown[]): Promise<never> => {
    const site: { stack?: string } = {};
    Error.captureStackTrace(site, call);
    return pool.run(method, args, site.stack?.split('\n').slice(1).join('\n') ?? '') as Promise<never>;
  };

  const verifier: Verifier = {
    workers,
    maxQueue,
    stats: () => ({ running: pool.running, queued: pool.queued }),
    ready: () => pool.ready(),
    validatePhoto: (input, o) => call('validatePhoto', [input, o]),
    compressToSpec: (input, o) => call('compressToSpec', [input, o]),
    readIdCard: (image, o) => call('readIdCard', [image, o]),
    prepareCard: (idCard, o) => call('prepareCard', [idCard, o]),
    prepareFrames: (frames, o) => call('prepareFrames', [frames, o]),
    compareFaces: (idCard, frames, o) => call('compareFaces', [idCard, frames, o]),
    extractFramesFromReadingVideo: (video, o) => call('extractFramesFromReadingVideo', [video, o]),
    analyzeReadingVideo: (video, o) => call('analyzeReadingVideo', [video, o]),
    verifyApplicant: (submission, o) => call('verifyApplicant', [submission, o]),
    map: (inputs, fn, o = {}) => map(pool, inputs, fn, o),
    close: (o) => pool.close(checkOptions(o, CLOSE_SCHEMA)),
  };
  // For the tests only (to end a thread mid-call): not enumerable, not in the types.
  Object.defineProperty(verifier, kSlots, { get: () => pool[kSlots] });
  return verifier;
}

async function* map<T, R>(pool: WorkerPool, inputs: Iterable<T> | AsyncIterable<T>, fn: (input: T, index: number) => Promise<R>, o: MapOptions): AsyncGenerator<MapResult<T, R>, void, undefined> {
  o = checkOptions(o, MAP_SCHEMA);
  const ordered = o.ordered ?? DEFAULTS.ordered;
  const concurrency = o.concurrency ?? pool.size * DEFAULTS.mapInFlightPerWorker;
  if (typeof fn !== 'function') throw invalidArgument('fn', 'a function (input, index) => Promise', fn);
  const iterator: Iterator<T> | AsyncIterator<T> =
    inputs != null && Symbol.asyncIterator in inputs ? inputs[Symbol.asyncIterator]() : (inputs as Iterable<T>)[Symbol.iterator]();

  // Started and not yet yielded, by index. Outcomes never reject, so none is left unhandled when the loop is left early.
  const inFlight = new Map<number, Promise<MapResult<T, R>>>();
  let next = 0;
  let head = 0;
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inFlight.size < concurrency) {
        await pool.room(); // another caller may have filled the queue: wait rather than be refused
        const step = await iterator.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        const index = next++;
        const input = step.value;
        const outcome = Promise.resolve()
          .then(() => fn(input, index))
          .then(
            (value): MapResult<T, R> => ({ index, input, status: 'fulfilled', value }),
            (reason: unknown): MapResult<T, R> => ({ index, input, status: 'rejected', reason }),
          );
        inFlight.set(index, outcome);
      }
      if (inFlight.size === 0) return;
      const result = ordered ? await inFlight.get(head)! : await Promise.race(inFlight.values());
      inFlight.delete(result.index);
      if (ordered) head++;
      yield result;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}
