import { basename } from 'node:path';
import { ErrorCode, VerifyError, invalidArgument } from '../core/errors.js';
import { readRegularFile } from '../core/files.js';

/** What callers may pass as an image: a file path, or the file's bytes. */
export type ImageInput = string | Buffer | Uint8Array;

export interface LoadedInput {
  bytes: Buffer;
  /** File name when known (the path's base name, or options.filename). */
  filename: string | undefined;
  /** The path when the input was a path. */
  path: string | undefined;
}

/** Reads a path or wraps bytes, refusing empty and oversized inputs before any decoding. */
export async function loadInput(input: ImageInput, options: { filename?: string; maxInputBytes: number }): Promise<LoadedInput> {
  if (options.filename !== undefined && typeof options.filename !== 'string') {
    throw invalidArgument('options.filename', 'a string', options.filename);
  }
  if (typeof input === 'string') {
    if (input.length === 0) throw invalidArgument('input', 'a non-empty path, Buffer or Uint8Array', input);
    // A regular file only, at most maxInputBytes, checked on the descriptor read (core/files.ts).
    const bytes = await readRegularFile(input, options.maxInputBytes, 'image file');
    return { bytes, filename: options.filename ?? basename(input), path: input };
  }
  if (input instanceof Uint8Array) {
    // Buffer.from(arrayBuffer, offset, length) shares memory: no copy of a large upload.
    const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    checkSize(bytes.length, options.maxInputBytes);
    return { bytes, filename: options.filename, path: undefined };
  }
  throw invalidArgument('input', 'a file path, Buffer or Uint8Array', input);
}

function checkSize(size: number, max: number): void {
  if (size === 0) throw new VerifyError(ErrorCode.INPUT_EMPTY, 'The image is empty (0 bytes).');
  if (size > max) {
    throw new VerifyError(ErrorCode.INPUT_TOO_LARGE, `The image is ${size} bytes; at most ${max} bytes are accepted.`, {
      details: { bytes: size, maxInputBytes: max },
    });
  }
}
