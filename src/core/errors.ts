/**
 * One error class for the whole library. Programs branch on `code` (stable strings); developers read
 * `message` (technical, English); applicants read `messages.zh` / `messages.en`.
 * A photo that merely breaks the spec is never an error: it is a result.
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
  /** compressToSpec: the top of the head touches the photo's top edge, so the crown (and the framing) is unknown. */
  HEAD_CUT_OFF: 'HEAD_CUT_OFF',
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
  /** The queue: an input's content is not the content hashed when the job was enqueued (the file was replaced, or a key's sha256 does not hold). */
  INPUT_CHANGED: 'INPUT_CHANGED',
  /** compareFaces: more frames than `maxFrames` were given. */
  TOO_MANY_FRAMES: 'TOO_MANY_FRAMES',
  /** A model file is missing or cannot be parsed. */
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  /** A model file's sha256 differs from the manifest in `models/manifest.json`. */
  MODEL_CHECKSUM_MISMATCH: 'MODEL_CHECKSUM_MISMATCH',
  /** The requested TensorFlow.js backend cannot be initialised. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
} as const;

/** One of the stable codes of ErrorCode. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A message for the applicant (or the operator), in both languages. */
export interface ErrorMessages {
  zh: string;
  en: string;
}

/**
 * What to show people for each code. Applicant-data codes say what to upload instead; service-side
 * codes say only "try again later", since hosts show these to applicants (details stay in `message`).
 */
export const ERROR_MESSAGES: Readonly<Record<ErrorCode, Readonly<ErrorMessages>>> = freezeAll({
  INVALID_ARGUMENT: {
    zh: '系统未能处理此次请求，请稍后重试；如问题持续，请联系管理员。',
    en: 'The service could not process this request. Please try again later; if it keeps happening, contact the administrator.',
  },
  INPUT_NOT_FOUND: { zh: '未能读取上传的文件，请重新上传。', en: 'The uploaded file could not be read. Please upload it again.' },
  INPUT_EMPTY: { zh: '上传的文件是空的，请重新上传。', en: 'The uploaded file is empty. Please upload it again.' },
  INPUT_TOO_LARGE: { zh: '上传的文件过大，请上传较小的文件。', en: 'The uploaded file is too large. Please upload a smaller file.' },
  UNSUPPORTED_FORMAT: { zh: '该文件不是可识别的图片，请上传JPG格式的照片。', en: 'This file is not an image we can read. Please upload a JPG photo.' },
  IMAGE_TOO_LARGE: { zh: '照片像素尺寸过大，无法处理，请上传分辨率较低的照片。', en: 'The photo has too many pixels to process. Please upload a lower-resolution photo.' },
  CORRUPT_IMAGE: { zh: '照片文件已损坏或不完整，请重新上传或重新拍摄。', en: 'The photo file is damaged or incomplete. Please upload it again or take a new photo.' },
  NO_FACE: {
    zh: '照片中未检测到人脸，请上传本人正面免冠照片，露出完整面部。',
    en: 'No face was found in the photo. Please upload a front-facing photo of yourself with your whole face visible.',
  },
  MULTIPLE_FACES: { zh: '照片中有多张人脸，请上传只有本人一人的照片。', en: 'More than one face is in the photo. Please upload a photo that shows only you.' },
  FACE_TOO_SMALL: {
    zh: '照片中的人脸太小，请上传近距离拍摄、头部和肩部占满画面的照片。',
    en: 'Your face is too small in the photo. Please upload a closer photo in which your head and shoulders fill the picture.',
  },
  SEGMENTATION_FAILED: {
    zh: '无法将人物与背景区分开，请在光线充足处、以纯色背景重新拍摄后上传。',
    en: 'We could not separate you from the background. Please retake the photo in good light against a plain background and upload it.',
  },
  SIZE_UNREACHABLE: { zh: '无法将照片压缩到规定的文件大小，请换一张照片上传。', en: 'The photo could not be brought to the required file size. Please upload a different photo.' },
  HEAD_CUT_OFF: {
    zh: '照片中头顶被截掉了，请重新拍摄，头顶上方留出空间。',
    en: 'The top of your head is cut off in this photo. Please take it again with some space above your head.',
  },
  NOT_A_VIDEO: { zh: '无法读取该视频文件，请上传完整的视频（如MP4格式）。', en: 'The file could not be read as a video. Please upload a complete video file (for example MP4).' },
  NO_VIDEO_STREAM: { zh: '文件中没有视频画面（可能只有声音），请上传本人录制的视频。', en: 'The file has no picture (perhaps only sound). Please upload a video of yourself.' },
  VIDEO_DURATION: { zh: '视频时长不符合要求，请按规定时长重新录制后上传。', en: 'The video is too short or too long. Please record it again at the required length and upload it.' },
  VIDEO_TOO_LARGE: {
    zh: '视频分辨率过高，无法处理，请以较低分辨率（如1080p）重新录制后上传。',
    en: 'The video resolution is too high to process. Please record again at a lower resolution (such as 1080p) and upload it.',
  },
  FFMPEG_NOT_FOUND: { zh: '服务暂时无法处理视频，请稍后重试。', en: 'The service cannot process videos right now. Please try again later.' },
  FFMPEG_TIMEOUT: { zh: '视频处理超时，请稍后重试。', en: 'Processing the video took too long. Please try again later.' },
  // ffmpeg can fail on odd data that ffprobe accepted, so a new recording is the applicant's second remedy.
  FFMPEG_FAILED: {
    zh: '视频处理失败，请稍后重试；如仍失败，请重新录制后上传。',
    en: 'The video could not be processed. Please try again later; if it fails again, record it again and upload it.',
  },
  ABORTED: { zh: '处理已取消，请重新提交。', en: 'Processing was cancelled. Please submit again.' },
  TIMEOUT: { zh: '处理超时，请稍后重试。', en: 'Processing took too long. Please try again later.' },
  QUEUE_FULL: { zh: '服务繁忙，请稍后重试。', en: 'The service is busy. Please try again later.' },
  CLOSED: { zh: '服务正在重启或停止，请稍后重试。', en: 'The service is restarting or stopping. Please try again later.' },
  WORKER_EXITED: { zh: '服务处理时出错，请重试。', en: 'The service ran into an error. Please try again.' },
  INPUT_CHANGED: { zh: '上传的文件在处理前被更改，请重新提交。', en: 'The uploaded file changed before it was processed. Please submit it again.' },
  TOO_MANY_FRAMES: { zh: '上传的图片数量超过上限，请减少后重新上传。', en: 'Too many images were uploaded. Please upload fewer and try again.' },
  MODEL_LOAD_FAILED: { zh: '服务暂时不可用，请稍后重试。', en: 'The service is temporarily unavailable. Please try again later.' },
  MODEL_CHECKSUM_MISMATCH: { zh: '服务暂时不可用，请稍后重试。', en: 'The service is temporarily unavailable. Please try again later.' },
  BACKEND_UNAVAILABLE: { zh: '服务暂时不可用，请稍后重试。', en: 'The service is temporarily unavailable. Please try again later.' },
});

// A code from outside the table (a JS caller, a newer worker) must still leave `messages` showable.
const UNKNOWN_MESSAGES: Readonly<ErrorMessages> = Object.freeze({
  zh: '服务未能完成处理，请稍后重试。',
  en: 'The service could not complete the request. Please try again later.',
});

function freezeAll<T extends Record<string, ErrorMessages>>(table: T): Readonly<T> {
  for (const pair of Object.values(table)) Object.freeze(pair);
  return Object.freeze(table);
}

/**
 * Symbol.for, not Symbol(): the ESM and CJS builds loaded in one process each have their own class,
 * but share this key, so either copy recognises the other's errors.
 */
const BRAND: unique symbol = Symbol.for('idphoto-verify.VerifyError');

function hasBrand(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/** The library's one error class: a stable `code`, `messages` for people in Chinese and English, `details` and `cause`. */
export class VerifyError extends Error {
  override readonly name = 'VerifyError';
  readonly code: ErrorCode;
  /** Facts about the failure for programs (limits, measured values, paths). */
  readonly details: Readonly<Record<string, unknown>>;
  /** What to tell the applicant: `ERROR_MESSAGES[code]` unless the thrower gave a more specific pair. */
  readonly messages: Readonly<ErrorMessages>;

  /** `message` is technical English for logs; `options.messages` overrides the table's words for people. */
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown>; messages?: ErrorMessages } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
    const fallback = Object.hasOwn(ERROR_MESSAGES, code) ? ERROR_MESSAGES[code] : UNKNOWN_MESSAGES;
    // Per field with ??: a JS caller's half pair still leaves both languages showable.
    this.messages = options.messages
      ? Object.freeze({ zh: options.messages.zh ?? fallback.zh, en: options.messages.en ?? fallback.en })
      : fallback;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `err instanceof VerifyError` also holds for errors made by the other build's copy of this class. */
  static override [Symbol.hasInstance](value: unknown): value is VerifyError {
    // A subclass keeps ordinary instanceof: the brand alone cannot tell subclasses apart.
    if (this !== VerifyError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value);
  }

  /** Error's own `message` and `stack` are not enumerable; hosts send errors to clients as JSON. No stack or cause: they are internals. */
  toJSON(): { name: 'VerifyError'; code: ErrorCode; message: string; messages: ErrorMessages; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, messages: { ...this.messages }, details: { ...this.details } };
  }
}

/** True for a VerifyError from either build (checked by brand), and with `code`, only for that code. */
export function isVerifyError(value: unknown, code?: ErrorCode): value is VerifyError {
  return hasBrand(value) && (code === undefined || (value as VerifyError).code === code);
}

// What of a value from outside a message repeats: enough to recognise it, never a whole upload (a base64
// string given as a path, a 2 MB option) in a log line or a queue's stored failure.
const SHOWN_CHARS = 80;

/** A value as messages show it: cut to 80 characters (or `max`), with its length, when longer. */
export function shown(value: string, max = SHOWN_CHARS): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

/** sharp-style argument message: what was expected and what came. */
export function invalidArgument(name: string, expected: string, received: unknown): VerifyError {
  let text: string;
  try {
    text = typeof received === 'string' ? JSON.stringify(received) : String(received);
  } catch {
    text = Object.prototype.toString.call(received); // an object without a usable toString (null prototype, a hostile one)
  }
  const kind = received === null ? 'null' : Array.isArray(received) ? 'array' : typeof received;
  return new VerifyError(ErrorCode.INVALID_ARGUMENT, `Expected ${expected} for ${shown(name)} but received ${shown(text)} of type ${kind}`, {
    details: { name: shown(name), expected },
  });
}
