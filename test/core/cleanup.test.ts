import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { heldResources, makePrivateDir, removePrivateDir } from '../../src/core/cleanup.js';
import { sleepers, tempDirsOf, until } from '../helpers.js';

const host = fileURLToPath(new URL('../hosts/hanging-call.ts', import.meta.url));

/** Starts the host, waits until its ffmpeg runs and its temp folder holds the video; returns its folder. */
async function startHost(mode: 'plain' | 'host-handler' | 'host-once'): Promise<{ child: ChildProcess; dir: string; output: () => string }> {
  const before = sleepers();
  const child = spawn(process.execPath, ['--import', 'tsx', host, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const started = await until(() => sleepers() > before && tempDirsOf(child.pid!).length === 1, 30_000);
  expect(started, `the host's ffmpeg and temp folder appear (${output})`).toBe(true);
  return { child, dir: join(tmpdir(), tempDirsOf(child.pid!)[0]!), output: () => output };
}

const exited = (child: ChildProcess) => new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

describe('nothing is left behind however the process ends', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s to a host without its own handler: ffmpeg ended, temp folder removed, and the process still dies of the signal', async (sig) => {
    const before = sleepers();
    const { child, dir } = await startHost('plain');
    // The applicant's video, written from bytes, is readable by this user only.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'input')).mode & 0o777).toBe(0o600);
    const end = exited(child);
    child.kill(sig);
    // The library does not swallow the signal (nor call process.exit): the default action still happens.
    expect(await end).toEqual({ code: null, signal: sig });
    expect(await until(() => sleepers() === before, 3000)).toBe(true);
    expect(readdirSync(tmpdir())).not.toContain(dir.split('/').pop());
  });

  it.each(['host-handler', 'host-once'] as const)("a host with its own SIGTERM handler keeps it (%s): the host decides, and its exit cleans up", async (mode) => {
    // host-once registered its handler with process.once before the library listened: once takes it away before the
    // library's listener runs, which then took itself for the only one and raised the signal again (the queue
    // worker's SIGTERM past its deadline ended by the signal, not exit 0).
    const before = sleepers();
    const { child, output } = await startHost(mode);
    const end = exited(child);
    child.kill('SIGTERM');
    expect(await end).toEqual({ code: 0, signal: null });
    expect(output()).toContain('host handled SIGTERM');
    expect(await until(() => sleepers() === before, 3000)).toBe(true);
    expect(tempDirsOf(child.pid!)).toEqual([]);
  });

  it("SIGKILL cannot be caught: the next process sweeps the folder the dead one left (and only a dead one's)", async () => {
    const before = sleepers();
    const { child, dir } = await startHost('plain');
    const end = exited(child);
    child.kill('SIGKILL');
    await end;
    expect(statSync(dir).isDirectory()).toBe(true);
    // Its ffmpeg, in its own process group, outlived it: nothing in the dead process could end it.
    spawnSync('pkill', ['-x', '-f', 'sleep 86399']);
    expect(await until(() => sleepers() === before, 3000)).toBe(true);
    // A live process's folder (this test's) must survive the sweep.
    const mine = join(tmpdir(), `idphoto-video-${process.pid}-sweeptest`);
    mkdirSync(mine);
    // The next process sweeps when it loads its models, before any video call.
    const index = new URL('../../src/index.ts', import.meta.url).href;
    const loader = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const { loadModels } = await import(${JSON.stringify(index)}); await loadModels({ models: [] }); await new Promise((r) => setTimeout(r, 200));`], { encoding: 'utf8', timeout: 60_000 });
    expect(loader.status, loader.stderr).toBe(0);
    expect(readdirSync(tmpdir())).not.toContain(dir.split('/').pop());
    const next = await startHost('plain');
    expect(statSync(mine).isDirectory()).toBe(true);
    rmSync(mine, { recursive: true });
    const nextEnd = exited(next.child);
    next.child.kill('SIGTERM');
    await nextEnd;
    expect(await until(() => sleepers() === before, 3000)).toBe(true);
  });

  it('a private folder is held until removed', async () => {
    const held = heldResources().dirs;
    const path = await makePrivateDir('liveness');
    expect(statSync(path).mode & 0o777).toBe(0o700);
    expect(heldResources().dirs).toBe(held + 1);
    await removePrivateDir(path);
    expect(heldResources().dirs).toBe(held);
  });
});
