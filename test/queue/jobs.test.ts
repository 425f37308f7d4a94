/** The queue's job ids and references, pure (no Redis): test/queue/redis/ runs the queue on a real server. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../src/queue/client.js';
import { REDACTED, canonical, checkInputRef, contentHash, inputsOf, jobIdOf, withoutIdentity, withoutPaths } from '../../src/queue/jobs.js';
import { createQueueWorker } from '../../src/queue/worker.js';

const photo = fileURLToPath(new URL('../../fixtures/photos/compliant.jpg', import.meta.url));

describe('queue jobs', () => {
  it('an input hashes by its content: the same bytes by path or inline are one hash; a key by its sha256, else its name', async () => {
    const bytes = readFileSync(photo);
    const byPath = await contentHash({ path: photo });
    expect(await contentHash({ base64: bytes.toString('base64') })).toBe(byPath);
    expect(byPath).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentHash({ key: 'uploads/p.jpg', sha256: byPath })).toBe(byPath);
    expect(await contentHash({ key: 'uploads/p.jpg' })).not.toBe(await contentHash({ key: 'uploads/q.jpg' }));
    await expect(contentHash({ path: '/nonexistent/p.jpg' })).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
  });

  it('the job id: the call, the contents and the rest of the data, whatever the key order; no colon, not a number', () => {
    const a = jobIdOf('validatePhoto', ['h1'], { options: { filename: 'a.jpg', detector: 'auto' } });
    expect(a).toBe(jobIdOf('validatePhoto', ['h1'], { options: { detector: 'auto', filename: 'a.jpg' } }));
    expect(a).not.toBe(jobIdOf('validatePhoto', ['h1'], { options: { filename: 'b.jpg', detector: 'auto' } }));
    expect(a).not.toBe(jobIdOf('compressToSpec', ['h1'], { options: { filename: 'a.jpg', detector: 'auto' } }));
    expect(a).not.toBe(jobIdOf('validatePhoto', ['h2'], { options: { filename: 'a.jpg', detector: 'auto' } }));
    expect(a).toMatch(/^validatePhoto-[0-9a-f]{40}$/);
    expect(canonical({ b: 1, a: [1, { d: undefined, c: 'x' }] })).toBe('{"a":[1,{"c":"x"}],"b":1}');
  });

  it('references are checked; inputs come in a fixed order per call', () => {
    expect(() => checkInputRef({ url: 'http://x' }, 'input')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => checkInputRef({ path: '' }, 'input')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(checkInputRef({ base64: '' }, 'input')).toEqual({ base64: '' });
    expect(inputsOf({ call: 'verifyApplicant', idCard: { path: 'c' }, video: { path: 'v' }, photo: { path: 'p' } })).toEqual([{ path: 'c' }, { path: 'v' }, { path: 'p' }]);
    expect(inputsOf({ call: 'compareFaces', idCard: { path: 'c' }, frames: [{ path: 'f1' }, { path: 'f2' }] })).toEqual([{ path: 'c' }, { path: 'f1' }, { path: 'f2' }]);
  });

  it("a failed job's code is read from its reason", () => {
    expect(codeOf('INPUT_EMPTY: The input is empty.')).toEqual({ code: 'INPUT_EMPTY', message: 'The input is empty.' });
    expect(codeOf('job stalled more than allowable limit')).toEqual({ code: 'STALLED', message: 'job stalled more than allowable limit' });
    expect(codeOf('something else')).toEqual({ code: 'UNKNOWN', message: 'something else' });
  });

  it('a worker whose allowPaths.root is no folder is refused at once, before it starts a thread or connects', () => {
    for (const root of ['/nonexistent/uploads', photo, '']) {
      expect(() => createQueueWorker({ connection: 'redis://127.0.0.1:1', allowPaths: { root } }), root).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('results lose the identity data, keep verdicts and measurements; failure messages lose paths', () => {
    const reading = { side: 'portrait', fields: { name: { value: '张三', confidence: 0.99 } }, idNumber: { value: '110101199003077777', valid: true }, lines: [{ text: '姓名张三', confidence: 0.9 }], reasons: [{ id: 'NAME_MISMATCH', measured: { name: '张三' } }] };
    expect(withoutIdentity(reading)).toEqual({ side: 'portrait', fields: { name: { value: REDACTED, confidence: 0.99 } }, idNumber: { value: REDACTED, valid: true }, lines: [{ text: REDACTED, confidence: 0.9 }], reasons: [{ id: 'NAME_MISMATCH', measured: { name: REDACTED } }] });
    expect(withoutPaths('Cannot read the input /srv/uploads/123/card.jpg: ENOENT (redis://r:6379/0, 0.42 applicants/s)', [{ key: 'uploads/abc' }])).toBe('Cannot read the input <path>: ENOENT (redis://r:6379/0, 0.42 applicants/s)');
    expect(withoutPaths('key uploads/abc is missing', [{ key: 'uploads/abc' }])).toBe('key <input> is missing');
  });
});
