import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, readVerified } from '../../src/models/registry.js';
import { ErrorCode, MODEL_NAMES, disposeModels, loadModels, validatePhoto } from '../../src/index.js';
import { photo } from '../helpers.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');

describe('models', () => {
  it('every model of the manifest is listed with its licence in models/README.md, and only those', () => {
    const root = new URL('../../models/', import.meta.url);
    const manifest = JSON.parse(readFileSync(new URL('manifest.json', root), 'utf8')) as { models: Record<string, { licence: string }> };
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const table = readme.slice(readme.indexOf('## Every model and its licence'));
    const rows = [...table.matchAll(/^\| (\w+) \| .* \| (.+) \|$/gm)].map((m) => m[1]).filter((name) => name !== 'model');
    expect(rows.sort()).toEqual(Object.keys(manifest.models).sort());
    expect([...MODEL_NAMES].sort()).toEqual(Object.keys(manifest.models).sort());
  });

  afterAll(async () => {
    await loadModels();
  });

  it('loads every model from installed packages and models/, verified, on the WASM backend', async () => {
    const { backend, models } = await loadModels();
    expect(backend).toBe('wasm');
    // By default every model the face calls use; the evaluation-only descriptor net, the OCR models and the voice-activity model only when asked for.
    expect(models.map((m) => m.name)).toEqual(MODEL_NAMES.filter((n) => n !== 'faceRecognitionNet' && n !== 'voiceActivity' && !n.startsWith('ocr')));
    models.push(...(await loadModels({ models: ['faceRecognitionNet', 'voiceActivity'] })).models);
    for (const model of models) {
      expect(model.bytes).toBeGreaterThan(50_000);
      expect(model.provenance).toMatch(/@vladmandic\/|faceplugin-face-recognition-js@0\.0\.1|@gutenye\/ocr-models@1\.4\.2|@jjhbw\/silero-vad@1\.0\.3/);
    }
    // The ONNX embedding runs on onnxruntime-node when it installed, else on onnxruntime-web.
    expect(models.find((m) => m.name === 'faceEmbedding')!.runtime).toMatch(/^onnxruntime-(node|web)$/);
    expect(models.find((m) => m.name === 'selfie')!.runtime).toBe('wasm');
  });

  it('leaves no process-wide crash handlers behind (the WASM loader installs two that rethrow)', async () => {
    await loadModels();
    for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
      expect(process.listeners(event as 'uncaughtException').some((l) => String(l).includes('ExitStatus') || String(l).includes('throw reason'))).toBe(false);
    }
  });

  it('loadModels is idempotent: a second call loads nothing and makes no tensors', async () => {
    await loadModels();
    const before = tf.memory().numTensors;
    const again = await loadModels();
    expect(again.models).toHaveLength(DEFAULT_MODELS.length);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposeModels frees every weight tensor; the next call loads them again', async () => {
    await disposeModels();
    const empty = tf.memory().numTensors;
    await loadModels();
    expect(tf.memory().numTensors).toBeGreaterThan(empty + 100);
    await disposeModels();
    expect(tf.memory().numTensors).toBe(empty);
    const result = await validatePhoto(photo('compliant.jpg'));
    expect(result.passed).toBe(true);
  });

  it('refuses a weight file whose sha256 differs from the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idphoto-model-'));
    writeFileSync(join(dir, 'weights.bin'), Buffer.from('tampered'));
    await expect(readVerified('selfie', dir, 'weights.bin', '0'.repeat(64))).rejects.toMatchObject({ code: ErrorCode.MODEL_CHECKSUM_MISMATCH });
    await expect(readVerified('selfie', dir, 'missing.bin', '0'.repeat(64))).rejects.toMatchObject({ code: ErrorCode.MODEL_LOAD_FAILED });
    await expect(readVerified('selfie', dir, 'weights.bin', undefined)).rejects.toMatchObject({ code: ErrorCode.MODEL_CHECKSUM_MISMATCH });
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unknown model name or backend', async () => {
    await expect(loadModels({ models: ['yolo' as never] })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });
});
