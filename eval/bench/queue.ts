/**
 * npm run bench:queue — the queue (idphoto-verify/queue) on a real Redis (Debian's redis-server, started
 * here on a free port) against the in-process worker pool, in one run:
 *   - photos/s: 48 validatePhoto jobs (fixtures/photos, inline) through 1, 2 and 4 worker processes of
 *     one thread each (the built CLI's `worker`), and 1 process of 2 threads, against createVerifier;
 *   - the queue's overhead per job: one job at a time, end to end, minus the worker's own time;
 *   - applicants/s: verifyApplicant jobs (person A's card, a 4 s video, a photo; by path) through 2
 *     processes, and the bytes a result takes in Redis — the figures the README's cluster plan rests on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createVerifier } from '../../src/index.js';
import { createQueueClient } from '../../src/queue/index.js';
import { startRedis } from '../../test/queue/redis/server.js';
import { printTable } from '../data.js';

const fixture = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const photos = readdirSync(fixture('photos')).filter((f) => f.endsWith('.jpg') && !f.includes('huge'));
const JOBS = 48;
const inputs = Array.from({ length: JOBS }, (_, i) => ({ name: `${i}-${photos[i % photos.length]}`, bytes: readFileSync(fixture(`photos/${photos[i % photos.length]}`)) }));

const redis = await startRedis();
const procs: ChildProcess[] = [];

/** Worker processes of the built CLI, each with `threads` pool threads; resolves when all are ready. */
async function workers(queue: string, count: number, threads: number): Promise<Array<{ child: ChildProcess; workMs: number[] }>> {
  const started = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [CLI, 'worker', '--redis', redis.url, '--queue', queue, '--workers', String(threads), '--json', '--paths-under', fixture('')], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(child);
    const w = { child, workMs: [] as number[] };
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
        const e = JSON.parse(buffer.slice(0, i)) as { workMs: number };
        w.workMs.push(e.workMs);
        buffer = buffer.slice(i + 1);
      }
    });
    const ready = new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (/worker thread/.test(err)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
    });
    return { w, ready };
  });
  await Promise.all(started.map((s) => s.ready));
  return started.map((s) => s.w);
}

async function stop(ws: Array<{ child: ChildProcess }>): Promise<void> {
  await Promise.all(ws.map((w) => new Promise((r) => (w.child.kill('SIGTERM'), w.child.once('exit', r)))));
}

/** Photos per second through the queue with `count` processes of `threads` threads. */
async function viaQueue(count: number, threads: number): Promise<number> {
  const queue = `bench-${count}x${threads}-${Date.now()}`;
  const ws = await workers(queue, count, threads);
  const client = createQueueClient({ connection: redis.url, queue });
  // Warm: each process loads its models on its first job.
  const warm = await Promise.all(Array.from({ length: count * threads * 2 }, (_, i) => client.enqueue('validatePhoto', { input: inputs[i]!.bytes, options: { filename: `warm-${i}.jpg` } })));
  await Promise.all(warm.map((j) => client.outcome(j.id)));
  const t = performance.now();
  const ids = [];
  for (const input of inputs) ids.push((await client.enqueue('validatePhoto', { input: input.bytes, options: { filename: input.name } })).id);
  await Promise.all(ids.map((id) => client.outcome(id)));
  const rate = JOBS / ((performance.now() - t) / 1000);
  await client.close();
  await stop(ws);
  return rate;
}

async function inProcess(threads: number): Promise<number> {
  const verifier = createVerifier({ workers: threads });
  await Promise.all(inputs.slice(0, threads * 2).map((i) => verifier.validatePhoto(i.bytes, { filename: i.name })));
  const t = performance.now();
  for await (const _ of verifier.map(inputs, (i) => verifier.validatePhoto(i.bytes, { filename: i.name }))) {
    // drained in order
  }
  const rate = JOBS / ((performance.now() - t) / 1000);
  await verifier.close();
  return rate;
}

/** One job at a time through one process: end-to-end latency against the worker's own time. */
async function overhead(): Promise<{ endToEnd: number; work: number }> {
  const queue = `bench-latency-${Date.now()}`;
  const [w] = await workers(queue, 1, 1);
  const client = createQueueClient({ connection: redis.url, queue });
  const ends: number[] = [];
  for (let i = 0; i < 22; i++) {
    const t = performance.now();
    const { id } = await client.enqueue('validatePhoto', { input: inputs[0]!.bytes, options: { filename: `latency-${i}.jpg` } });
    await client.outcome(id);
    if (i >= 2) ends.push(performance.now() - t);
  }
  await client.close();
  await stop([w!]);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return { endToEnd: median(ends), work: median(w!.workMs.slice(2)) };
}

/** verifyApplicant jobs through `count` processes of one thread: applicants/s, and a result's bytes in Redis. */
async function applicants(count: number): Promise<{ rate: number; resultBytes: number; perJobBytes: number; stored: { data: number; result: number } }> {
  const queue = `bench-applicants-${Date.now()}`;
  const ws = await workers(queue, count, 1);
  const client = createQueueClient({ connection: redis.url, queue });
  // As a registration service sends it: the card and the video by path, the ID photo (20–40 KB) inline, the expected name and number.
  const photo = readFileSync(fixture('photos/compliant.jpg'));
  const submission = (i: number) => ({ idCard: fixture('cards/synthetic-portrait-person-a.jpg'), video: fixture('videos/photo-voice.mp4'), photo, attempt: 1, expected: { name: `warm-${i}`, idNumber: '110101199003077777' } });
  await Promise.all(Array.from({ length: count }, (_, i) => client.enqueue('verifyApplicant', submission(i)).then((j) => client.outcome(j.id))));
  const N = 8;
  const r = new Redis(redis.url);
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await r.info('memory'))![1]);
  const memoryBefore = await usedMemory();
  const t = performance.now();
  const ids = [];
  for (let i = 0; i < N; i++) ids.push((await client.enqueue('verifyApplicant', { ...submission(i), expected: { name: `applicant-${i}` } })).id);
  await Promise.all(ids.map((id) => client.outcome(id)));
  const rate = N / ((performance.now() - t) / 1000);
  // Everything N finished jobs add to Redis (their hashes, the events stream, the sets), a job.
  const perJobBytes = Math.round((await usedMemory()) - memoryBefore) / N;
  // What one finished job holds in Redis (its hash: data, result, timestamps).
  const resultBytes = Number(await r.call('MEMORY', 'USAGE', `bull:${queue}:${ids[0]}`, 'SAMPLES', '0'));
  const stored = { data: Number(await r.hstrlen(`bull:${queue}:${ids[0]}`, 'data')), result: Number(await r.hstrlen(`bull:${queue}:${ids[0]}`, 'returnvalue')) };
  await r.quit();
  await client.close();
  await stop(ws);
  return { rate, resultBytes, perJobBytes, stored };
}

try {
  const pool2 = await inProcess(2);
  const pool1 = await inProcess(1);
  const q1 = await viaQueue(1, 1);
  const q2 = await viaQueue(2, 1);
  const q4 = await viaQueue(4, 1);
  const q1x2 = await viaQueue(1, 2);
  const lat = await overhead();
  const app = await applicants(2);
  console.log(`# Queue benchmark: validatePhoto × ${JOBS} (fixtures/photos, inline), Redis ${redis.url.split(':')[0]} on this machine, 2 cores, ${new Date().toISOString().slice(0, 10)}\n`);
  printTable(
    ['how', 'photos/s', 'against the in-process pool of 2 threads'],
    [
      ['in-process pool, 1 thread (createVerifier)', pool1.toFixed(2), (pool1 / pool2).toFixed(2)],
      ['in-process pool, 2 threads', pool2.toFixed(2), '1.00'],
      ['queue, 1 process × 1 thread', q1.toFixed(2), (q1 / pool2).toFixed(2)],
      ['queue, 2 processes × 1 thread', q2.toFixed(2), (q2 / pool2).toFixed(2)],
      ['queue, 4 processes × 1 thread (2 cores)', q4.toFixed(2), (q4 / pool2).toFixed(2)],
      ['queue, 1 process × 2 threads', q1x2.toFixed(2), (q1x2 / pool2).toFixed(2)],
    ],
  );
  console.log(`\nOne job at a time (median of 20): ${lat.endToEnd.toFixed(0)} ms end to end against ${lat.work.toFixed(0)} ms of work in the worker: the queue adds ${(lat.endToEnd - lat.work).toFixed(0)} ms a job.`);
  console.log(`verifyApplicant (card read, 4 s video, photo) through 2 processes × 1 thread: ${app.rate.toFixed(2)} applicants/s (${(app.rate / 2).toFixed(2)} a core); a finished job's hash takes ${app.resultBytes} bytes in Redis (MEMORY USAGE; its data ${app.stored.data} bytes once its inputs are gone, its result ${app.stored.result}); all that ${8} finished jobs add to Redis (hashes, events stream, sets) is ${Math.round(app.perJobBytes / 1024)} KB a job (used_memory).`);
} finally {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await redis.stop();
}
