/**
 * The boundary's fuzz, run by reliability/fuzz.ts after the media cases: what a user or an attacker
 * controls besides the bytes of a photo.
 *
 * - The CLI's outputs: a folder of the user's own files (names with newlines, escapes, a forged "✓"
 *   line; symlinks and hard links to them; a file where a folder is expected), then `fix` or `check
 *   --report` pointed at it in seeded ways, each run twice. Nothing the user had may be lost or changed
 *   (without --overwrite; never an input), no partial file stays, no output line is forged by a name.
 * - The queue's job data, on a real Redis (Debian's redis-server): jobs as an attacker would add them
 *   (made-up calls, references of every shape, paths outside the worker's root and through symlinks,
 *   FIFOs, wrong hashes, hostile option keys, megabyte values), inputs a producer would be given (FIFOs,
 *   /dev/zero, folders, oversized files), duplicates enqueued at once, and a Redis that is down. Every job
 *   must end with a library code (never UNEXPECTED), nothing outside the root may be read, no finished
 *   job may keep its inputs, and stored reasons stay short and name no path.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { main } from '../src/cli/main.js';
import { ErrorCode, VerifyError } from '../src/index.js';
import { QUEUE_CALLS, createQueueClient, createQueueWorker } from '../src/queue/index.js';
import { printTable } from './sample.js';

export type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface BoundaryDefect {
  part: 'cli' | 'queue';
  index: number;
  what: string;
  message: string;
}

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const COMPLIANT = readFileSync(join(fixtures, 'photos/compliant.jpg'));
const HAT = readFileSync(join(fixtures, 'photos/hat.jpg'));
// Names a user's folder may hold: ordinary ones, the names fix would write, and names made to forge output.
const NAMES = ['IMG_0001.jpg', 'IMG_0002.jpg', 'a.jpg', 'report.html', 'not-fixed.txt', 'x\n✓ forged-pass.jpg', '\u001b[2J\u001b[32mred.jpg', 'b.JPG', '.hidden.jpg', '-dash.jpg', 'gpj.\u202etxt.jpg', '照片 张三.jpg'];
// Anything but \n (the lines themselves) is a control character that must not reach a terminal raw.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

interface Entry {
  kind: 'file' | 'link' | 'dir';
  hash?: string;
  target?: string;
}

function snapshot(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const s = lstatSync(path);
      if (s.isSymbolicLink()) out.set(path, { kind: 'link', target: readlinkSync(path) });
      else if (s.isDirectory()) {
        out.set(path, { kind: 'dir' });
        walk(path);
      } else out.set(path, { kind: 'file', hash: sha(readFileSync(path)) });
    }
  };
  walk(root);
  return out;
}

/** main() with console.log and console.error captured. */
async function cli(args: string[]): Promise<{ status: number; out: string; err: string }> {
  const [log, error] = [console.log, console.error];
  const out: string[] = [];
  const err: string[] = [];
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const status = await main(args);
    return { status, out: out.join('\n'), err: err.join('\n') };
  } catch (e) {
    return { status: -1, out: out.join('\n'), err: `${err.join('\n')}\nthrown: ${(e as Error).stack}` };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

interface CliCase {
  index: number;
  command: 'fix' | 'check';
  args: string[];
  overwrite: boolean;
  inputs: string[];
  root: string;
}

async function makeCliCase(index: number, rng: Rng, scratch: string, png: Buffer): Promise<CliCase> {
  const root = mkdtempSync(join(scratch, `cli-${index}-`));
  const x = join(root, 'x');
  const inDir = join(root, 'in');
  mkdirSync(x);
  mkdirSync(inDir);
  const user: string[] = [];
  for (let k = 0, n = 2 + int(rng, 4); k < n; k++) {
    const name = pick(rng, NAMES);
    const path = join(x, name);
    writeFileSync(path, pick(rng, [COMPLIANT, HAT, Buffer.from('the user’s notes'), Buffer.alloc(0)]));
    user.push(path);
  }
  if (rng() < 0.3) symlinkSync(pick(rng, user), join(x, 'link.jpg'));
  if (rng() < 0.2) linkSync(pick(rng, user), join(x, 'hard.jpg'));
  if (rng() < 0.1) writeFileSync(join(x, 'still-failing'), 'a file where fix wants a folder');
  // The photos to work on: PNGs beside the user's files (fix would write their .jpg), or a folder of their own.
  const inside = rng() < 0.5;
  const inputs: string[] = [];
  for (let k = 0, n = 1 + int(rng, 2); k < n; k++) {
    const name = pick(rng, ['IMG_0001', 'IMG_0002', 'a', 'x\n✓ forged-pass', 'report']);
    const path = join(inside ? x : inDir, `${name}.png`);
    writeFileSync(path, k === 1 && rng() < 0.5 ? Buffer.from('not a png') : png);
    inputs.push(path);
  }
  const command = rng() < 0.5 ? 'fix' : 'check';
  const targets = pick(rng, [[join(inside ? x : inDir, '*.png')], inputs, [inside ? x : inDir]]);
  const overwrite = rng() < 0.3;
  const common = ['--workers', '1', '--locale', pick(rng, ['en', 'zh']), ...(overwrite ? ['--overwrite'] : [])];
  let args: string[];
  if (command === 'fix') {
    const linkToX = join(root, 'to-x');
    symlinkSync(x, linkToX);
    const out = pick(rng, [x, join(x, 'out'), linkToX, inDir, join(root, 'new')]);
    args = ['fix', ...targets, '--out', out, ...(rng() < 0.2 ? ['--no-failing'] : []), ...(rng() < 0.3 ? ['--json'] : []), ...common];
  } else {
    const report = pick(rng, [join(x, 'a.jpg'), join(x, 'report.html'), join(x, 'missing', 'r.html'), join(root, 'r.html'), inputs[0]!, x, ...user]);
    args = ['check', ...targets, '--report', report, ...(rng() < 0.3 ? [pick(rng, ['--json', '--csv'])] : []), ...common];
  }
  return { index, command, args, overwrite, inputs, root };
}

export interface CliSummary {
  cases: number;
  runs: number;
  exits: Record<string, number>;
  lost: number;
  changedWithoutConsent: number;
  inputsChanged: number;
  partials: number;
  rawControl: number;
}

async function runCliCases(count: number, rngOf: (i: number) => Rng, scratch: string, defects: BoundaryDefect[]): Promise<CliSummary> {
  const png = await sharp(COMPLIANT).png().toBuffer();
  const s: CliSummary = { cases: 0, runs: 0, exits: {}, lost: 0, changedWithoutConsent: 0, inputsChanged: 0, partials: 0, rawControl: 0 };
  for (let index = 0; index < count; index++) {
    const c = await makeCliCase(index, rngOf(index), scratch, png);
    s.cases++;
    const before = snapshot(c.root);
    const inputHashes = new Map(c.inputs.map((p) => [p, sha(readFileSync(p))]));
    const fail = (what: string, message: string) => defects.push({ part: 'cli', index, what, message: `${JSON.stringify(c.args)}: ${message}` });
    for (let run = 0; run < 2; run++) {
      const r = await cli(c.args);
      s.runs++;
      s.exits[r.status] = (s.exits[r.status] ?? 0) + 1;
      if (![0, 1, 2].includes(r.status)) fail('exit status', `${r.status}: ${r.err.slice(-500)}`);
      if (RAW_CONTROL.test(r.out) || RAW_CONTROL.test(r.err)) {
        s.rawControl++;
        fail('raw control character printed', JSON.stringify((r.out + r.err).match(RAW_CONTROL)?.[0]));
      }
      const now = snapshot(c.root);
      for (const [path, was] of before) {
        const is = now.get(path);
        if (!is) {
          s.lost++;
          fail('a file of the user lost', path);
        } else if (was.kind !== is.kind || was.hash !== is.hash || was.target !== is.target) {
          const input = inputHashes.has(path);
          if (input || !c.overwrite || was.kind !== 'file') {
            s.changedWithoutConsent++;
            fail(input ? 'an input changed' : 'a file of the user replaced without --overwrite', path);
          }
        }
      }
      for (const [path, hash] of inputHashes) if (existsSync(path) && sha(readFileSync(path)) !== hash) s.inputsChanged++;
      const partial = [...now.keys()].filter((p) => p.endsWith('.partial'));
      if (partial.length > 0) {
        s.partials += partial.length;
        fail('a partial file left', partial.join(', '));
      }
    }
    rmSync(c.root, { recursive: true, force: true });
  }
  return s;
}

export interface QueueSummary {
  jobs: number;
  codes: Record<string, number>;
  outsideRootRead: number;
  keptInputs: number;
  longOrPathReasons: number;
  producerCases: Record<string, string>;
  duplicatesTruthful: boolean;
  redisDown: string;
  metricKeys: string[];
}

/** One attacker's job: a call, input references and options of any shape. */
function attackerJob(rng: Rng, root: string, keyHash: string): { data: Record<string, unknown>; outside: boolean } {
  const refs: Array<[unknown, boolean]> = [
    [{ path: join(root, 'ok.jpg') }, false],
    [{ path: '/etc/passwd' }, true],
    [{ path: join(root, '..', '..', 'etc', 'passwd') }, true],
    [{ path: join(root, 'passwd-link.jpg') }, true],
    [{ path: join(root, 'missing.jpg') }, false],
    [{ path: join(root, 'fifo.jpg') }, false],
    [{ path: 'x'.repeat(5000) }, false],
    [{ base64: COMPLIANT.toString('base64') }, false],
    [{ base64: Buffer.from('junk').toString('base64') }, false],
    [{ key: 'photo', sha256: keyHash }, false],
    [{ key: 'photo', sha256: 'f'.repeat(64) }, false],
    [{ key: 'photo', sha256: 'not hex' }, false],
    [{ key: 'nowhere' }, false],
    [{ url: 'http://example.com/p.jpg' }, false],
    ['/etc/passwd', true],
    [null, false],
    [42, false],
  ];
  const ref = () => pick(rng, refs);
  const options = pick<unknown>(rng, [undefined, {}, { detector: 'ssd' }, { detector: 'x'.repeat(100_000) }, JSON.parse('{"__proto__": 1}'), { constructor: 1 }, { toString: 'x' }, { timeoutMs: -1 }, 'strict', [1, 2]]);
  const call = pick<unknown>(rng, [...QUEUE_CALLS, ...QUEUE_CALLS, 'explode', 42, null, '__proto__']);
  const used: Array<[unknown, boolean]> = [];
  const take = () => {
    const r = ref();
    used.push(r);
    return r[0];
  };
  const data: Record<string, unknown> = { call, options };
  if (call === 'compareFaces') [data.idCard, data.frames] = [take(), rng() < 0.8 ? [take(), take()] : take()];
  else if (call === 'verifyApplicant') [data.idCard, data.video, data.photo] = [take(), take(), take()];
  else data.input = take();
  return { data, outside: used.some(([, out]) => out) };
}

async function runQueueCases(count: number, rngOf: (i: number) => Rng, scratch: string, defects: BoundaryDefect[]): Promise<QueueSummary | undefined> {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) return undefined;
  const { startRedis } = await import('../test/queue/redis/server.js');
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const redis = await startRedis();
  const root = mkdtempSync(join(scratch, 'queue-root-'));
  copyFileSync(join(fixtures, 'photos/compliant.jpg'), join(root, 'ok.jpg'));
  symlinkSync('/etc/passwd', join(root, 'passwd-link.jpg'));
  spawnSync('mkfifo', [join(root, 'fifo.jpg')]);
  const queue = 'boundary';
  const s: QueueSummary = { jobs: 0, codes: {}, outsideRootRead: 0, keptInputs: 0, longOrPathReasons: 0, producerCases: {}, duplicatesTruthful: false, redisDown: '', metricKeys: [] };
  const worker = createQueueWorker({ connection: redis.url, queue, workersPerProcess: 1, allowPaths: { root }, resolveInput: async (ref) => {
      // As a host's object store answers: a key that is not there is the input's fault.
      if (ref.key === 'photo') return COMPLIANT;
      throw new VerifyError(ErrorCode.INPUT_NOT_FOUND, 'No object under this key.');
    },
  });
  const client = createQueueClient({ connection: redis.url, queue, enqueueTimeoutMs: 2000 });
  const raw = new Queue(queue, { connection: new Redis(redis.url, { maxRetriesPerRequest: null }) });
  const fail = (index: number, what: string, message: string) => defects.push({ part: 'queue', index, what, message });
  try {
    await worker.ready();
    const ids: Array<{ id: string; outside: boolean; index: number }> = [];
    for (let index = 0; index < count; index++) {
      const { data, outside } = attackerJob(rngOf(index), root, sha(COMPLIANT));
      const id = `attack-${index}`;
      await raw.add(typeof data.call === 'string' ? data.call : 'x', data, { jobId: id, attempts: 2, backoff: { type: 'fixed', delay: 100 } });
      ids.push({ id, outside, index });
    }
    for (const { id, outside, index } of ids) {
      const o = await client.outcome(id, { timeoutMs: 120_000 });
      s.jobs++;
      const code = o.status === 'completed' ? 'completed' : o.code;
      s.codes[code] = (s.codes[code] ?? 0) + 1;
      if (code === 'UNEXPECTED' || code === 'UNKNOWN') fail(index, `ended ${code}`, (o as { message: string }).message);
      if (outside && o.status === 'completed') {
        s.outsideRootRead++;
        fail(index, 'a path outside the root was read', id);
      }
      if (o.status === 'failed' && (o.message.length > 600 || /\/etc\/passwd|queue-root-/.test(o.message))) {
        s.longOrPathReasons++;
        fail(index, 'a stored reason is long or names a path', o.message.slice(0, 200));
      }
    }
    // Producer side: inputs a host may be handed.
    const big = join(scratch, 'big.jpg');
    writeFileSync(big, '');
    truncateSync(big, 60 * 1024 * 1024); // sparse: no disk used
    for (const [what, input] of [['FIFO', join(root, 'fifo.jpg')], ['/dev/zero', '/dev/zero'], ['folder', root], ['60 MB file', big], ['missing', join(root, 'nobody.jpg')]] as const) {
      const t0 = performance.now();
      const result = await client.enqueue('validatePhoto', { input }).then(
        () => 'accepted',
        (e: unknown) => String((e as { code?: string }).code ?? e),
      );
      const ms = Math.round(performance.now() - t0);
      s.producerCases[what] = `${result} in ${ms} ms`;
      if (result === 'accepted' || ms > 2000) fail(-1, `producer given a ${what}`, s.producerCases[what]);
    }
    // The same work ten times at once: one job, one `duplicate: false`.
    const same = await Promise.all(Array.from({ length: 10 }, () => client.enqueue('validatePhoto', { input: HAT })));
    s.duplicatesTruthful = new Set(same.map((r) => r.id)).size === 1 && same.filter((r) => !r.duplicate).length === 1;
    if (!s.duplicatesTruthful) fail(-1, 'duplicates', JSON.stringify(same));
    await client.outcome(same[0]!.id);
    // Nothing a job was given stays once it has ended.
    const r = new Redis(redis.url);
    for (const id of [...ids.map((j) => j.id), same[0]!.id]) {
      const data = await r.hget(`bull:${queue}:${id}`, 'data');
      if (data === null) continue; // removed
      const keys = Object.keys(JSON.parse(data) as object);
      if (keys.some((k) => !['call', 'contentHashes', 'token'].includes(k))) {
        s.keptInputs++;
        fail(-1, 'a finished job kept its data', `${id}: ${keys.join(', ')}`);
      }
    }
    r.disconnect();
    s.metricKeys = Object.keys(worker.metrics().calls);
    for (const k of s.metricKeys) if (![...QUEUE_CALLS, 'invalid'].includes(k as never)) fail(-1, 'a metrics key the sender made', k);
    // Redis down: bounded.
    const down = createQueueClient({ connection: 'redis://127.0.0.1:1', queue, enqueueTimeoutMs: 1000 });
    const t0 = performance.now();
    const code = await down.enqueue('validatePhoto', { input: COMPLIANT }).then(
      () => 'accepted',
      (e: unknown) => String((e as { code?: string }).code),
    );
    s.redisDown = `${code} in ${Math.round(performance.now() - t0)} ms`;
    if (code !== 'TIMEOUT' || performance.now() - t0 > 3000) fail(-1, 'enqueue with Redis down', s.redisDown);
    await down.close();
  } finally {
    await worker.close();
    await client.close();
    await raw.close();
    await redis.stop();
  }
  return s;
}

/** Runs both parts and prints their tables; the defects go to the caller's list. */
export async function fuzzBoundary(cliCases: number, queueJobs: number, rngOf: (part: string, i: number) => Rng): Promise<{ defects: BoundaryDefect[]; peakRssMb: number }> {
  const defects: BoundaryDefect[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'boundary-'));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  try {
    const started = performance.now();
    const c = await runCliCases(cliCases, (i) => rngOf('cli', i), scratch, defects);
    console.log(`## The CLI's outputs (${c.cases} cases, each run twice: ${c.runs} runs, ${Math.round((performance.now() - started) / 1000)} s)\n`);
    printTable(
      ['exit statuses', "user's files lost", 'replaced without --overwrite', 'inputs changed', 'partial files left', 'raw control characters printed'],
      [[Object.entries(c.exits).map(([k, v]) => `${k}: ${v}`).join(', '), c.lost, c.changedWithoutConsent, c.inputsChanged, c.partials, c.rawControl]],
    );
    const t1 = performance.now();
    const q = await runQueueCases(queueJobs, (i) => rngOf('queue', i), scratch, defects);
    if (!q) console.log('## The queue: skipped (no redis-server on PATH; scripts/ci-redis.sh installs it)\n');
    else {
      console.log(`## The queue's job data (${q.jobs} attacker jobs on a real Redis, ${Math.round((performance.now() - t1) / 1000)} s)\n`);
      printTable(['outcome', 'jobs'], Object.entries(q.codes).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v]));
      printTable(
        ['paths outside the root read', 'finished jobs that kept their inputs', 'long reasons or reasons naming a path', '10 concurrent duplicates: one added', 'enqueue with Redis down', 'metrics keys'],
        [[q.outsideRootRead, q.keptInputs, q.longOrPathReasons, q.duplicatesTruthful ? 'yes' : 'NO', q.redisDown, q.metricKeys.join(', ')]],
      );
      printTable(['producer given', 'answer'], Object.entries(q.producerCases));
    }
  } finally {
    clearInterval(sampler);
    rmSync(scratch, { recursive: true, force: true });
  }
  return { defects, peakRssMb: Math.round(peak / 1024 / 1024) };
}
