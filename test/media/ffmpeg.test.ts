import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type VerifyError } from '../../src/core/errors.js';
import { localInputs, locate, run, runningProcesses } from '../../src/media/ffmpeg.js';

// Stand-ins committed in fixtures/bin: one that never finishes (and starts a child), one that fails.
const hang = fileURLToPath(new URL('../../fixtures/bin/ffmpeg-hang', import.meta.url));
const fail = fileURLToPath(new URL('../../fixtures/bin/ffmpeg-fail', import.meta.url));

// The fake ffmpeg's child: `sleep 86399`, a duration nothing else on a host is likely to run. Counted
// against the count before the test, so that a stray one elsewhere cannot fail it.
const sleepers = () => spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.trim() === 'sleep 86399').length;
const sleepersBefore = sleepers();
const sleepersLeft = () => sleepers() - sleepersBefore;

/** A 0.1 s 16 kHz mono silent WAV. */
function wav(): Buffer {
  const samples = 1600;
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  return b;
}

describe('locating ffmpeg', () => {
  it('finds a real ffmpeg and ffprobe (PATH or the npm packages) that decode HEVC, VP9 and Opus', async () => {
    const ffmpeg = locate('ffmpeg');
    const ffprobe = locate('ffprobe');
    expect(['PATH', 'npm', 'env']).toContain(ffmpeg.source);
    const { stdout } = await run(ffmpeg.path, ['-hide_banner', '-decoders'], { timeoutMs: 10_000 });
    for (const codec of ['hevc', 'vp9', 'opus', 'h264', 'aac']) expect(stdout.toString()).toMatch(new RegExp(`^ [A-Z.]{6} ${codec} `, 'm'));
    expect((await run(ffprobe.path, ['-version'], { timeoutMs: 10_000 })).stdout.toString()).toMatch(/^ffprobe version/);
  });

  it('prefers the path given, and says so when it is wrong', () => {
    expect(locate('ffmpeg', { ffmpegPath: fail })).toEqual({ path: fail, source: 'option' });
    expect(() => locate('ffmpeg', { ffmpegPath: '/nonexistent/ffmpeg' })).toThrow(expect.objectContaining({ code: ErrorCode.FFMPEG_NOT_FOUND }));
  });
});

describe('running ffmpeg', () => {
  it('passes bytes through a pipe (no temp file) and returns the output', async () => {
    const { path } = locate('ffprobe');
    const { stdout } = await run(path, ['-v', 'error', '-show_entries', 'format=format_name,duration', '-of', 'json', '-i', 'pipe:0'], { timeoutMs: 10_000, stdin: wav() });
    expect(JSON.parse(stdout.toString()).format).toMatchObject({ format_name: 'wav' });
  });

  it('a process that never ends is stopped at the timeout, with everything it started', async () => {
    const started = performance.now();
    const error = (await run(hang, ['-i', 'x'], { timeoutMs: 300 }).catch((e) => e)) as VerifyError;
    expect(error.code).toBe(ErrorCode.FFMPEG_TIMEOUT);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(runningProcesses()).toBe(0);
    expect(sleepersLeft()).toBe(0);
  });

  it('an AbortSignal stops it', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = (await run(hang, [], { timeoutMs: 60_000, signal: controller.signal }).catch((e) => e)) as VerifyError;
    expect(error.code).toBe(ErrorCode.ABORTED);
    expect(sleepersLeft()).toBe(0);
    await expect(run(hang, [], { timeoutMs: 60_000, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
  });

  it('a failing run keeps the tail of stderr in the error', async () => {
    const error = (await run(fail, ['-i', 'pipe:0'], { timeoutMs: 5000, stdin: Buffer.from('garbage') }).catch((e) => e)) as VerifyError;
    expect(error.code).toBe(ErrorCode.FFMPEG_FAILED);
    expect(error.message).toContain('Invalid data found when processing input');
    expect(error.details).toMatchObject({ exitCode: 1 });
  });

  it('a binary that cannot start is FFMPEG_NOT_FOUND', async () => {
    await expect(run('/nonexistent/ffmpeg', [], { timeoutMs: 1000 })).rejects.toMatchObject({ code: ErrorCode.FFMPEG_NOT_FOUND });
  });
});

describe('inputs are local files, whatever their names say', () => {
  it.each([
    ['a relative name', ['-i', 'a.mp4'], false, ['-protocol_whitelist', 'file', '-i', `file:${process.cwd()}/a.mp4`]],
    ['a protocol-looking name', ['-ss', '1', '-i', 'concat:a.mp4|b.mp4'], false, ['-ss', '1', '-protocol_whitelist', 'file', '-i', `file:${process.cwd()}/concat:a.mp4|b.mp4`]],
    ['standard input by name', ['-i', '-'], false, ['-protocol_whitelist', 'file', '-i', `file:${process.cwd()}/-`]],
    ['pipe:0 without stdin', ['-i', 'pipe:0'], false, ['-protocol_whitelist', 'file', '-i', `file:${process.cwd()}/pipe:0`]],
    ['pipe:0 with stdin given', ['-i', 'pipe:0'], true, ['-protocol_whitelist', 'pipe', '-i', 'pipe:0']],
    ['an absolute path, twice', ['-i', '/v/a.mp4', '-i', '/v/b.mp4'], false, ['-protocol_whitelist', 'file', '-i', 'file:/v/a.mp4', '-protocol_whitelist', 'file', '-i', 'file:/v/b.mp4']],
  ] as const)('%s', (_, args, stdin, expected) => {
    expect(localInputs(args, stdin)).toEqual(expected);
  });
});
