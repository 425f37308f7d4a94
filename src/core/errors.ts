/**
 * One error class for the whole library. Programs branch on `code` (stable strings);
 * people read `message`. A photo that merely breaks the spec is never an error: it is a result.
 */
export const ErrorCode = {
  /** An argument is of the wrong type or out of range (misuse of the API). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The input path does not exist or cannot be read. */
  INPUT_NOT_FOUND: 'INPUT_NOT_FOUND',
  /** The input has zero bytes. */
  INPUT_EMPTY: 'INPUT_EMPTY',
  /** The input file is larger than `maxInputBytes`. */
  INPUT_TOO_LARGE: 'INPUT_TOO_LARGE',
  /** The bytes are not an image format this library decodes (text, PDF, HEIC without a decoder, …). */
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  /** The header declares more pixels than `maxPixels` (decompression-bomb guard): refused before decoding. */
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  /** The image is truncated or its data is damaged. */
  CORRUPT_IMAGE: 'CORRUPT_IMAGE',
  /** compressToSpec: no face was found in the photo. */
  NO_FACE: 'NO_FACE',
  /** compressToSpec: more than one face was found; `details.faces` says how many. */
  MULTIPLE_FACES: 'MULTIPLE_FACES',
  /** compressToSpec: the face is too small to fill the spec's size without enlarging beyond `maxUpscale`. */
  FACE_TOO_SMALL: 'FACE_TOO_SMALL',
  /** compressToSpec: the person could not be told from the background (too dark, too flat). */
  SEGMENTATION_FAILED: 'SEGMENTATION_FAILED',
  /** compressToSpec: no JPEG quality puts the file inside the spec's byte band. */
  SIZE_UNREACHABLE: 'SIZE_UNREACHABLE',
  /** The file is not a video ffprobe can read (text, an image, random bytes, a truncated MP4). */
  NOT_A_VIDEO: 'NOT_A_VIDEO',
  /** The file has no video stream (audio only). */
  NO_VIDEO_STREAM: 'NO_VIDEO_STREAM',
  /** The video is shorter than `minDurationS` or longer than `maxDurationS`. */
  VIDEO_DURATION: 'VIDEO_DURATION',
  /** The video's resolution exceeds `maxPixels`. */
  VIDEO_TOO_LARGE: 'VIDEO_TOO_LARGE',
  /** No ffmpeg/ffprobe binary was found (option, FFMPEG_PATH/FFPROBE_PATH, PATH, npm package). */
  FFMPEG_NOT_FOUND: 'FFMPEG_NOT_FOUND',
  /** One ffmpeg or ffprobe run went past its own limit and was killed (the public calls report their `timeoutMs` as TIMEOUT). */
  FFMPEG_TIMEOUT: 'FFMPEG_TIMEOUT',
  /** ffmpeg or ffprobe exited with an error; `details.stderr` holds the tail of its output. */
  FFMPEG_FAILED: 'FFMPEG_FAILED',
  /** The caller's AbortSignal fired (or a sibling step failed, `details.reason: 'cancelled'`); its ffmpeg was ended and its temp data removed. */
  ABORTED: 'ABORTED',
  /** The call ran past its `timeoutMs` and was stopped (its ffmpeg ended, its temp data removed). */
  TIMEOUT: 'TIMEOUT',
  /** createVerifier: the queue is full (workers + maxQueue calls in flight); try again later (HTTP 503). */
  QUEUE_FULL: 'QUEUE_FULL',
  /** createVerifier: the verifier was closed before or while the call ran. */
  CLOSED: 'CLOSED',
  /** createVerifier: the worker thread running the call ended (a crash); the pool replaced it. Safe to retry. */
  WORKER_EXITED: 'WORKER_EXITED',
  /** compareFaces: more frames than `maxFrames` were given. */
  TOO_MANY_FRAMES: 'TOO_MANY_FRAMES',
  /** A model file is missing or cannot be parsed. */
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  /** A model file's sha256 differs from the manifest in `models/manifest.json`. */
  MODEL_CHECKSUM_MISMATCH: 'MODEL_CHECKSUM_MISMATCH',
  /** The requested TensorFlow.js backend cannot be initialised. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class VerifyError extends Error {
  override readonly name = 'VerifyError';
  readonly code: ErrorCode;
  /** Facts about the failure for programs (limits, measured values, paths). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

export function isVerifyError(value: unknown, code?: ErrorCode): value is VerifyError {
  return value instanceof VerifyError && (code === undefined || value.code === code);
}

/** sharp-style argument message: what was expected and what came. */
export function invalidArgument(name: string, expected: string, received: unknown): VerifyError {
  const shown = typeof received === 'string' ? JSON.stringify(received) : String(received);
  const kind = received === null ? 'null' : Array.isArray(received) ? 'array' : typeof received;
  return new VerifyError(ErrorCode.INVALID_ARGUMENT, `Expected ${expected} for ${name} but received ${shown} of type ${kind}`, {
    details: { name, expected },
  });
}
