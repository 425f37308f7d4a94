/**
 * npm run bench:throughput — photos per second of validatePhoto through createVerifier with 1 worker
 * and with one per core, in the same run, the scaling ratio, and the memory each worker costs.
 *
 * Each configuration runs in its own fresh process (so that one's freed memory does not hide the
 * next one's), on the same inputs: every photo of fixtures/photos/, repeated to --photos (40), as
 * paths, through map() as they finish. Every worker loads its models and is warmed up (one call each)
 * before the clock starts. The machine is shared: compare the ratio, not the photos per second.
 *
 * Options: --photos N (default 40), --workers N (the many-worker configuration; default os.availableParallelism())
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { printTable } from '../data.js';
import { createVerifier } from '../../src/index.js';
import { kSlots } from '../../src/pool/pool.js';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
const photos = option('--photos') ?? 40;
const many = option('--workers') ?? availableParallelism();

interface Measured {
  workers: number;
  photos: number;
  loadMs: number;
  seconds: number;
  photosPerSecond: number;
  passed: number;
  /** CPU time of the whole process over the timed run / its wall time: cores kept busy. */
  coresUsed: number;
  /** Mean event-loop utilisation of the workers over the timed run (1: never idle). */
  workerElu: number;
  rssBaseMb: number;
  rssMb: number;
}

async function measure(workers: number): Promise<Measured> {
  const dir = fileURLToPath(new URL('../../fixtures/photos/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort();
  const inputs = Array.from({ length: photos }, (_, i) => dir + files[i % files.length]);
  const rssBase = process.memoryUsage().rss;

  const t0 = performance.now();
  // Models load on first use, so each worker holds only those validatePhoto runs (preload: true loads all ten).
  const verifier = createVerifier({ workers });
  // One call per worker loads its models and compiles the WASM kernels before the clock starts.
  for await (const r of verifier.map(files.slice(0, workers).map((f) => dir + f), (f) => verifier.validatePhoto(f))) {
    if (r.status === 'rejected') throw r.reason;
  }
  const loadMs = performance.now() - t0;
  const threads = (verifier as unknown as { [kSlots]: Array<{ worker: Worker }> })[kSlots].map((s) => s.worker);
  const elu = threads.map((w) => w.performance.eventLoopUtilization());
  const cpu = process.cpuUsage();
  const start = performance.now();
  let passed = 0;
  for await (const r of verifier.map(inputs, (f) => verifier.validatePhoto(f), { ordered: false })) {
    if (r.status === 'rejected') throw r.reason;
    if (r.value.passed) passed++;
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const workerElu = threads.reduce((s, w, i) => s + w.performance.eventLoopUtilization(elu[i]).utilization, 0) / threads.length;
  const rss = process.memoryUsage().rss;
  await verifier.close();
  return {
    workers,
    photos,
    loadMs,
    seconds,
    photosPerSecond: photos / seconds,
    passed,
    coresUsed: (used.user + used.system) / 1e6 / seconds,
    workerElu,
    rssBaseMb: rssBase / 2 ** 20,
    rssMb: rss / 2 ** 20,
  };
}

if (args.includes('--child')) {
  console.log(JSON.stringify(await measure(option('--child')!)));
  process.exit(0);
}

function inChild(workers: number): Measured {
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(workers), '--photos', String(photos)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bench child (${workers} workers) failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Measured;
}

const load = loadavg()[0];
const one = inChild(1);
const n = inChild(many);
if (one.passed !== n.passed) throw new Error(`1 worker passed ${one.passed} photos, ${many} workers ${n.passed}: the results differ`);
const ratio = n.photosPerSecond / one.photosPerSecond;

console.log(
  `# createVerifier throughput: validatePhoto over fixtures/photos/ repeated to ${photos} photos, 1 worker against ${many}, ` +
    `${availableParallelism()} cores (load average ${load.toFixed(1)} at the start)\n`,
);
const mb = (x: number) => x.toFixed(0);
printTable(
  ['workers', 'photos/s', 'seconds', 'cores kept busy', 'photos per CPU-second', 'worker event-loop use', 'start + first call ms', 'RSS before MB', 'RSS after MB', 'RSS per worker MB'],
  [one, n].map((m) => [
    m.workers,
    m.photosPerSecond.toFixed(2),
    m.seconds.toFixed(1),
    m.coresUsed.toFixed(2),
    (m.photosPerSecond / m.coresUsed).toFixed(2),
    m.workerElu.toFixed(2),
    m.loadMs.toFixed(0),
    mb(m.rssBaseMb),
    mb(m.rssMb),
    mb((m.rssMb - m.rssBaseMb) / m.workers),
  ]),
);
const perCpu = n.photosPerSecond / n.coresUsed / (one.photosPerSecond / one.coresUsed);
console.log(`\nScaling: ${many} workers give ${ratio.toFixed(2)}× the photos per second of 1 (ideal ${many}.00), with ${(n.coresUsed / one.coresUsed).toFixed(2)}× the cores kept busy;`);
console.log(`per CPU-second, ${many} workers do ${perCpu.toFixed(2)}× the work of 1 (1.00: the pool costs nothing; on a shared machine this is the ratio to trust).`);
