/**
 * idphoto-verify/queue against a real Redis (Debian's redis-server, test/queue/redis/server.ts) and real
 * worker processes (test/queue/redis/worker-process.ts, and the built CLI's `worker`): jobs spread over
 * processes, a process killed mid-job, Redis restarted mid-run, malformed jobs, SIGTERM.
 *   npm run test:queue
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validatePhoto } from '../../../src/index.js';
import { createQueueClient, type QueueClient } from '../../../src/queue/index.js';
import { type RedisServer, startRedis } from './server.js';

/** A connection of the test's own, its errors (the Redis restart) expected. */
const connection = () => new Redis(redis.url, { maxRetriesPerRequest: null }).on('error', () => {});
const fixture = (p: string) => fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url));
const WORKER = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const PHOTOS = ['compliant.jpg', 'hat.jpg', 'dpi-72.jpg', 'size-60kb.jpg', 'white-background.jpg', 'two-faces.jpg'];

interface Proc {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first line that matches. */
  waitFor(test: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | string | null>;
  stderr: () => string;
}

const procs: Proc[] = [];
function track(child: ChildProcess): Proc {
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let err = '';
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ text: line });
      }
      for (const w of waiters.splice(0)) w();
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // The exit code, or the signal's name when one ended the process (a native crash at teardown is SIGSEGV or SIGABRT).
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  const proc: Proc = {
    child,
    lines,
    exited,
    stderr: () => err,
    waitFor(test, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; lines: ${JSON.stringify(lines).slice(-2000)}; stderr: ${err.slice(-2000)}`)), timeoutMs);
        const look = () => {
          const found = lines.find(test);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(look);
        };
        look();
      });
    },
  };
  procs.push(proc);
  return proc;
}

/** A worker process (tsx on the sources, short locks), ready. */
async function startWorker(queue: string, shutdownMs?: number): Promise<Proc> {
  const args = ['--import', 'tsx', WORKER, redis.url, queue, shutdownMs ? String(shutdownMs) : '-'];
  const p = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  await p.waitFor((l) => l.event === 'ready');
  return p;
}

// This run's ffmpeg processes only, told by a variable every process it starts inherits (and keeps when
// orphaned): an evaluation running beside the tests on the same machine has its own ffmpegs.
const TAG = `IDPHOTO_QUEUE_TEST=${process.pid}`;
process.env.IDPHOTO_QUEUE_TEST = String(process.pid);
const ffmpegs = () =>
  spawnSync('sh', ['-c', 'pgrep -x ffmpeg || true'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((pid) => pid && environOf(pid).includes(TAG))
    .join(' ');
function environOf(pid: string): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  } catch {
    return []; // ended meanwhile
  }
}
const tempDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('idphoto-'));

let redis: RedisServer;
let client: QueueClient;
let n = 0;
const queueName = () => `test-${process.pid}-${++n}`;

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await client?.close();
});
afterAll(async () => {
  await redis?.stop();
});

describe('idphoto-verify/queue on a real Redis', () => {
  it('jobs spread over two worker processes give the library results; the same work enqueued again is the same job', async () => {
    const queue = queueName();
    client = createQueueClient({ connection: redis.url, queue });
    const [a, b] = await Promise.all([startWorker(queue), startWorker(queue)]);
    const ids: string[] = [];
    for (const f of PHOTOS) ids.push((await client.enqueue('validatePhoto', { input: readFileSync(fixture(`photos/${f}`)), options: { filename: f } })).id);
    const outcomes = await Promise.all(ids.map((id) => client.outcome(id)));
    for (const [i, f] of PHOTOS.entries()) {
      const own = await validatePhoto(fixture(`photos/${f}`));
      const o = outcomes[i]!;
      expect(o.status, f).toBe('completed');
      const r = (o as { result: typeof own }).result;
      expect({ passed: r.passed, checks: r.checks.map((c) => `${c.id}:${c.status}`) }, f).toEqual({ passed: own.passed, checks: own.checks.map((c) => `${c.id}:${c.status}`) });
    }
    // Both processes took jobs.
    for (const p of [a, b]) expect(p.lines.filter((l) => l.event === 'job' && l.status === 'completed').length).toBeGreaterThan(0);
    // Idempotent: the same photo and options again is the same id, no new job, the same answer.
    const again = await client.enqueue('validatePhoto', { input: readFileSync(fixture(`photos/${PHOTOS[0]}`)), options: { filename: PHOTOS[0] } });
    expect(again).toEqual({ id: ids[0], duplicate: true });
    expect(await client.outcome(again.id)).toEqual(outcomes[0]);
    expect((await client.counts()).completed).toBe(PHOTOS.length);
  });

  it('a worker process killed (SIGKILL) mid-job: the job is taken over by another, and its result appears once', async () => {
    const queue = queueName();
    client = createQueueClient({ connection: redis.url, queue });
    const events = new QueueEvents(queue, { connection: connection() }).on('error', () => {});
    const completed: string[] = [];
    events.on('completed', ({ jobId }) => completed.push(jobId));
    await events.waitUntilReady();
    const doomed = await startWorker(queue);
    const { id } = await client.enqueue('verifyApplicant', { idCard: fixture('cards/synthetic-portrait-person-a.jpg'), video: fixture('videos/photo-voice.mp4'), photo: fixture('photos/compliant.jpg') });
    // Wait until the doomed process holds the job, then kill it without warning.
    const q = new Queue(queue, { connection: connection() });
    for (let i = 0; i < 400 && (await (await q.getJob(id))!.getState()) !== 'active'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await (await q.getJob(id))!.getState()).toBe('active');
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const rescuer = await startWorker(queue);
    const outcome = await client.outcome(id);
    expect(outcome.status).toBe('completed');
    expect((outcome as { result: { steps: { card: { side: string } } } }).result.steps.card.side).toBe('portrait');
    await rescuer.waitFor((l) => l.event === 'job' && l.id === id && l.status === 'completed');
    await new Promise((r) => setTimeout(r, 500));
    expect(completed.filter((j) => j === id)).toHaveLength(1);
    expect(doomed.lines.some((l) => l.event === 'job' && l.id === id)).toBe(false);
    await q.close();
    await events.close();
  });

  it('Redis restarted mid-run: workers and the producer reconnect, and no job is lost', async () => {
    const queue = queueName();
    client = createQueueClient({ connection: redis.url, queue });
    await startWorker(queue);
    const ids: string[] = [];
    for (const f of PHOTOS) ids.push((await client.enqueue('validatePhoto', { input: readFileSync(fixture(`photos/${f}`)), options: { filename: `restart-${f}` } })).id);
    await redis.restart(1500);
    const outcomes = await Promise.all(ids.map((id) => client.outcome(id)));
    expect(outcomes.map((o) => o.status)).toEqual(PHOTOS.map(() => 'completed'));
    // Enqueued after the restart too.
    const late = await client.enqueue('validatePhoto', { input: fixture('photos/compliant.jpg'), options: { filename: 'after-restart' } });
    expect((await client.outcome(late.id)).status).toBe('completed');
  });

  it('malformed jobs and unreadable inputs are dead-lettered at once with their code, not retried', async () => {
    const queue = queueName();
    client = createQueueClient({ connection: redis.url, queue });
    await startWorker(queue);
    const empty = await client.enqueue('validatePhoto', { input: Buffer.alloc(0) });
    const corrupt = await client.enqueue('readIdCard', { input: readFileSync(fixture('cards/synthetic-portrait-0.jpg')).subarray(0, 3000) });
    // Jobs a producer made by hand, without the client: an unknown call, an input that is no reference.
    const raw = new Queue(queue, { connection: connection() });
    await raw.add('explode', { call: 'explode' }, { jobId: 'raw-1', attempts: 3 });
    await raw.add('validatePhoto', { call: 'validatePhoto', input: { url: 'http://example.com/p.jpg' } }, { jobId: 'raw-2', attempts: 3 });
    const outcomes = await Promise.all([empty.id, corrupt.id, 'raw-1', 'raw-2'].map((id) => client.outcome(id)));
    expect(outcomes.map((o) => [o.status, (o as { code?: string }).code, o.attemptsMade])).toEqual([
      ['failed', 'INPUT_EMPTY', 1],
      ['failed', 'CORRUPT_IMAGE', 1],
      ['failed', 'INVALID_ARGUMENT', 1],
      ['failed', 'INVALID_ARGUMENT', 1],
    ]);
    const dead = await client.deadLetters();
    expect(dead.map((d) => d.code).sort()).toEqual(['CORRUPT_IMAGE', 'INPUT_EMPTY', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    await raw.close();
  });

  it('SIGTERM past the deadline hands the running job back (no attempt spent); another worker finishes it; nothing is left running', async () => {
    const queue = queueName();
    client = createQueueClient({ connection: redis.url, queue });
    const leaving = await startWorker(queue, 300);
    const { id } = await client.enqueue('verifyApplicant', { idCard: fixture('cards/synthetic-portrait-person-a.jpg'), video: fixture('videos/photo-voice.mp4'), photo: fixture('photos/compliant.jpg'), options: { readCard: false } });
    const q = new Queue(queue, { connection: connection() });
    for (let i = 0; i < 400 && (await (await q.getJob(id))!.getState()) !== 'active'; i++) await new Promise((r) => setTimeout(r, 50));
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited, leaving.stderr()).toBe(0);
    const handed = await leaving.waitFor((l) => l.event === 'job' && l.id === id);
    expect(handed.status).toBe('handed-back');
    const job = (await q.getJob(id))!;
    expect(['waiting', 'active']).toContain(await job.getState());
    expect(job.attemptsMade).toBe(0);
    expect(ffmpegs()).toBe('');
    await startWorker(queue);
    expect((await client.outcome(id)).status).toBe('completed');
    await q.close();
  });

  it('the CLI: enqueue check --wait on photos, worker stopped by SIGTERM exits 0 with nothing running', async () => {
    const queue = queueName();
    const before = tempDirs();
    const worker = track(spawn(process.execPath, [CLI, 'worker', '--redis', redis.url, '--queue', queue, '--workers', '1', '--json', '--paths-under', fixture('photos')], { stdio: ['ignore', 'pipe', 'pipe'] }));
    // --by-path: the worker reads them under its --paths-under folder.
    const enqueue = spawnSync(process.execPath, [CLI, 'enqueue', 'check', fixture('photos/compliant.jpg'), fixture('photos/hat.jpg'), '--redis', redis.url, '--queue', queue, '--wait', '--json', '--by-path'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const rows = enqueue.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; passed: boolean });
    expect(enqueue.status).toBe(1);
    expect(rows.map((r) => [r.file.split('/').at(-1), r.passed])).toEqual([['compliant.jpg', true], ['hat.jpg', false]]);
    expect(enqueue.stderr).toMatch(/2 photos checked: 1 pass, 1 fail/);
    await worker.waitFor((l) => l.status === 'completed');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toMatch(/stopped\. validatePhoto 2 done/);
    expect(ffmpegs()).toBe('');
    expect(tempDirs().filter((d) => !before.includes(d))).toEqual([]);
  });
});
