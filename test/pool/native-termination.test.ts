/**
 * A worker thread ended while onnxruntime-node runs a model must not take the host process with it: the
 * pool terminates threads only between native runs (core/native-gate.ts). Run in a child process, so that
 * an abort is seen as its exit status rather than ending the test runner.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const host = fileURLToPath(new URL('../hosts/native-termination.ts', import.meta.url));

describe('ending a thread during native model runs', () => {
  it.each([
    ['close()', 'close', ['CLOSED']],
    ["the thread's termination", 'terminate', ['WORKER_EXITED']],
  ] as const)('%s mid-readIdCard leaves the host alive, its calls rejected with their code', (_what, how, codes) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', host, how, '5'], { encoding: 'utf8', timeout: 240_000 });
    expect({ status: run.status, signal: run.signal, stderr: run.stderr.includes('terminate called') }).toEqual({ status: 0, signal: null, stderr: false });
    const seen = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as string[];
    expect(seen).toHaveLength(10);
    // The first read may finish before the stop; everything else ends with the stop's code.
    for (const code of seen) expect(['read', ...codes]).toContain(code);
    expect(seen.filter((c) => c !== 'read').length).toBeGreaterThan(0);
  });
});
