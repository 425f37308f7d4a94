import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHOTO_DIR } from './fixtures.js';

export const photo = (file: string): string => join(PHOTO_DIR, file);
export const photoBytes = (file: string): Buffer => readFileSync(photo(file));

/** The compliant fixture with its frame header claiming width × height (the pixel data is unchanged). */
export function withDeclaredSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; ) {
    const marker = out[i + 1];
    const length = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + length;
  }
  throw new Error('no frame header');
}

/** The fake ffmpeg of fixtures/bin that never finishes; it starts `sleep 86399` and waits. */
export const HANG = fileURLToPath(new URL('../fixtures/bin/ffmpeg-hang', import.meta.url));

/**
 * Live `sleep 86399` processes: the fake ffmpeg's child, a duration nothing else on a host is likely to
 * run. Count them before a test and compare after, so that a stray one elsewhere cannot fail it.
 */
export const sleepers = (): number => spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.trim() === 'sleep 86399').length;

/** This library's temp folders of process `pid` (named idphoto-<kind>-<pid>-…). */
export const tempDirsOf = (pid: number): string[] => readdirSync(tmpdir()).filter((d) => new RegExp(`^idphoto-(video|liveness)-${pid}-`).test(d));

/** Polls `test` every 50 ms until it holds or `ms` pass; returns whether it held. */
export async function until(test: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (test()) return true;
  return test();
}
