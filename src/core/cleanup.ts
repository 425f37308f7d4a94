/**
 * What a call owns outside the heap — ffmpeg process groups and private temp folders — and the
 * promise that none of it outlives the process: they are ended and removed when this process exits,
 * on SIGINT/SIGTERM/SIGHUP when nobody else handles the signal, and (through the pool) when a worker
 * thread ends. Folders a killed process could not remove are swept by the next one.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

export type ResourceEvent = { op: 'hold' | 'release'; kind: 'process'; pid: number } | { op: 'hold' | 'release'; kind: 'dir'; path: string };

const groups = new Set<number>();
const dirs = new Set<string>();
let observer: ((event: ResourceEvent) => void) | undefined;
let hooksInstalled = false;

// Signals whose default action ends the process; SIGKILL cannot be caught (the sweep covers it).
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// Temp folders of this library: `idphoto-<kind>-<pid>-<random>`.
const PREFIX = 'idphoto-';
const OURS = /^idphoto-(video|liveness)-(\d+)-/;

/** A worker thread forwards what it holds to the pool, which ends it if the thread dies (pool/worker.ts). */
export function observeResources(fn: ((event: ResourceEvent) => void) | undefined): void {
  observer = fn;
}

/** Records a child's process group (its pid: children are spawned detached) until `releaseProcess`. */
export function holdProcess(pid: number): void {
  groups.add(pid);
  installHooks();
  observer?.({ op: 'hold', kind: 'process', pid });
}

export function releaseProcess(pid: number): void {
  groups.delete(pid);
  observer?.({ op: 'release', kind: 'process', pid });
}

/** Records a folder to remove at exit until `releaseDir` (the pool holds its workers' folders here). */
export function holdDir(path: string): void {
  dirs.add(path);
  installHooks();
  observer?.({ op: 'hold', kind: 'dir', path });
}

export function releaseDir(path: string): void {
  dirs.delete(path);
  observer?.({ op: 'release', kind: 'dir', path });
}

let sweeping: Promise<void> | undefined;

/**
 * Removes, once a process, the temp folders of this library that processes which died without cleaning up
 * (SIGKILL, a power cut) left: an applicant's video given as bytes. Run when the library loads its models
 * or starts a pool, and before the first private folder; never a live process's folder.
 */
export function sweepOnce(): Promise<void> {
  sweeping ??= sweepOrphans();
  return sweeping;
}

/**
 * A new private folder (mode 0700: applicant bytes are readable by this user only) in the system temp
 * folder, held until `removePrivateDir`.
 */
export async function makePrivateDir(kind: 'video' | 'liveness'): Promise<string> {
  await sweepOnce();
  const path = await mkdtemp(join(tmpdir(), `${PREFIX}${kind}-${process.pid}-`));
  holdDir(path);
  return path;
}

export async function removePrivateDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true, maxRetries: 2 });
  releaseDir(path);
}

/** Sends `sig` to a child's whole process group (whatever it started goes too); a group that is gone is ignored. */
export function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    if (process.platform === 'win32') process.kill(pid, sig);
    else process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

/** Ends every held process group and removes every held folder, synchronously (exit and signal paths). */
export function releaseAll(): void {
  for (const pid of groups) signalGroup(pid, 'SIGKILL');
  groups.clear();
  for (const path of dirs) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // nothing more can be done at exit
    }
  }
  dirs.clear();
}

/** What is held now (tests and the soak harness). */
export function heldResources(): { processes: number; dirs: number } {
  return { processes: groups.size, dirs: dirs.size };
}

function installHooks(): void {
  // Signals reach the main thread only; a worker thread's resources are held by the pool in the main thread.
  if (hooksInstalled || !isMainThread) return;
  hooksInstalled = true;
  process.once('exit', releaseAll);
  // First among the signal's listeners, so that it counts the host's: a host's process.once listener, run
  // before it, would already have been taken away, and the host taken for absent.
  for (const sig of SIGNALS) process.prependListener(sig, onSignal);
}

/**
 * A library must not take over the host's signals. When the host listens too, it decides (and the exit
 * hook cleans up when it exits); when only we listen, the signal would have ended the process: clean up,
 * step aside and raise it again, so the process ends as it would have (exit status 128 + n).
 */
function onSignal(sig: NodeJS.Signals): void {
  if (process.listenerCount(sig) > 1) return;
  releaseAll();
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', releaseAll);
  hooksInstalled = false;
  process.kill(process.pid, sig);
}

async function sweepOrphans(): Promise<void> {
  const root = tmpdir();
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(OURS.exec(name)?.[2]);
      if (!pid || pid === process.pid || alive(pid)) return;
      const path = join(root, name);
      try {
        const info = await stat(path);
        if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) return;
        await rm(path, { recursive: true, force: true });
      } catch {
        // another process swept it, or it is not ours to remove
      }
    }),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
