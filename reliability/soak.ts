/**
 * Soak: many calls of each public function in one process, in a row, watching what a long-lived
 * server would run out of: JS heap, TensorFlow tensors, ffmpeg processes, temp folders, descriptors.
 * Prints one table per function with a verdict per measure, and exits 1 when a bound is broken.
 *
 *   node --expose-gc --import tsx reliability/soak.ts [--scale small|full]
 *
 * small (default, for CI) takes about 2 minutes on 2 cores; full about 15 (both estimated from per-call times).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import { LEDGER } from '../src/cli/outputs.js';
import { createQueueClient, createQueueWorker } from '../src/queue/index.js';
import {
  analyzeReadingVideo,
  compareFaces,
  compressToSpec,
  extractFramesFromReadingVideo,
  isVerifyError,
  loadModels,
  validatePhoto,
  verifyApplicant,
} from '../src/index.js';
import { type Sample, childProcesses, fdTargets, ignoredChildren, option, printTable, privateTmpdir, quantile, sample, settle, tempEntries } from './sample.js';

// ---- bounds ---------------------------------------------------------------------------------------
// Over a function's whole run after warm-up, not per call: V8 keeps a little (compiled code, inline
// caches, interned strings) as it meets new inputs, but a leak of 10 KB a call is 10 MB over 1000.
const HEAP_GROWTH_MB = 8;
// Every inference runs in tf.tidy or disposes explicitly (STYLE.md): once the models are in, the
// count after a call is the count before it.
const TENSOR_GROWTH = 0;
// Every ffmpeg run is awaited to its 'close' before a call settles: none may outlive the calls.
const CHILDREN_AT_END = 0;
// Each temp folder is removed in a finally: as many idphoto- entries after the run as before it.
const TEMP_GROWTH = 0;
// libuv, worker threads and the WASM runtime open a few descriptors lazily; a descriptor kept per
// call would exceed this within 50 calls.
const FD_GROWTH = 6;
// RSS is reported, not bounded: the WASM heap grows to its peak and never shrinks, and glibc and
// libvips keep freed native memory in their own pools; the heap and tensor bounds are the leak signal.

const SAMPLE_EVERY = 50;
const CHILD_POLL_MS = 250;

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const bytes = (p: string) => readFileSync(fixture(p));

type Scale = 'tiny' | 'small' | 'full';
type FnName = 'validatePhoto' | 'compressToSpec' | 'compareFaces' | 'extractFramesFromReadingVideo' | 'analyzeReadingVideo' | 'verifyApplicant' | 'cli fix' | 'queue job';
const CALLS: Record<Scale, Record<FnName, number>> = {
  // Not in the usage line: it checks the harness itself, not the library.
  tiny: { validatePhoto: 3, compressToSpec: 3, compareFaces: 3, extractFramesFromReadingVideo: 3, analyzeReadingVideo: 3, verifyApplicant: 2, 'cli fix': 2, 'queue job': 3 },
  small: { validatePhoto: 60, compressToSpec: 10, compareFaces: 10, extractFramesFromReadingVideo: 6, analyzeReadingVideo: 3, verifyApplicant: 2, 'cli fix': 3, 'queue job': 40 },
  full: { validatePhoto: 1000, compressToSpec: 100, compareFaces: 100, extractFramesFromReadingVideo: 30, analyzeReadingVideo: 10, verifyApplicant: 5, 'cli fix': 20, 'queue job': 500 },
};
// The first calls of each function compile WASM kernels, JIT the JS and fill sharp's caches: the
// baseline is taken after them. A fifth of the calls, at least 1, at most 10; not counted in `calls`.
const warmupCalls = (calls: number, scale: Scale) => (scale === 'tiny' ? 1 : Math.min(10, Math.max(1, Math.ceil(calls / 5))));

const args = process.argv.slice(2);
const scale = (option(args, '--scale') ?? 'small') as Scale;
if (!(scale in CALLS)) {
  console.error(`--scale must be small or full, not ${scale}`);
  process.exit(2);
}
if (!globalThis.gc) {
  console.error('Run with node --expose-gc --import tsx reliability/soak.ts: the heap is measured after a full GC.');
  process.exit(2);
}

const photoDir = fixture('photos');
const photos = readdirSync(photoDir).filter((f) => f.endsWith('.jpg')).sort();
const photoBytes = photos.map((f) => bytes(`photos/${f}`));
// A compliant photo first, then ones that end in coded errors (NO_FACE, MULTIPLE_FACES, FACE_TOO_SMALL) and other sources.
const compressInputs = ['photos/compliant.jpg', 'photos/no-face.jpg', 'photos/two-faces.jpg', 'sources/group-crop.jpg', 'sources/tiny.jpg', 'sources/person-alpha.png'].map(bytes);
const card = bytes('faces/card-person-a.jpg');
const frames = [1, 2, 3].map((n) => bytes(`faces/person-a-frame-${n}.jpg`));
const upright = fixture('videos/upright.mp4');
const uprightBytes = readFileSync(upright);
// The combination test/verify/verify-applicant.test.ts and eval/bench/verify-applicant.ts use: person A's
// card, a video of person A's photo over a voice (upright.mp4 shows someone else), a compliant photo.
const submission = { idCard: card, video: fixture('videos/photo-voice.mp4'), photo: fixture('photos/compliant.jpg') };

// ---- the boundary: the CLI writing into one folder again and again, the queue on a real Redis ----------
const fixInputs = mkdtempSync(join(tmpdir(), 'soak-fix-in-'));
for (const f of ['compliant.jpg', 'hat.jpg', 'no-face.jpg']) copyFileSync(fixture(`photos/${f}`), join(fixInputs, f));
const fixOut = join(fixInputs, '..', `${basename(fixInputs)}-out`);
/** `fix` into the same folder each time: it replaces its own files (its ledger), never adds one per run. */
async function cliFix(): Promise<void> {
  const [log, error] = [console.log, console.error];
  console.log = console.error = () => undefined;
  try {
    const status = await main(['fix', fixInputs, '--out', fixOut, '--workers', '1', '--locale', 'en']);
    if (status !== 1) throw new Error(`fix exited ${status}, not 1 (one photo passes, one still fails, one is refused)`);
  } finally {
    [console.log, console.error] = [log, error];
  }
}

interface QueueRig {
  worker: { close(): Promise<void>; ready(): Promise<void> };
  client: ReturnType<typeof createQueueClient>;
  redis: { url: string; stop(): Promise<void> };
  usedMemory(): Promise<number>;
  close(): Promise<void>;
}
let rig: QueueRig | undefined | null;
/** A worker and a producer in this process on Debian's redis-server (null when it is not installed: the run says so). */
async function queueRig(): Promise<QueueRig | null> {
  if (rig !== undefined) return rig;
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) return (rig = null);
  const { startRedis } = await import('../test/queue/redis/server.js');
  const { Redis } = await import('ioredis');
  const redis = await startRedis();
  const worker = createQueueWorker({ connection: redis.url, queue: 'soak', workersPerProcess: 1 });
  const client = createQueueClient({ connection: redis.url, queue: 'soak' });
  await worker.ready();
  const r = new Redis(redis.url);
  rig = {
    worker,
    client,
    redis,
    usedMemory: async () => Number(/used_memory:(\d+)/.exec(await r.info('memory'))![1]),
    close: async () => {
      r.disconnect();
      await worker.close();
      await client.close();
      await redis.stop();
    },
  };
  return rig;
}
/** One validatePhoto job with the photo inline (a new id each time: its options name the call), to its outcome. */
async function queueJob(i: number): Promise<void> {
  const q = await queueRig();
  if (!q) return;
  const { id } = await q.client.enqueue('validatePhoto', { input: photoBytes[i % photos.length]!, options: { filename: `soak-${i}.jpg` } });
  const outcome = await q.client.outcome(id);
  if (outcome.status !== 'completed' && !['UNSUPPORTED_FORMAT', 'CORRUPT_IMAGE'].includes(outcome.code)) throw new Error(`job ${id}: ${outcome.code} ${outcome.message}`);
}

const functions: Array<{ name: FnName; call: (i: number, calls: number) => Promise<unknown> }> = [
  // Paths and bytes in turn: paths open files, bytes do not.
  { name: 'validatePhoto', call: (i) => validatePhoto(i % 2 ? photoBytes[i % photos.length] : `${photoDir}/${photos[i % photos.length]}`) },
  { name: 'compressToSpec', call: (i) => compressToSpec(compressInputs[i % compressInputs.length]) },
  { name: 'compareFaces', call: () => compareFaces(card, frames) },
  // Once as bytes, which the library writes to a temp file of its own.
  { name: 'extractFramesFromReadingVideo', call: (i, calls) => extractFramesFromReadingVideo(i === calls >> 1 ? uprightBytes : upright) },
  { name: 'analyzeReadingVideo', call: () => analyzeReadingVideo(upright) },
  { name: 'verifyApplicant', call: () => verifyApplicant(submission) },
  { name: 'cli fix', call: () => cliFix() },
  { name: 'queue job', call: (i) => queueJob(i) },
];

interface Run {
  name: FnName;
  calls: number;
  warmup: number;
  ms: number[];
  outcomes: Map<string, number>;
  uncoded: string[];
  tempBefore: number;
  samples: Sample[];
  childrenMax: number;
  leftoverChildren: string[];
  leftoverTemp: string[];
  leftoverFds: string[];
  fdsBefore: string[];
}

async function soak(name: FnName, call: (i: number, calls: number) => Promise<unknown>, calls: number): Promise<Run> {
  const warmup = warmupCalls(calls, scale);
  const run: Run = { name, calls, warmup, ms: [], outcomes: new Map(), uncoded: [], tempBefore: tempEntries().length, samples: [], childrenMax: 0, leftoverChildren: [], leftoverTemp: [], leftoverFds: [], fdsBefore: [] };
  const attempt = async (i: number, measured: boolean) => {
    const started = performance.now();
    let outcome = 'result';
    try {
      await call(i, calls);
    } catch (error) {
      // A coded error is an answer (compressToSpec's NO_FACE); anything else is a defect.
      if (isVerifyError(error) && typeof error.code === 'string') outcome = error.code;
      else {
        outcome = 'uncoded';
        run.uncoded.push(`call ${i}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      }
    }
    if (!measured) return;
    run.ms.push(performance.now() - started);
    run.outcomes.set(outcome, (run.outcomes.get(outcome) ?? 0) + 1);
  };

  for (let i = 0; i < warmup; i++) await attempt(i, false);
  run.fdsBefore = fdTargets();
  run.samples.push(sample());
  // Between calls nothing runs; the poll sees the ffmpeg processes in flight during a call.
  const poll = setInterval(() => {
    run.childrenMax = Math.max(run.childrenMax, childProcesses().length);
  }, CHILD_POLL_MS);
  try {
    for (let i = 0; i < calls; i++) {
      await attempt(warmup + i, true);
      if ((i + 1) % SAMPLE_EVERY === 0 && i + 1 < calls) run.samples.push(sample());
    }
  } finally {
    clearInterval(poll);
  }
  const end = sample();
  run.samples.push(end);
  run.childrenMax = Math.max(run.childrenMax, ...run.samples.map((s) => s.children));
  if (end.children !== CHILDREN_AT_END) run.leftoverChildren = childProcesses().map((c) => `${c.pid} ${c.comm} (${c.state})`);
  if (end.temp > run.tempBefore + TEMP_GROWTH) run.leftoverTemp = tempEntries();
  if (end.fds > run.samples[0].fds + FD_GROWTH) {
    const before = [...run.fdsBefore];
    run.leftoverFds = fdTargets().filter((t) => {
      const k = before.indexOf(t);
      if (k < 0) return true;
      before.splice(k, 1);
      return false;
    });
  }
  return run;
}

const mb = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(1));
const signed = (v: number, digits = 1) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;

/** Prints the function's table; returns the measures that broke their bound. */
function report(run: Run): string[] {
  const first = run.samples[0];
  const last = run.samples[run.samples.length - 1];
  const heapDelta = last.heapMb! - first.heapMb!;
  const verdict = (ok: boolean) => (ok ? 'ok' : 'FAIL');
  const rows: Array<[string, string | number, string | number, string, string, string]> = [
    ['RSS, MB', mb(first.rssMb), mb(last.rssMb), signed(last.rssMb - first.rssMb), 'reported only', '–'],
    ['heap after GC, MB', mb(first.heapMb), mb(last.heapMb), signed(heapDelta), `Δ ≤ ${HEAP_GROWTH_MB}`, verdict(heapDelta <= HEAP_GROWTH_MB)],
    ['tensors', first.tensors, last.tensors, signed(last.tensors - first.tensors, 0), `Δ ≤ ${TENSOR_GROWTH}`, verdict(last.tensors - first.tensors <= TENSOR_GROWTH)],
    ['child processes', first.children, last.children, `max ${run.childrenMax}`, `end = ${CHILDREN_AT_END}`, verdict(last.children === CHILDREN_AT_END)],
    ['idphoto- temp entries', `${run.tempBefore} before`, last.temp, signed(last.temp - run.tempBefore, 0), `Δ ≤ ${TEMP_GROWTH}`, verdict(last.temp - run.tempBefore <= TEMP_GROWTH)],
    ['open descriptors', first.fds, last.fds, signed(last.fds - first.fds, 0), `Δ ≤ ${FD_GROWTH}`, verdict(last.fds - first.fds <= FD_GROWTH)],
    ['uncoded errors', '', run.uncoded.length, '', '= 0', verdict(run.uncoded.length === 0)],
  ];
  const outcomes = [...run.outcomes].map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`### ${run.name}\n`);
  console.log(`${run.calls} calls after ${run.warmup} warm-up, ${Math.round(quantile(run.ms, 0.5))} ms a call (median), outcomes: ${outcomes}.`);
  console.log(`Heap after GC at each sample (every ${SAMPLE_EVERY} calls), MB: ${run.samples.map((s) => mb(s.heapMb)).join(' → ')}\n`);
  printTable(['measure', 'start', 'end', 'change', 'bound', 'verdict'], rows);
  for (const line of run.uncoded.slice(0, 5)) console.log(`- uncoded: ${line}`);
  for (const c of run.leftoverChildren) console.log(`- child left: ${c}`);
  for (const t of run.leftoverTemp) console.log(`- temp entry left: ${t}`);
  for (const f of run.leftoverFds) console.log(`- descriptor opened during the run and still open: ${f}`);
  if (run.uncoded.length + run.leftoverChildren.length + run.leftoverTemp.length + run.leftoverFds.length > 0) console.log();
  return rows.filter((r) => r[5] === 'FAIL').map((r) => r[0]);
}

const tmp = privateTmpdir('soak');
console.log(`# Soak, scale ${scale}\n`);
const ignored = ignoredChildren().map((c) => `${c.pid} ${c.comm}`).join(', ') || 'none';
console.log(`Node ${process.version}, pid ${process.pid}, private TMPDIR ${tmp.dir}; children not counted (tsx's esbuild, or running before the run): ${ignored}.\n`);
printTable(
  ['bound', 'value', 'why'],
  [
    ['heap after GC growth over a run', `${HEAP_GROWTH_MB} MB`, 'V8 keeps a little per new input; a 10 KB/call leak is 10 MB over 1000 calls'],
    ['tensor growth over a run', TENSOR_GROWTH, 'every inference is tidied or disposed'],
    ['child processes at the end', CHILDREN_AT_END, 'every ffmpeg run is awaited to its exit'],
    ['idphoto- temp entries, growth', TEMP_GROWTH, 'temp folders are removed in finally'],
    ['open descriptors, growth', FD_GROWTH, 'a few open lazily; one per call would pass it within 50 calls'],
    ['RSS', 'none', 'WASM memory and native pools do not shrink: reported only'],
  ],
);

// Every model up front: one loaded lazily in the middle of a run would look like a tensor leak.
const loaded = await loadModels();
console.log(`Models: ${loaded.models.length} on ${loaded.backend}.\n`);

const failures: string[] = [];
const summary: Array<Array<string | number>> = [];
let queueMemoryAtStart: number | undefined;
for (const { name, call } of functions) {
  const calls = CALLS[scale][name];
  if (name === 'queue job') queueMemoryAtStart = await (await queueRig())?.usedMemory();
  const run = await soak(name, call, calls);
  const broken = report(run);
  failures.push(...broken.map((b) => `${name}: ${b}`));
  summary.push([name, calls, Math.round(quantile(run.ms, 0.5)), broken.length ? `FAIL (${broken.join(', ')})` : 'ok']);
}

// What the boundary left: fix's folder holds this run's outputs and a ledger of them, nothing per run; Redis holds
// the finished jobs without their inputs.
const fixFiles = readdirSync(fixOut, { recursive: true }).map(String).sort();
const ledgerLines = readFileSync(join(fixOut, LEDGER), 'utf8').trim().split('\n').length;
console.log(`### What the boundary left\n`);
const boundaryRows: Array<Array<string | number>> = [[`fix's --out after ${CALLS[scale]['cli fix']} runs`, `${fixFiles.join(', ')} (ledger: ${ledgerLines} lines)`]];
if (fixFiles.length !== 5 || ledgerLines !== 3) failures.push(`cli fix: --out holds ${fixFiles.join(', ')} and a ledger of ${ledgerLines} lines, not one output of each kind`);
const q = rig;
if (q) {
  const before = queueMemoryAtStart ?? 0;
  const after = await q.usedMemory();
  const jobs = CALLS[scale]['queue job'] + warmupCalls(CALLS[scale]['queue job'], scale);
  const counts = await q.client.counts();
  boundaryRows.push(['Redis used_memory per finished validatePhoto job', `${((after - before) / jobs / 1024).toFixed(1)} KB over ${jobs} jobs (${counts.completed} completed, ${counts.failed} failed)`]);
  await q.close();
} else boundaryRows.push(['the queue', 'skipped: no redis-server on PATH (scripts/ci-redis.sh installs it)']);
printTable(['what', 'measured'], boundaryRows);
rmSync(fixInputs, { recursive: true, force: true });
rmSync(fixOut, { recursive: true, force: true });

// Whatever was still running settles before the last look.
const clean = await settle(() => childProcesses().length === 0 && tempEntries().length === 0, 3000);
console.log('### Summary\n');
printTable(['function', 'calls', 'ms a call (median)', 'verdict'], summary);
if (!clean) failures.push(`after the run: ${childProcesses().length} child processes, temp entries ${tempEntries().join(', ')}`);
if (failures.length) {
  console.log(`FAILED: ${failures.join('; ')}`);
  console.log(`Kept for inspection: ${tmp.dir}`);
  process.exit(1);
}
tmp.remove();
console.log('All bounds held.');
process.exit(0);
