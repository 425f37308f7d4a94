/**
 * Which errors end a run and which are an input's answer, and how an input's error reads to people.
 * Exit 2 is for usage and the environment only; an input that cannot be read or measured is exit 1.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type ErrorMessages, isVerifyError, type VerifyError } from '../core/errors.js';

/**
 * Codes about the machine or the command line, not the input: the run cannot go on (exit 2). Every
 * other code (INPUT_*, UNSUPPORTED_FORMAT, NOT_A_VIDEO, NO_FACE, TIMEOUT, and codes added later, which
 * are about inputs) is the input's answer (exit 1). WORKER_EXITED is an input's answer too: the file
 * that crashed a worker is reported and the run goes on with a new worker.
 */
const ENVIRONMENT_CODES: ReadonlySet<string> = new Set([
  'INVALID_ARGUMENT', // from the command line: a spec file the library refuses
  'FFMPEG_NOT_FOUND',
  'MODEL_LOAD_FAILED',
  'MODEL_CHECKSUM_MISMATCH',
  'BACKEND_UNAVAILABLE',
  'QUEUE_FULL',
  'CLOSED',
  'ABORTED',
]);

export function isEnvironmentError(error: unknown): error is VerifyError {
  return isVerifyError(error) && ENVIRONMENT_CODES.has(error.code);
}

/** An error that is the input's answer: the row (or the command's result) shows it, exit 1. */
export function isInputError(error: unknown): error is VerifyError {
  return isVerifyError(error) && !ENVIRONMENT_CODES.has(error.code);
}

/** An input's error as the CLI prints it and puts in JSON: the stable code, the technical message, the words for people. */
export interface InputError {
  code: string;
  message: string;
  messages: ErrorMessages;
  /** The file's real format, when it is an image in a format the spec does not accept. */
  format?: string;
}

const FORMAT_NAMES: Record<string, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF', tiff: 'TIFF', bmp: 'BMP', heic: 'HEIC', avif: 'AVIF' };

/**
 * The error of one input. An image the library cannot decode but that is an image (HEIC without a
 * decoder; PGM, PPM, PBM, which the library's sniffer does not know) reads "format not accepted (PGM)",
 * not "not an image".
 */
export function inputError(error: VerifyError, file?: string): InputError {
  const out: InputError = { code: error.code, message: error.message, messages: { zh: error.messages.zh, en: error.messages.en } };
  if (error.code === 'UNSUPPORTED_FORMAT') {
    const known = error.details.format;
    const sniffed = typeof known === 'string' && known !== 'unknown' ? undefined : file ? sniffNetpbm(file) : undefined;
    const format = sniffed ?? (typeof known === 'string' && known !== 'unknown' ? (FORMAT_NAMES[known] ?? known.toUpperCase()) : undefined);
    if (format) {
      out.format = format;
      // The library's sniffer does not know Netpbm and calls it no image; it is one, in a format not accepted.
      if (sniffed) out.message = `The file is a ${sniffed} image (Netpbm), a format not accepted: the photo must be a JPEG file.`;
      out.messages = {
        zh: `格式不符合要求（${format}）：照片必须是JPG格式，请用图片软件另存为JPG后重新上传。`,
        en: `Format not accepted (${format}): the photo must be a JPEG file. Save it as JPEG and upload it again.`,
      };
    }
  }
  return out;
}

/** Netpbm's magic numbers: P1/P4 bitmap, P2/P5 greymap, P3/P6 pixmap, P7 arbitrary map, each followed by white space. */
export function sniffNetpbm(file: string): string | undefined {
  const head = Buffer.alloc(3);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (readSync(fd, head, 0, 3, 0) < 3) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (head[0] !== 0x50 || !/\s/.test(String.fromCharCode(head[2]!))) return undefined;
  return { '1': 'PBM', '4': 'PBM', '2': 'PGM', '5': 'PGM', '3': 'PPM', '6': 'PPM', '7': 'PAM' }[String.fromCharCode(head[1]!)];
}
