import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadModels, validatePhoto } from '../../src/index.js';
import { photoBytes } from '../helpers.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');

describe('no tensor leaks', () => {
  it('the tensor count is unchanged after 100 validatePhoto calls (one face, two faces, no face, errors)', async () => {
    await loadModels();
    const inputs = ['compliant.jpg', 'two-faces.jpg', 'no-face.jpg', 'hat.jpg'].map(photoBytes);
    await validatePhoto(inputs[0]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      if (i % 25 === 24) await validatePhoto(Buffer.alloc(0)).catch(() => undefined);
      else await validatePhoto(inputs[i % inputs.length]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('concurrent calls', () => {
  it('validatePhoto calls in flight together give the results they give one at a time, and leak nothing', async () => {
    await loadModels();
    const files = ['compliant.jpg', 'hat.jpg', 'two-faces.jpg', 'blurred.jpg'];
    const sequential = [];
    for (const f of files) sequential.push(await validatePhoto(photoBytes(f)));
    const before = tf.memory().numTensors;
    const together = await Promise.all(files.map((f) => validatePhoto(photoBytes(f))));
    expect(tf.memory().numTensors).toBe(before);
    const verdicts = (rs: typeof together) => rs.map((r) => r.checks.map((c) => `${c.id}:${c.status}`).join(' '));
    expect(verdicts(together)).toEqual(verdicts(sequential));
  });
});
