import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, VerifyError, compareFaces, compressToSpec, createVerifier, readIdCard, validatePhoto, type Verifier } from '../../src/index.js';
import { kSlots, type PoolThread } from '../../src/pool/pool.js';
import { heldResources } from '../../src/core/cleanup.js';
import { HANG, photo, photoBytes, sleepers, tempDirsOf, until } from '../helpers.js';

// fixtures/faces/ (scripts/make-face-fixtures.ts, from face-api's demo photos) and fixtures/videos/ (scripts/make-video-fixtures.ts).
const face = (file: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/faces/${file}`, import.meta.url)));
const video = (file: string) => fileURLToPath(new URL(`../../fixtures/videos/${file}`, import.meta.url));

/** Every thread a verifier has started, so that the end of the suite can check none is left running. */
const started = new Set<Worker>();
function threadsOf(v: Verifier): Worker[] {
  const slots = (v as unknown as { [kSlots]?: PoolThread[] })[kSlots];
  if (slots) return slots.map((s) => s.worker);
  return [];
}
function track(v: Verifier): Verifier {
  for (const w of threadsOf(v)) started.add(w);
  return v;
}

/** The verdict and the status of every check: what the pool must return exactly as the library does. */
const statuses = (r: Awaited<ReturnType<typeof validatePhoto>>) => ({ passed: r.passed, checks: r.checks.map((c) => `${c.id}:${c.status}`) });

let verifier: Verifier;
beforeAll(() => {
  verifier = track(createVerifier({ workers: 2 }));
});
afterAll(async () => {
  await verifier.close();
});

describe('createVerifier: the same results as the library', () => {
  const files = ['compliant.jpg', 'hat.jpg', 'two-faces.jpg', 'dpi-72.jpg', 'png-named-jpg.jpg', 'no-face.jpg'];

  it('validatePhoto: verdicts, check statuses and measured values equal the library call, from paths and from bytes', async () => {
    const pooled = await Promise.all(files.map((f, i) => (i % 2 ? verifier.validatePhoto(photoBytes(f), { filename: f }) : verifier.validatePhoto(photo(f)))));
    for (const [i, f] of files.entries()) {
      const own = await validatePhoto(photo(f));
      expect(statuses(pooled[i]), f).toEqual(statuses(own));
      expect(pooled[i].checks.map((c) => c.measured), f).toEqual(own.checks.map((c) => c.measured));
      expect(pooled[i].metadata, f).toEqual(own.metadata);
    }
  });

  it('compressToSpec: the same bytes, as a Buffer', async () => {
    const input = photo('white-background.jpg');
    const [pooled, own] = await Promise.all([verifier.compressToSpec(input), compressToSpec(input)]);
    expect(Buffer.isBuffer(pooled.buffer)).toBe(true);
    expect(pooled.buffer.equals(own.buffer)).toBe(true);
    expect(statuses(pooled.report)).toEqual(statuses(own.report));
  });

  it('compareFaces: the same verdict and similarity', async () => {
    const card = face('card-person-a.jpg');
    const frames = ['person-a-frame-1.jpg', 'person-a-frame-2.jpg', 'person-a-frame-3.jpg'].map(face);
    const pooled = await verifier.compareFaces(card, frames);
    const own = await compareFaces(card, frames);
    expect(pooled.match).toBe(true);
    expect({ match: pooled.match, similarity: pooled.similarity, reasons: pooled.reasons }).toEqual({ match: own.match, similarity: own.similarity, reasons: own.reasons });
    // Frames prepared on a worker thread come back as plain objects (embeddings as Float32Array) and compare here.
    const prepared = await verifier.prepareFrames(frames);
    expect(prepared[0]!.embedding).toBeInstanceOf(Float32Array);
    expect((await compareFaces(card, prepared)).similarity).toBe(own.similarity);
  });

  it('readIdCard: the same reading, `now` (a Date) carried to the thread', async () => {
    const card = fileURLToPath(new URL('../../fixtures/cards/synthetic-portrait-180-bad-check.jpg', import.meta.url));
    const now = new Date('2026-12-01');
    const [pooled, own] = await Promise.all([verifier.readIdCard(card, { now }), readIdCard(card, { now })]);
    const { timings: _p, ...p } = pooled;
    const { timings: _o, ...o } = own;
    expect(p).toEqual(o);
    expect(pooled.reasons.map((r) => r.id)).toEqual(['ID_NUMBER_CHECKSUM']);
  });

  it('extractFramesFromReadingVideo: frames come back as Buffers', async () => {
    const r = await verifier.extractFramesFromReadingVideo(video('upright.mp4'), { count: 2 });
    expect(r.frames).toHaveLength(2);
    for (const f of r.frames) expect(Buffer.isBuffer(f.image)).toBe(true);
  });
});

describe('createVerifier: errors', () => {
  it.each([
    ['an empty input', ErrorCode.INPUT_EMPTY, () => Buffer.alloc(0), {}],
    ['a missing file', ErrorCode.INPUT_NOT_FOUND, () => photo('does-not-exist.jpg'), {}],
    ['text bytes', ErrorCode.UNSUPPORTED_FORMAT, () => Buffer.from('not an image at all'), {}],
    ['a bad option', ErrorCode.INVALID_ARGUMENT, () => photo('compliant.jpg'), { detector: 'yolo' }],
    ['an input over maxInputBytes', ErrorCode.INPUT_TOO_LARGE, () => photo('compliant.jpg'), { maxInputBytes: 100 }],
  ])('%s: a VerifyError with the code, message and details the library throws (%s)', async (_, code, input, options) => {
    const pooled = await verifier.validatePhoto(input(), options as never).catch((e: unknown) => e);
    const own = await validatePhoto(input(), options as never).catch((e: unknown) => e);
    expect(pooled).toBeInstanceOf(VerifyError);
    expect(pooled).toMatchObject({ name: 'VerifyError', code, message: (own as Error).message, details: (own as VerifyError).details });
    // The worker's frames first, then who called.
    expect((pooled as Error).stack).toMatch(/<worker thread> called from:[\s\S]*create-verifier\.test\.ts/);
  });

  it.each([
    ['a transcribe function', () => verifier.analyzeReadingVideo(video('upright.mp4'), { transcribe: async () => '' } as never), 'options.transcribe'],
    ['a function in verifyApplicant', () => verifier.verifyApplicant({ idCard: face('card-person-a.jpg'), video: video('upright.mp4'), photo: photo('compliant.jpg') }, { transcribe: async () => '' } as never), 'options.transcribe'],
    ['a class instance', () => verifier.validatePhoto(photo('compliant.jpg'), { spec: new Map() } as never), 'options.spec'],
  ])('%s cannot cross to a thread: INVALID_ARGUMENT naming it', async (_, call, name) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, details: { name } });
  });
});

describe('createVerifier: map', () => {
  // The first input takes a model run; the next two fail at once on their bytes.
  const inputs = [photo('compliant.jpg'), Buffer.alloc(0), Buffer.from('text')];

  it('yields in input order by default', async () => {
    const seen: number[] = [];
    for await (const r of verifier.map(inputs, (input) => verifier.validatePhoto(input))) seen.push(r.index);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('yields as calls finish with ordered: false, each outcome with its input', async () => {
    const results = [];
    for await (const r of verifier.map(inputs, (input) => verifier.validatePhoto(input), { ordered: false })) results.push(r);
    expect(results.map((r) => r.index)).toEqual([1, 2, 0]);
    expect(results[0]).toMatchObject({ status: 'rejected', input: inputs[1], reason: { code: ErrorCode.INPUT_EMPTY } });
    expect(results[2]).toMatchObject({ status: 'fulfilled', input: inputs[0], value: { passed: true } });
  });

  it('back-pressure: reads inputs only as room frees up; never more than `concurrency` in flight nor `maxQueue` waiting', async () => {
    const v = track(createVerifier({ workers: 2, maxQueue: 1 }));
    let pulled = 0;
    let consumed = 0;
    let maxAhead = 0;
    let maxQueued = 0;
    let maxRunning = 0;
    function* files() {
      for (let i = 0; i < 10; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - consumed);
        yield photo(i % 2 ? 'dpi-72.jpg' : 'blurred.jpg');
      }
    }
    const sample = setInterval(() => {
      maxQueued = Math.max(maxQueued, v.stats().queued);
      maxRunning = Math.max(maxRunning, v.stats().running);
    }, 5);
    try {
      for await (const r of v.map(files(), (f) => v.validatePhoto(f), { concurrency: 3 })) {
        expect(r.status).toBe('fulfilled');
        consumed++;
        await new Promise((resolve) => setTimeout(resolve, 50)); // a slow consumer
      }
    } finally {
      clearInterval(sample);
      await v.close();
    }
    expect(consumed).toBe(10);
    expect(maxAhead).toBeLessThanOrEqual(3);
    expect(maxQueued).toBeLessThanOrEqual(1);
    expect(maxRunning).toBe(2);
  });

  it('a direct call beyond workers + maxQueue is refused at once (QUEUE_FULL), not queued without bound', async () => {
    const v = track(createVerifier({ workers: 1, maxQueue: 2 }));
    try {
      const calls = Array.from({ length: 4 }, () => v.validatePhoto(photo('compliant.jpg')).then(() => 'done', (e: VerifyError) => `${e.code}/${e.details.reason}`));
      expect(await Promise.all(calls)).toEqual(['done', 'done', 'done', 'QUEUE_FULL/queue-full']);
    } finally {
      await v.close();
    }
  });
});

describe('createVerifier: lifetime', () => {
  it('close() rejects calls waiting and running with CLOSED, and later calls too', async () => {
    const v = track(createVerifier({ workers: 1 }));
    const calls = Array.from({ length: 3 }, () => v.validatePhoto(photo('compliant.jpg')).catch((e: unknown) => e));
    await v.close();
    for (const e of await Promise.all(calls)) expect(e).toMatchObject({ code: ErrorCode.CLOSED, details: { reason: 'closed' } });
    await expect(v.validatePhoto(photo('compliant.jpg'))).rejects.toMatchObject({ code: ErrorCode.CLOSED, details: { reason: 'closed' } });
    await v.close(); // twice is fine
  });

  it.each(['close()', 'the thread ending'] as const)('%s during a hanging ffmpeg ends it and removes the temp folder holding the video', async (how) => {
    const before = sleepers();
    const v = track(createVerifier({ workers: 1 }));
    try {
      await v.ready();
      const call = v.extractFramesFromReadingVideo(readFileSync(video('upright.mp4')), { ffprobePath: HANG }).catch((e: unknown) => e);
      expect(await until(() => sleepers() > before && tempDirsOf(process.pid).length === 1, 10_000)).toBe(true);
      if (how === 'close()') {
        await v.close();
        expect(await call).toMatchObject({ code: ErrorCode.CLOSED });
      } else {
        await threadsOf(v)[0]!.terminate();
        expect(await call).toMatchObject({ code: ErrorCode.WORKER_EXITED });
      }
      expect(await until(() => sleepers() === before, 3000)).toBe(true);
      expect(tempDirsOf(process.pid)).toEqual([]);
      expect(heldResources()).toEqual({ processes: 0, dirs: 0 });
    } finally {
      await v.close();
    }
  });

  it('a worker that dies mid-call is replaced; its call rejects with WORKER_EXITED and the next calls run', async () => {
    const v = track(createVerifier({ workers: 1 }));
    try {
      await v.ready();
      const [first] = threadsOf(v);
      // Ended by Worker.terminate() itself while it waits on a (never-ending) ffprobe, as an uncaught error
      // would end it; mid-model terminations go through the pool's gate (native-termination.test.ts).
      const before = sleepers();
      const dying = v.extractFramesFromReadingVideo(video('upright.mp4'), { ffprobePath: HANG }).catch((e: unknown) => e);
      const after = v.validatePhoto(photo('hat.jpg'));
      expect(await until(() => sleepers() > before, 10_000)).toBe(true);
      await first.terminate(); // as an uncaught error or a native abort of the thread would
      expect(await dying).toMatchObject({ code: ErrorCode.WORKER_EXITED, details: { reason: 'worker-exited' } });
      expect((await after).checks.find((c) => c.id === 'headCovering')!.status).toBe('failed');
      expect(threadsOf(v)).toHaveLength(1);
      expect(threadsOf(v)[0]).not.toBe(first);
      track(v);
    } finally {
      await v.close();
    }
  });

  it('an AbortSignal cancels a call waiting for a worker, and one running (its ffmpeg is ended)', async () => {
    const v = track(createVerifier({ workers: 1 }));
    try {
      const busy = v.validatePhoto(photo('compliant.jpg'));
      const waiting = new AbortController();
      const queued = v.extractFramesFromReadingVideo(video('upright.mp4'), { signal: waiting.signal }).catch((e: unknown) => e);
      waiting.abort();
      expect(await queued).toMatchObject({ code: ErrorCode.ABORTED, details: { reason: 'aborted' } });
      await busy;
      const running = new AbortController();
      const call = v.extractFramesFromReadingVideo(video('upright.mp4'), { signal: running.signal }).catch((e: unknown) => e);
      expect(v.stats().running).toBe(1);
      running.abort();
      expect(await call).toMatchObject({ code: ErrorCode.ABORTED });
      expect(v.stats()).toEqual({ running: 0, queued: 0 });
    } finally {
      await v.close();
    }
  });

  it('idle workers do not keep the process alive (a script that forgets close() still exits); awaiting ready() does', () => {
    const index = new URL('../../src/index.ts', import.meta.url).href;
    const script = `const { createVerifier } = await import(${JSON.stringify(index)}); const v = createVerifier({ workers: 1 }); await v.ready(); console.log('ready');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({ status: 0, stdout: 'ready' });
  });

  it('a worker that cannot start (a backend that is not installed) fails ready() and every call with its error, without respawning', async () => {
    const v = track(createVerifier({ workers: 1, backend: 'tensorflow' })); // @tensorflow/tfjs-node is an optional peer, not installed here
    try {
      await expect(v.ready()).rejects.toMatchObject({ code: ErrorCode.BACKEND_UNAVAILABLE });
      await expect(v.validatePhoto(photo('compliant.jpg'))).rejects.toMatchObject({ code: ErrorCode.BACKEND_UNAVAILABLE });
    } finally {
      await v.close();
    }
  });

  it('close({ drain: true }) lets the calls it accepted finish, running and waiting, and refuses new ones with CLOSED', async () => {
    const v = track(createVerifier({ workers: 1 }));
    const running = v.validatePhoto(photo('compliant.jpg'));
    const waiting = v.validatePhoto(photo('hat.jpg'));
    const closing = v.close({ drain: true });
    await expect(v.validatePhoto(photo('compliant.jpg'))).rejects.toMatchObject({ code: ErrorCode.CLOSED });
    expect((await running).passed).toBe(true);
    expect((await waiting).checks.find((c) => c.id === 'headCovering')!.status).toBe('failed');
    await closing;
    expect(threadsOf(v)).toEqual([]);
  });

  it('close({ drain: true, timeoutMs }) cancels what is still running at the deadline (CLOSED), its ffmpeg ended', async () => {
    const before = sleepers();
    const v = track(createVerifier({ workers: 1 }));
    await v.ready();
    const hanging = v.extractFramesFromReadingVideo(video('upright.mp4'), { ffprobePath: HANG }).catch((e: unknown) => e);
    expect(await until(() => sleepers() > before, 10_000)).toBe(true);
    const t0 = performance.now();
    await v.close({ drain: true, timeoutMs: 300 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(await hanging).toMatchObject({ code: ErrorCode.CLOSED });
    expect(await until(() => sleepers() === before, 3000)).toBe(true);
  });

  it('refuses bad options', () => {
    for (const options of [{ workers: 0 }, { workers: 1.5 }, { maxQueue: -1 }, { backend: 'gpu' }, { onnxRuntime: 'cuda' }, { preload: 'yes' }]) {
      expect(() => createVerifier(options as never), JSON.stringify(options)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    }
  });

  it('leaves no thread running after close()', async () => {
    await verifier.close();
    expect(started.size).toBeGreaterThanOrEqual(8);
    for (const w of started) expect(w.threadId).toBe(-1);
  });
});
