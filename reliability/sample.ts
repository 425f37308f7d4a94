/**
 * What the reliability scripts measure about this process: its child processes, the library's temp
 * entries, memory, open file descriptors and TensorFlow tensors. Linux only (/proc).
 */
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable as printEvalTable } from '../eval/data.js';

// The library names every temp folder it makes idphoto-<what>-XXXXXX (src/media/*.ts).
export const TEMP_PREFIX = 'idphoto-';

export interface Child {
  pid: number;
  comm: string;
  /** R, S, Z (a zombie: exited, not yet reaped) … */
  state: string;
}

/**
 * Processes whose parent is this process. ffmpeg is spawned detached (its own process group), but
 * its parent is still us, so the ppid finds it; a process it started itself would not be counted.
 * Those already running when this module loaded are left out, and so is tsx's esbuild service,
 * which tsx starts only when a file is not in its transform cache: that may be in the middle of a run.
 */
export function childProcesses(): Child[] {
  return allChildren().filter((c) => !ignored(c));
}

// redis-server: the server the soak and the fuzz start for the queue's part, not a process of the library.
const ignored = (c: Child) => PREEXISTING.has(c.pid) || c.comm === 'esbuild' || c.comm === 'redis-server';

function allChildren(ppid = process.pid): Child[] {
  const children: Child[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited between the listing and the read
    }
    // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
    const close = stat.lastIndexOf(')');
    const [state, parent] = stat.slice(close + 2).split(' ');
    if (Number(parent) === ppid) children.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close), state });
  }
  return children;
}

const PREEXISTING = new Set(allChildren().map((c) => c.pid));

/** The children left out of every count, for the report. */
export function ignoredChildren(): Child[] {
  return allChildren().filter(ignored);
}

export function tempEntries(dir = tmpdir()): string[] {
  return readdirSync(dir).filter((name) => name.startsWith(TEMP_PREFIX));
}

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Descriptors by what they point at ('socket', 'pipe', 'anon_inode', or the file path), for a leak report. */
export function fdTargets(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`).replace(/:\[\d+\]$/, '')];
    } catch {
      return []; // the descriptor readdir itself used
    }
  });
}

const MB = 1024 * 1024;

/** RSS and the JS heap in use after two full collections (the second frees what finalisers of the first released). */
export function memory(): { rssMb: number; heapMb: number | undefined } {
  if (globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
  const m = process.memoryUsage();
  return { rssMb: m.rss / MB, heapMb: globalThis.gc ? m.heapUsed / MB : undefined };
}

// The same tfjs-core engine the library uses: it loads '@tensorflow/tfjs' through require too (src/models/tf.ts).
const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');

/** Live tensors. Call it only after the library has set its backend: the first tf.memory() would pick one. */
export function tensorCount(): number {
  return tf.memory().numTensors;
}

export interface Sample {
  rssMb: number;
  heapMb: number | undefined;
  tensors: number;
  children: number;
  temp: number;
  fds: number;
}

export function sample(): Sample {
  return { ...memory(), tensors: tensorCount(), children: childProcesses().length, temp: tempEntries().length, fds: openFds() };
}

/**
 * A private os.tmpdir() for this run: the other engineer's tests (and any other process) create and
 * count idphoto- entries in the shared /tmp, and would make ours miscount, and ours theirs. The
 * library asks os.tmpdir() at each call, which reads TMPDIR each time.
 */
export function privateTmpdir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `reliability-${label}-`));
  process.env.TMPDIR = dir;
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls until `done` holds or `ms` pass: a process or folder may still be going when a call settles. */
export async function settle(done: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** eval/data.ts's table, with a line for an empty one and a blank line after. */
export function printTable(headers: string[], rows: Array<Array<string | number>>): void {
  if (rows.length === 0) console.log('None.');
  else printEvalTable(headers, rows);
  console.log();
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: always one of the values measured.
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

export function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}
