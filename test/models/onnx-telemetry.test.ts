/**
 * onnxruntime-node's telemetry is off: no device-id file (.ses) or mat-debug-<pid>.log in TMPDIR, nothing
 * for it to upload, whether the models run in the calling thread or on the pool's threads. A fresh process
 * each, since the native runtime reads the setting once, when it starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const index = new URL('../../src/index.ts', import.meta.url).href;
const photo = new URL('../../fixtures/photos/compliant.jpg', import.meta.url).pathname;

describe('onnxruntime-node telemetry', () => {
  it.each([
    ['in the calling thread', `const { validatePhoto, loadModels } = await import(${JSON.stringify(index)}); const m = await loadModels({ models: ['faceDetectOnnx'] }); await validatePhoto(${JSON.stringify(photo)}); console.log(m.models[0].runtime);`],
    ['on the pool', `const { createVerifier } = await import(${JSON.stringify(index)}); const v = createVerifier({ workers: 1 }); await v.validatePhoto(${JSON.stringify(photo)}); await v.close(); console.log('onnxruntime-node');`],
  ])('%s: nothing of it in TMPDIR', (_where, script) => {
    const dir = mkdtempSync(join(tmpdir(), 'ort-telemetry-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: dir };
      delete env.ORT_DISABLE_TELEMETRY;
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env, timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe('onnxruntime-node');
      expect(readdirSync(dir).filter((name) => !/^tsx-\d+$/.test(name))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
