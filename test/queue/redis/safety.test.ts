/**
 * The queue at its boundary, on a real Redis: whoever can enqueue cannot make a worker read its disk,
 * finished jobs keep no applicant data in Redis, a producer never hangs on a file or on a Redis that is
 * down, the same content gives the same verdict and nothing else does, and what is stored is bounded.
 *   npm run test:queue
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_CALLS, type QueueClient, type QueueWorker, createQueueClient, createQueueWorker } from '../../../src/queue/index.js';
import { type RedisServer, startRedis } from './server.js';

const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));
const connection = () => new Redis(redis.url, { maxRetriesPerRequest: null }).on('error', () => {});

let redis: RedisServer;
let n = 0;
const open: Array<{ close(): Promise<unknown> }> = [];
let root: string;

beforeAll(async () => {
  redis = await startRedis();
  // The worker's root: a folder of photos, one symlink leading out of it.
  root = mkdtempSync(join(tmpdir(), 'idphoto-queue-root-'));
  copyFileSync(fixture('photos/compliant.jpg'), join(root, 'compliant.jpg'));
  symlinkSync('/etc/passwd', join(root, 'passwd-link.jpg'));
}, 30_000);
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

function setUp(workerOptions: Partial<Parameters<typeof createQueueWorker>[0]> | false = {}): { queue: string; client: QueueClient; worker?: QueueWorker; raw: Queue } {
  const queue = `safety-${process.pid}-${++n}`;
  const client = createQueueClient({ connection: redis.url, queue });
  const raw = new Queue(queue, { connection: connection() });
  open.push(client, raw);
  if (workerOptions === false) return { queue, client, raw };
  const worker = createQueueWorker({ connection: redis.url, queue, workersPerProcess: 1, ...workerOptions });
  open.push(worker);
  return { queue, client, worker, raw };
}

describe('idphoto-verify/queue at its boundary', () => {
  it('path inputs: refused without allowPaths; under a root, nothing outside it is read, and outside, missing and not a file read alike', async () => {
    const { client, raw } = setUp({ allowPaths: { root } });
    const jobs = {
      inside: { path: join(root, 'compliant.jpg') },
      passwd: { path: '/etc/passwd' },
      dotdot: { path: join(root, '..', '..', 'etc', 'passwd') },
      symlinkOut: { path: join(root, 'passwd-link.jpg') },
      missingInside: { path: join(root, 'nobody.jpg') },
      missingOutside: { path: '/nonexistent/nobody.jpg' },
      folder: { path: root },
    };
    for (const [id, input] of Object.entries(jobs)) await raw.add('validatePhoto', { call: 'validatePhoto', input }, { jobId: id });
    const outcomes = Object.fromEntries(await Promise.all(Object.keys(jobs).map(async (id) => [id, await client.outcome(id)] as const)));
    expect(outcomes.inside!.status).toBe('completed');
    const refused = Object.entries(outcomes).filter(([id]) => id !== 'inside');
    for (const [id, o] of refused) {
      expect(o, id).toMatchObject({ status: 'failed', code: 'INPUT_NOT_FOUND', attemptsMade: 1 });
      // One message for all: it says nothing of what is on the disk, and names no path.
      expect((o as { message: string }).message, id).toBe("A path input is not a readable file under the worker's root.");
    }

    const closed = setUp({});
    await closed.raw.add('validatePhoto', { call: 'validatePhoto', input: { path: join(root, 'compliant.jpg') } }, { jobId: 'no-paths' });
    expect(await closed.client.outcome('no-paths')).toMatchObject({ status: 'failed', code: 'INVALID_ARGUMENT' });
  });

  it('a finished job keeps no input, expected data or identity in Redis, and expires by age as well as count', async () => {
    const { queue, client } = setUp({});
    const card = readFileSync(fixture('cards/synthetic-portrait-person-a.jpg'));
    const read = await client.enqueue('readIdCard', { input: card });
    const dead = await client.enqueue('validatePhoto', { input: Buffer.from('not an image'), options: { filename: '张三.jpg' } });
    const [ok, failed] = [await client.outcome(read.id), await client.outcome(dead.id)];
    expect(ok.status).toBe('completed');
    expect(failed).toMatchObject({ status: 'failed', code: 'UNSUPPORTED_FORMAT', messages: { en: expect.stringMatching(/not an image/) } });
    const r = new Redis(redis.url);
    try {
      for (const id of [read.id, dead.id]) {
        const stored = await r.hgetall(`bull:${queue}:${id}`);
        const data = JSON.parse(stored.data!) as Record<string, unknown>;
        expect(Object.keys(data).sort(), id).toEqual(['call', 'contentHashes', 'token']);
        const opts = JSON.parse(stored.opts!) as { removeOnComplete: { age: number }; removeOnFail: { age: number } };
        expect([opts.removeOnComplete.age, opts.removeOnFail.age]).toEqual([86_400, 86_400]);
        expect(JSON.stringify(stored)).not.toMatch(/张三|base64/);
      }
      const value = (await r.hget(`bull:${queue}:${read.id}`, 'returnvalue'))!;
      const labels = JSON.parse(readFileSync(fixture('cards/synthetic.json'), 'utf8')) as Array<{ file: string; fields: { name: string; idNumber: string } }>;
      const truth = labels.find((l) => l.file === 'synthetic-portrait-person-a.jpg')!.fields;
      expect(value).not.toContain(truth.name);
      expect(value).not.toContain(truth.idNumber);
      expect(JSON.parse(value)).toMatchObject({ side: 'portrait', fields: { name: { value: '[redacted]' } }, idNumber: { valid: expect.any(Boolean), value: '[redacted]' } });
    } finally {
      r.disconnect();
    }
  });

  it('the producer reads only regular files, within the size limit, and hashes in chunks: a FIFO, /dev/zero and a folder fail at once', async () => {
    const { client } = setUp(false);
    const dir = mkdtempSync(join(tmpdir(), 'idphoto-queue-fifo-'));
    try {
      const fifo = join(dir, 'upload.jpg');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      for (const input of [fifo, '/dev/zero', dir]) {
        const t0 = performance.now();
        await expect(client.enqueue('validatePhoto', { input }), input).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
        expect(performance.now() - t0, input).toBeLessThan(2000);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file replaced after enqueue fails INPUT_CHANGED, not another photo\'s verdict; that failure does not poison the next enqueue', async () => {
    const { queue, client } = setUp(false);
    const dir = mkdtempSync(join(root, 'changing-'));
    try {
      const file = join(dir, 'upload.jpg');
      copyFileSync(fixture('photos/compliant.jpg'), file);
      const first = await client.enqueue('validatePhoto', { input: file });
      copyFileSync(fixture('photos/hat.jpg'), file); // replaced before any worker ran the job
      open.push(createQueueWorker({ connection: redis.url, queue, workersPerProcess: 1, allowPaths: { root } }));
      expect(await client.outcome(first.id)).toMatchObject({ status: 'failed', code: 'INPUT_CHANGED', attemptsMade: 1 });
      // The same content enqueued again is a new run, not the old failure returned.
      copyFileSync(fixture('photos/compliant.jpg'), file);
      const again = await client.enqueue('validatePhoto', { input: file });
      expect(again).toEqual({ id: first.id, duplicate: false });
      expect(await client.outcome(again.id)).toMatchObject({ status: 'completed', result: { passed: true } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('10 concurrent enqueues of the same work: one job, and exactly one of them says duplicate: false', async () => {
    const { client } = setUp(false);
    const input = readFileSync(fixture('photos/compliant.jpg'));
    const all = await Promise.all(Array.from({ length: 10 }, () => client.enqueue('validatePhoto', { input })));
    expect(new Set(all.map((r) => r.id)).size).toBe(1);
    expect(all.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await client.counts()).waiting).toBe(1);
  });

  it("a key's sha256 is checked against the bytes resolveInput gives: a mismatch is INPUT_CHANGED", async () => {
    const bytes = readFileSync(fixture('photos/compliant.jpg'));
    const { client } = setUp({ resolveInput: async () => bytes });
    const wrong = await client.enqueue('validatePhoto', { input: { key: 'uploads/a.jpg', sha256: 'f'.repeat(64) } });
    expect(await client.outcome(wrong.id)).toMatchObject({ status: 'failed', code: 'INPUT_CHANGED' });
    const right = await client.enqueue('validatePhoto', { input: { key: 'uploads/a.jpg', sha256: (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex') } });
    expect(await client.outcome(right.id)).toMatchObject({ status: 'completed' });
  });

  it('enqueue with Redis unreachable rejects with TIMEOUT (retryable) within enqueueTimeoutMs, not never', async () => {
    const client = createQueueClient({ connection: 'redis://127.0.0.1:1', queue: 'nowhere', enqueueTimeoutMs: 500 });
    open.push(client);
    const t0 = performance.now();
    await expect(client.enqueue('validatePhoto', { input: readFileSync(fixture('photos/compliant.jpg')) })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('malformed jobs: metrics keep known calls only, stored reasons are bounded, and every failure has words for the applicant', async () => {
    const { client, worker, raw } = setUp({});
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await raw.add(`call-${i}`, { call: `made-up-${i}` }, { jobId: `bad-${i}` })).id!);
    // Keys that are Object.prototype's members, and a 2 MB option echoed in no message.
    for (const key of ['__proto__', 'constructor', 'toString']) ids.push((await raw.add('validatePhoto', JSON.parse(`{"call":"validatePhoto","input":{"base64":"${readFileSync(fixture('photos/compliant.jpg')).toString('base64')}"},"options":{"${key}":1}}`), { jobId: `proto-${key}` })).id!);
    ids.push((await raw.add('validatePhoto', { call: 'validatePhoto', input: { base64: 'AA==' }, options: { detector: 'x'.repeat(2_000_000) } }, { jobId: 'huge' })).id!);
    const outcomes = await Promise.all(ids.map((id) => client.outcome(id)));
    for (const o of outcomes) {
      expect(o).toMatchObject({ status: 'failed', code: 'INVALID_ARGUMENT', attemptsMade: 1, messages: { zh: expect.any(String), en: expect.any(String) } });
      expect((o as { message: string }).message.length).toBeLessThan(600);
    }
    const calls = Object.keys(worker!.metrics().calls);
    for (const c of calls) expect([...QUEUE_CALLS, 'invalid']).toContain(c);
    expect(worker!.metrics().calls.invalid!.deadLettered).toBe(30);
  });
});
