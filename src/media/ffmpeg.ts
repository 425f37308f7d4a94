/**
 * The one module that runs ffmpeg and ffprobe: finding the binaries, spawning them with argument
 * arrays (never a shell), inputs opened as local files only, a hard timeout (SIGTERM, then SIGKILL),
 * AbortSignal, killing them however this process ends (cleanup.ts), and keeping the tail of stderr
 * for the error.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join, resolve } from 'node:path';
import { stopError } from '../core/call-scope.js';
import { holdProcess, releaseProcess, signalGroup } from '../core/cleanup.js';
import { is } from '../core/options.js';
import { ErrorCode, VerifyError } from '../core/errors.js';

const require = createRequire(import.meta.url);

/** Where ffmpeg and ffprobe are, when not found on their own. */
export interface BinaryOptions {
  /** Path of ffmpeg; default: FFMPEG_PATH, then PATH, then @ffmpeg-installer/ffmpeg. */
  ffmpegPath?: string;
  /** Path of ffprobe; default: FFPROBE_PATH, then PATH, then @ffprobe-installer/ffprobe. */
  ffprobePath?: string;
}

export const BINARY_SCHEMA = { ffmpegPath: is.string, ffprobePath: is.string } as const;

export interface Binary {
  path: string;
  /** Where it was found. */
  source: 'option' | 'env' | 'PATH' | 'npm';
}

const NPM_PACKAGES = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' } as const;
const ENV = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' } as const;

/** Finds ffmpeg or ffprobe: the option, the environment variable, PATH, then the npm package. */
export function locate(name: 'ffmpeg' | 'ffprobe', options: BinaryOptions = {}): Binary {
  const given = name === 'ffmpeg' ? options.ffmpegPath : options.ffprobePath;
  if (given !== undefined) {
    if (isExecutable(given)) return { path: given, source: 'option' };
    throw notFound(name, `the path given (${given}) is not an executable file`);
  }
  const fromEnv = process.env[ENV[name]];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { path: fromEnv, source: 'env' };
    throw notFound(name, `${ENV[name]}=${fromEnv} is not an executable file`);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  try {
    const pkg = require(NPM_PACKAGES[name]) as { path: string };
    if (isExecutable(pkg.path)) return { path: pkg.path, source: 'npm' };
  } catch {
    // not installed for this platform: fall through to the error
  }
  throw notFound(name, `not given, not in ${ENV[name]}, not on PATH, and ${NPM_PACKAGES[name]} is not installed for this platform`);
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function notFound(name: string, why: string): VerifyError {
  return new VerifyError(ErrorCode.FFMPEG_NOT_FOUND, `${name} was not found: ${why}. Install ffmpeg (apt install ffmpeg, or npm install @ffmpeg-installer/ffmpeg @ffprobe-installer/ffprobe), or pass its path.`, { details: { binary: name } });
}

export interface RunOptions {
  /** Hard limit on the run, milliseconds; the process is killed after it. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bytes written to the process's standard input (then closed). */
  stdin?: Uint8Array;
  /** Largest standard output kept, bytes; the process is killed past it. Default 256 MiB. */
  maxOutputBytes?: number;
  /**
   * More outputs as pipes, `pipe:3`, `pipe:4`, … in the arguments, each with its largest size in bytes: raw
   * frames stay in this process's memory, never in a file an abrupt end (SIGKILL) would leave behind.
   */
  extraOutputs?: readonly number[];
}

export interface RunResult {
  stdout: Buffer;
  /** What each of `extraOutputs` received, in order. */
  extra: Buffer[];
  /** The last 8 KB of standard error. */
  stderr: string;
  durationMs: number;
}

// Time a process has to exit after SIGTERM before SIGKILL.
const KILL_GRACE_MS = 1500;
const STDERR_TAIL = 8 * 1024;

const running = new Set<ChildProcess>();

/**
 * Every `-i NAME` becomes `-protocol_whitelist file -i file:/absolute/NAME`: the file the caller checked
 * with stat is the file ffmpeg opens. A bare name would be read as a protocol ('concat:a.mp4',
 * 'http:/host/x', '-' and 'pipe:0' for standard input). Only `pipe:0` with `stdin` given stays a pipe.
 */
export function localInputs(args: readonly string[], stdin: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '-i' || i + 1 >= args.length) {
      out.push(args[i]!);
      continue;
    }
    const name = args[++i]!;
    if (stdin && name === 'pipe:0') out.push('-protocol_whitelist', 'pipe', '-i', name);
    else out.push('-protocol_whitelist', 'file', '-i', `file:${resolve(name.startsWith('file:') ? name.slice(5) : name)}`);
  }
  return out;
}

/** Runs a binary with an argument array and resolves with its output, or rejects with a typed error. */
export function run(binary: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  if (options.signal?.aborted) return Promise.reject(stopError(options.signal, name(binary)));
  args = localInputs(args, options.stdin !== undefined);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Its own process group (detached), so that a kill reaches whatever it started too.
    const extraLimits = options.extraOutputs ?? [];
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe', ...extraLimits.map(() => 'pipe' as const)], detached: process.platform !== 'win32', windowsHide: true });
    running.add(child);
    if (child.pid !== undefined) holdProcess(child.pid);
    const chunks: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let failure: VerifyError | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const terminate = (why: VerifyError) => {
      if (failure) return;
      failure = why;
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(
      () => terminate(new VerifyError(ErrorCode.FFMPEG_TIMEOUT, `${name(binary)} did not finish within ${options.timeoutMs} ms and was stopped.`, { details: { timeoutMs: options.timeoutMs, args: [...args] } })),
      // setTimeout takes at most 2^31 − 1 ms (a larger value, Infinity included, fires at once).
      Math.min(options.timeoutMs, 2_147_483_647),
    );
    const onAbort = () => terminate(stopError(options.signal!, name(binary)));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout!.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > (options.maxOutputBytes ?? 256 * 1024 * 1024)) {
        terminate(new VerifyError(ErrorCode.FFMPEG_FAILED, `${name(binary)} produced more output than allowed.`, { details: { maxOutputBytes: options.maxOutputBytes } }));
        return;
      }
      chunks.push(chunk);
    });
    const extra = extraLimits.map((limit, i) => {
      const got: Buffer[] = [];
      let bytes = 0;
      const stream = child.stdio[3 + i] as NodeJS.ReadableStream | null;
      stream?.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > limit) {
          terminate(new VerifyError(ErrorCode.FFMPEG_FAILED, `${name(binary)} produced more output than allowed on pipe ${3 + i}.`, { details: { maxOutputBytes: limit } }));
          return;
        }
        got.push(chunk);
      });
      stream?.on('error', () => undefined);
      return got;
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // ffmpeg may exit before reading all of stdin (an invalid file): that EPIPE is not the error to report.
    child.stdin!.on('error', () => undefined);
    if (options.stdin) child.stdin!.end(options.stdin);
    else child.stdin!.end();

    child.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= new VerifyError(
        error.code === 'ENOENT' || error.code === 'EACCES' ? ErrorCode.FFMPEG_NOT_FOUND : ErrorCode.FFMPEG_FAILED,
        `${name(binary)} could not be started: ${error.message}`,
        { cause: error, details: { binary } },
      );
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      running.delete(child);
      options.signal?.removeEventListener('abort', onAbort);
      // The group may still hold children of a killed process (a shell's sleep): end them too.
      if ((failure || code !== 0) && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      if (child.pid !== undefined) releaseProcess(child.pid);
      if (failure) return reject(failure);
      if (code !== 0) {
        return reject(
          new VerifyError(ErrorCode.FFMPEG_FAILED, `${name(binary)} failed (${sig ?? `exit ${code}`}): ${lastLine(stderr)}`, { details: { exitCode: code, signal: sig, stderr, args: [...args] } }),
        );
      }
      resolve({ stdout: Buffer.concat(chunks), extra: extra.map((got) => Buffer.concat(got)), stderr, durationMs: performance.now() - started });
    });
  });
}

/** Processes started here that have not finished (for tests and diagnostics). */
export function runningProcesses(): number {
  return running.size;
}

const name = (binary: string) => binary.split(/[\\/]/).pop() ?? binary;
const lastLine = (text: string) => text.trim().split('\n').pop()?.trim() ?? '';
