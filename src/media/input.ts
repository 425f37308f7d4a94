/**
 * A video input (path or bytes) as a file ffmpeg can seek in, with the size limit checked first.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, VerifyError, invalidArgument, shown } from '../core/errors.js';

/** A video: a file path, or its bytes. */
export type VideoInput = string | Buffer | Uint8Array;

/** The video's path: the caller's, or a file written into `tempDir` (mode 0600) for bytes. */
export async function videoPath(video: VideoInput, tempDir: string, maxInputBytes: number): Promise<string> {
  if (typeof video === 'string') {
    const info = await stat(video).catch((cause) => {
      throw new VerifyError(ErrorCode.INPUT_NOT_FOUND, `Cannot read the video file ${shown(video)}.`, { cause, details: { path: shown(video) } });
    });
    if (!info.isFile()) throw new VerifyError(ErrorCode.INPUT_NOT_FOUND, `${shown(video)} is not a regular file.`, { details: { path: shown(video) } });
    checkBytes(info.size, maxInputBytes);
    return video;
  }
  if (video instanceof Uint8Array) {
    checkBytes(video.byteLength, maxInputBytes);
    // ffmpeg must seek in MP4: the bytes go to a file.
    const path = join(tempDir, 'input');
    await writeFile(path, video, { mode: 0o600 });
    return path;
  }
  throw invalidArgument('video', 'a file path, Buffer or Uint8Array', video);
}

function checkBytes(size: number, max: number): void {
  if (size === 0) throw new VerifyError(ErrorCode.INPUT_EMPTY, 'The video file is empty (0 bytes).');
  if (size > max) throw new VerifyError(ErrorCode.INPUT_TOO_LARGE, `The video is ${size} bytes; at most ${max} are accepted.`, { details: { bytes: size, maxInputBytes: max } });
}

/** Like Promise.all, but a failure is thrown only once every run has ended: no process outlives the call. */
export async function settled<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
