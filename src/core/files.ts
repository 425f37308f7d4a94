/**
 * Reading an input file by path, bounded: a regular file only (a FIFO would block a thread of libuv's
 * pool forever, /dev/zero never ends), at most `maxBytes`, checked on the descriptor that is read (no
 * swap between the check and the read). Opened non-blocking, so that opening a FIFO does not wait for a writer.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { ErrorCode, VerifyError, shown } from './errors.js';

const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK = 1 << 20;

/** The file's bytes; INPUT_NOT_FOUND (missing, unreadable, not a regular file), INPUT_EMPTY, INPUT_TOO_LARGE. */
export async function readRegularFile(path: string, maxBytes: number, what = 'file'): Promise<Buffer> {
  return withRegularFile(path, maxBytes, what, async (handle, size) => {
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) break; // shrank while read: what is there
      at += bytesRead;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  });
}

/** sha256 (hex) of the file's content, read in chunks (the whole file is never in memory), with the same limits. */
export async function hashRegularFile(path: string, maxBytes: number, what = 'file'): Promise<string> {
  return withRegularFile(path, maxBytes, what, async (handle, size) => {
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, size)));
    for (let at = 0; at < size; ) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - at), at);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      at += bytesRead;
    }
    return hash.digest('hex');
  });
}

async function withRegularFile<T>(path: string, maxBytes: number, what: string, work: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await open(path, FLAGS);
  } catch (cause) {
    throw notReadable(path, what, (cause as NodeJS.ErrnoException).code ?? (cause as Error).message, cause);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notReadable(path, what, 'not a regular file');
    if (info.size === 0) throw new VerifyError(ErrorCode.INPUT_EMPTY, `The ${what} is empty (0 bytes).`);
    if (info.size > maxBytes) {
      throw new VerifyError(ErrorCode.INPUT_TOO_LARGE, `The ${what} is ${info.size} bytes; at most ${maxBytes} bytes are accepted.`, { details: { bytes: info.size, maxInputBytes: maxBytes } });
    }
    return await work(handle, info.size);
  } catch (error) {
    if (error instanceof VerifyError) throw error;
    throw notReadable(path, what, (error as NodeJS.ErrnoException).code ?? (error as Error).message, error);
  } finally {
    await handle.close();
  }
}

function notReadable(path: string, what: string, why: string, cause?: unknown): VerifyError {
  return new VerifyError(ErrorCode.INPUT_NOT_FOUND, `Cannot read the ${what} ${shown(path)}: ${why}.`, { cause, details: { path: shown(path) } });
}
