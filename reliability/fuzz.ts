/**
 * Fuzz: the repository's images and videos, each case mutated once (bit flips, overwrites,
 * truncation, insertion, duplication, zeroing, header damage, splicing), through the public
 * functions. Every call must resolve or reject with a coded VerifyError, within a hard bound, and
 * leave no process, temp folder or tensor behind. Exits 1 on any defect.
 *
 *   node --import tsx reliability/fuzz.ts [--cases N] [--seed S] [--only INDEX [--dump FILE]] [--boundary N | --boundary-only N]
 *
 * Then the boundary (reliability/boundary.ts): N seeded cases of the CLI's output paths and 3N attacker
 * jobs on a real Redis (default N = 20; 0 skips it; --boundary-only N runs it alone).
 *
 * The same seed gives the same cases; each case depends only on (seed, index), so --only reruns one
 * (and --dump writes its bytes).
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeReadingVideo, compressToSpec, extractFramesFromReadingVideo, isVerifyError, loadModels, validatePhoto } from '../src/index.js';
import { fuzzBoundary } from './boundary.js';
import { childProcesses, ignoredChildren, option, printTable, privateTmpdir, quantile, settle, tempEntries, tensorCount } from './sample.js';

// The library's own limit on a whole call, passed as `timeoutMs`.
const IMAGE_TIMEOUT_MS = 15_000;
const VIDEO_TIMEOUT_MS = 20_000;
// Our hard bound, twice and more the library's: a call past it ignored its own timeout (a HANG).
const IMAGE_HANG_MS = 30_000;
const VIDEO_HANG_MS = 60_000;
// After a HANG the call is aborted through its signal and given this long to settle.
const ABORT_GRACE_MS = 5_000;
// A case's processes and temp folders are gone by the time its calls settle; this covers a late 'close'.
const CASE_SETTLE_MS = 1_000;
const END_SETTLE_MS = 5_000;
// Share of cases passed as a path to a file we write, not as a Buffer.
const AS_FILE = 0.25;

const args = process.argv.slice(2);
const cases = Number(option(args, '--cases') ?? 200);
const seed = Number(option(args, '--seed') ?? 1);
const onlyArg = option(args, '--only');
const only = onlyArg === undefined ? undefined : Number(onlyArg);
const dump = option(args, '--dump');
const boundaryOnly = option(args, '--boundary-only');
const boundaryCases = Number(boundaryOnly ?? option(args, '--boundary') ?? 20);
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed) || (only !== undefined && !(Number.isInteger(only) && only >= 0))) {
  console.error('Usage: node --import tsx reliability/fuzz.ts [--cases N] [--seed S] [--only INDEX [--dump FILE]]');
  process.exit(2);
}

// ---- seeded randomness ------------------------------------------------------------------------------
type Rng = () => number;

/** mulberry32: small, fast, and the same sequence on every machine. */
function mulberry32(a: number): Rng {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One stream per case, from (seed, index) alone: case i is the same with or without the cases before it. */
function caseRng(s: number, index: number): Rng {
  let h = Math.imul(s ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return mulberry32((h ^ (h >>> 16)) >>> 0);
}

const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)];
const randomBytes = (rng: Rng, n: number) => Buffer.from(Array.from({ length: n }, () => int(rng, 256)));

// ---- seed inputs ---------------------------------------------------------------------------------
type Kind = 'jpeg' | 'png' | 'mp4' | 'webm' | 'mov';
const KINDS: readonly Kind[] = ['jpeg', 'png', 'mp4', 'webm', 'mov'];
const isImage = (k: Kind) => k === 'jpeg' || k === 'png';

interface Seed {
  file: string;
  kind: Kind;
  bytes: Buffer;
}

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const dir of ['photos', 'sources']) {
    for (const f of readdirSync(join(fixtures, dir)).sort()) {
      const bytes = readFileSync(join(fixtures, dir, f));
      // By content: png-named-jpg.jpg is a PNG.
      const kind = bytes[0] === 0x89 && bytes.subarray(1, 4).toString('latin1') === 'PNG' ? 'png' : bytes[0] === 0xff && bytes[1] === 0xd8 ? 'jpeg' : undefined;
      if (kind) seeds.push({ file: `${dir}/${f}`, kind, bytes });
    }
  }
  // All of fixtures/videos is under 70 KB: small enough. audio-only.m4a is no video kind.
  for (const f of readdirSync(join(fixtures, 'videos')).sort()) {
    const ext = f.slice(f.lastIndexOf('.') + 1) as Kind;
    if (ext === 'mp4' || ext === 'webm' || ext === 'mov') seeds.push({ file: `videos/${f}`, kind: ext, bytes: readFileSync(join(fixtures, 'videos', f)) });
  }
  return seeds;
}
const seeds = loadSeeds();

// ---- mutations -----------------------------------------------------------------------------------
type Mutation = (b: Buffer, rng: Rng, partner: Seed) => { bytes: Buffer; detail: string };

const MUTATIONS: Record<string, Mutation> = {
  bitflip: (b, rng) => {
    const out = Buffer.from(b);
    const n = 1 + int(rng, 20);
    for (let i = 0; i < n; i++) out[int(rng, out.length)] ^= 1 << int(rng, 8);
    return { bytes: out, detail: `${n} bits` };
  },
  overwrite: (b, rng) => {
    const out = Buffer.from(b);
    const mode = pick(rng, ['0x00', '0xFF', 'random'] as const);
    const at = int(rng, out.length);
    const n = Math.min(1 + int(rng, 32), out.length - at);
    for (let i = at; i < at + n; i++) out[i] = mode === '0x00' ? 0 : mode === '0xFF' ? 0xff : int(rng, 256);
    return { bytes: out, detail: `${n} bytes of ${mode} at ${at}` };
  },
  truncate: (b, rng) => {
    const at = int(rng, b.length);
    return { bytes: Buffer.from(b.subarray(0, at)), detail: `at ${at} of ${b.length}` };
  },
  insert: (b, rng) => {
    const at = int(rng, b.length + 1);
    const n = 1 + int(rng, 256);
    return { bytes: Buffer.concat([b.subarray(0, at), randomBytes(rng, n), b.subarray(at)]), detail: `${n} bytes at ${at}` };
  },
  duplicate: (b, rng) => {
    const from = int(rng, b.length);
    const n = 1 + int(rng, Math.min(4096, b.length - from));
    const at = int(rng, b.length + 1);
    return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(from, from + n), b.subarray(at)]), detail: `${n} bytes from ${from} again at ${at}` };
  },
  zero: (b, rng) => {
    const out = Buffer.from(b);
    const at = int(rng, out.length);
    const n = Math.min(1 + int(rng, 4096), out.length - at);
    out.fill(0, at, at + n);
    return { bytes: out, detail: `${n} bytes at ${at}` };
  },
  // Magic numbers, box and segment lengths, dimensions: where the parsers decide what to trust.
  header: (b, rng) => {
    const out = Buffer.from(b);
    const n = 1 + int(rng, 8);
    for (let i = 0; i < n; i++) out[int(rng, Math.min(64, out.length))] = int(rng, 256);
    return { bytes: out, detail: `${n} bytes in the first 64` };
  },
  splice: (b, rng, partner) => {
    const cut = int(rng, b.length);
    const from = int(rng, partner.bytes.length);
    return { bytes: Buffer.concat([b.subarray(0, cut), partner.bytes.subarray(from)]), detail: `first ${cut} bytes + ${partner.file} from ${from}` };
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

interface Case {
  index: number;
  kind: Kind;
  file: string;
  mutation: string;
  detail: string;
  bytes: Buffer;
  asFile: boolean;
}

function makeCase(index: number): Case {
  const rng = caseRng(seed, index);
  const kind = pick(rng, KINDS);
  const base = pick(rng, seeds.filter((s) => s.kind === kind));
  const mutation = pick(rng, MUTATION_NAMES);
  // Spliced with another file of the same media (image or video), of any kind.
  const partner = pick(rng, seeds.filter((s) => isImage(s.kind) === isImage(kind) && s !== base));
  const { bytes, detail } = MUTATIONS[mutation](base.bytes, rng, partner);
  return { index, kind, file: base.file, mutation, detail, bytes, asFile: rng() < AS_FILE };
}

// ---- running -------------------------------------------------------------------------------------
type Outcome = 'result' | 'coded' | 'uncoded' | 'hang';
type FnName = 'validatePhoto' | 'compressToSpec' | 'extractFramesFromReadingVideo' | 'analyzeReadingVideo';
type Limits = { timeoutMs?: number; signal?: AbortSignal };

interface Call {
  index: number;
  kind: Kind;
  mutation: string;
  fn: FnName;
  outcome: Outcome;
  code?: string;
  message?: string;
  ms: number;
}

interface Defect {
  index: number;
  what: string;
  message: string;
}

const calls: Call[] = [];
const defects: Defect[] = [];
let current = -1;
let stillRunning = 0;

function invoke(fn: FnName, input: string | Buffer, limits: Limits): Promise<unknown> {
  switch (fn) {
    case 'validatePhoto':
      return validatePhoto(input, limits);
    case 'compressToSpec':
      return compressToSpec(input, limits);
    case 'extractFramesFromReadingVideo':
      return extractFramesFromReadingVideo(input, limits);
    case 'analyzeReadingVideo':
      return analyzeReadingVideo(input, limits);
  }
}

const limitsOf = (fn: FnName) =>
  fn === 'validatePhoto' || fn === 'compressToSpec' ? { timeoutMs: IMAGE_TIMEOUT_MS, hangMs: IMAGE_HANG_MS } : { timeoutMs: VIDEO_TIMEOUT_MS, hangMs: VIDEO_HANG_MS };

const firstLine = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split('\n')[0].slice(0, 200);

type Settled = Pick<Call, 'outcome' | 'code' | 'message'>;

/** The promise's value, or undefined when `ms` pass first (the promise keeps running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function runCall(c: Case, fn: FnName, input: string | Buffer): Promise<Call> {
  const { timeoutMs, hangMs: bound } = limitsOf(fn);
  const controller = new AbortController();
  const started = performance.now();
  const settled = invoke(fn, input, { timeoutMs, signal: controller.signal }).then(
    (): Settled => ({ outcome: 'result' }),
    (error: unknown): Settled =>
      isVerifyError(error) && typeof error.code === 'string' ? { outcome: 'coded', code: error.code } : { outcome: 'uncoded', message: firstLine(error) },
  );
  const first = await within(settled, bound);
  const ms = performance.now() - started;
  if (first) return { index: c.index, kind: c.kind, mutation: c.mutation, fn, ...first, ms };

  controller.abort();
  stillRunning++;
  const late = await within(settled, ABORT_GRACE_MS);
  if (late) stillRunning--;
  else void settled.then(() => stillRunning--);
  const after = late ? `after the abort it settled as ${late.outcome}${late.code ? ` ${late.code}` : ''}` : `still running ${ABORT_GRACE_MS} ms after the abort`;
  return { index: c.index, kind: c.kind, mutation: c.mutation, fn, outcome: 'hang', message: `no answer within ${bound} ms; ${after}`, ms };
}

/** What a case must leave as it found: no child process, no idphoto- entry, no tensor. */
interface Baseline {
  temp: number;
  tensors: number;
}

async function runCase(c: Case, inputDir: string, baseline: Baseline): Promise<void> {
  current = c.index;
  const path = join(inputDir, `case-${c.index}.${c.kind}`);
  if (c.asFile) writeFileSync(path, c.bytes);
  const input = c.asFile ? path : c.bytes;
  const fns: FnName[] = isImage(c.kind)
    ? ['validatePhoto', ...(c.index % 4 === 0 ? (['compressToSpec'] as const) : [])]
    : ['extractFramesFromReadingVideo', ...(c.index % 5 === 0 ? (['analyzeReadingVideo'] as const) : [])];
  try {
    for (const fn of fns) {
      const call = await runCall(c, fn, input);
      calls.push(call);
      if (call.outcome === 'uncoded' || call.outcome === 'hang') defects.push({ index: c.index, what: `${call.outcome} in ${fn}`, message: call.message ?? '' });
    }
  } finally {
    rmSync(path, { force: true });
  }
  // A hung call still running holds its processes and folders: the end check counts them.
  if (stillRunning > 0) return;
  const clean = () => childProcesses().length === 0 && tempEntries().length <= baseline.temp && tensorCount() === baseline.tensors;
  if (await settle(clean, CASE_SETTLE_MS)) return;
  const children = childProcesses().map((p) => `${p.comm} ${p.pid} (${p.state})`);
  const temp = tempEntries();
  const tensors = tensorCount() - baseline.tensors;
  const left = [children.length ? `processes: ${children.join(', ')}` : '', temp.length > baseline.temp ? `temp entries: ${temp.join(', ')}` : '', tensors ? `tensors: ${tensors > 0 ? '+' : ''}${tensors}` : '']
    .filter(Boolean)
    .join('; ');
  defects.push({ index: c.index, what: 'leftover', message: left });
  // Blamed once: the next cases are measured from here.
  baseline.temp = Math.max(baseline.temp, temp.length);
  baseline.tensors = tensorCount();
}

// ---- main ----------------------------------------------------------------------------------------
const tmp = privateTmpdir('fuzz');
const inputDir = join(tmp.dir, 'inputs');
mkdirSync(inputDir);
const indices = only !== undefined ? [only] : boundaryOnly !== undefined ? [] : Array.from({ length: cases }, (_, i) => i);

console.log(`# Fuzz, seed ${seed}, ${only === undefined ? `${cases} cases` : `case ${only} only`}\n`);
const ignored = ignoredChildren().map((c) => `${c.pid} ${c.comm}`).join(', ') || 'none';
console.log(`Seeds: ${KINDS.map((k) => `${seeds.filter((s) => s.kind === k).length} ${k}`).join(', ')}. Mutations: ${MUTATION_NAMES.join(', ')}.`);
console.log(`Limits: timeoutMs ${IMAGE_TIMEOUT_MS} ms (images) / ${VIDEO_TIMEOUT_MS} ms (videos); HANG past ${IMAGE_HANG_MS} / ${VIDEO_HANG_MS} ms.`);
console.log(`Private TMPDIR ${tmp.dir}; children not counted (tsx's esbuild, or running before the run): ${ignored}.\n`);

// Models and kernels first, so that neither the first case's time nor its tensors count them.
await loadModels();
const warm = (file: string, fn: FnName) => invoke(fn, join(fixtures, file), { timeoutMs: limitsOf(fn).timeoutMs }).catch(() => undefined);
await warm('photos/compliant.jpg', 'validatePhoto');
await warm('photos/compliant.jpg', 'compressToSpec');
await warm('videos/upright.mp4', 'extractFramesFromReadingVideo');
await warm('videos/upright.mp4', 'analyzeReadingVideo');
const baseline: Baseline = { temp: tempEntries().length, tensors: tensorCount() };
const tempAtStart = baseline.temp;
const tensorsAtStart = baseline.tensors;

// Installed after loadModels: the WASM loader's own handlers are removed by the library (src/models/tf.ts).
process.on('unhandledRejection', (reason) => defects.push({ index: current, what: 'unhandled rejection', message: firstLine(reason) }));
process.on('uncaughtException', (error) => defects.push({ index: current, what: 'uncaught exception', message: firstLine(error) }));

const started = performance.now();
let asFiles = 0;
for (const index of indices) {
  const c = makeCase(index);
  if (c.asFile) asFiles++;
  if (only !== undefined) {
    console.log(`Case ${index}: ${c.kind} from ${c.file}, ${c.mutation} (${c.detail}), ${c.bytes.length} bytes, as ${c.asFile ? 'a file' : 'a Buffer'}.\n`);
    if (dump) writeFileSync(dump, c.bytes);
  }
  await runCase(c, inputDir, baseline);
  if (only === undefined && (index + 1) % 20 === 0) process.stderr.write(`${index + 1}/${cases} cases, ${defects.length} defects, ${Math.round((performance.now() - started) / 1000)} s\n`);
}

// The boundary: the CLI's output paths and the queue's job data, from the same seed.
const PART_SEEDS: Record<string, number> = { cli: 1_000_003, queue: 2_000_003 };
const boundary = only === undefined && boundaryCases > 0 ? await fuzzBoundary(boundaryCases, 3 * boundaryCases, (part, i) => caseRng(seed + PART_SEEDS[part]!, i)) : undefined;
for (const d of boundary?.defects ?? []) defects.push({ index: -1, what: `${d.part}: ${d.what}`, message: `case ${d.index}: ${d.message}` });

const endClean = await settle(() => stillRunning === 0 && childProcesses().length === 0 && tempEntries().length <= tempAtStart, END_SETTLE_MS);
const leftovers: string[] = [];
if (!endClean) {
  const children = childProcesses();
  if (stillRunning) leftovers.push(`${stillRunning} calls still running`);
  if (children.length) leftovers.push(`child processes: ${children.map((p) => `${p.comm} ${p.pid} (${p.state})`).join(', ')}`);
  if (tempEntries().length > tempAtStart) leftovers.push(`temp entries: ${tempEntries().join(', ')}`);
}
const tensorDelta = tensorCount() - tensorsAtStart;
if (tensorDelta !== 0) leftovers.push(`tensors: ${tensorDelta > 0 ? '+' : ''}${tensorDelta} since the start`);

// ---- report --------------------------------------------------------------------------------------
const OUTCOMES: readonly Outcome[] = ['result', 'coded', 'uncoded', 'hang'];
const count = (cs: Call[], o: Outcome) => cs.filter((c) => c.outcome === o).length;

console.log(`## Outcomes by input kind and function (${calls.length} calls in ${indices.length} cases, ${asFiles} of them as files, ${Math.round((performance.now() - started) / 1000)} s)\n`);
const byKindFn = KINDS.flatMap((k) => (['validatePhoto', 'compressToSpec', 'extractFramesFromReadingVideo', 'analyzeReadingVideo'] as const).map((fn) => [k, fn, calls.filter((c) => c.kind === k && c.fn === fn)] as const));
printTable(
  ['kind', 'function', 'calls', ...OUTCOMES],
  byKindFn.filter(([, , cs]) => cs.length > 0).map(([k, fn, cs]) => [k, fn, cs.length, ...OUTCOMES.map((o) => count(cs, o))]),
);

console.log('## Outcomes by mutation\n');
printTable(
  ['mutation', 'calls', ...OUTCOMES],
  MUTATION_NAMES.map((m) => calls.filter((c) => c.mutation === m)).filter((cs) => cs.length > 0).map((cs) => [cs[0].mutation, cs.length, ...OUTCOMES.map((o) => count(cs, o))]),
);

console.log('## Codes\n');
const codes = new Map<string, Call[]>();
for (const c of calls) if (c.code) codes.set(c.code, [...(codes.get(c.code) ?? []), c]);
printTable(
  ['code', 'count', 'kinds'],
  [...codes]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([code, cs]) => [code, cs.length, KINDS.map((k) => [k, cs.filter((c) => c.kind === k).length] as const).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ')]),
);

console.log('## Slowest calls\n');
printTable(
  ['case', 'kind', 'mutation', 'function', 'ms', 'outcome'],
  [...calls].sort((a, b) => b.ms - a.ms).slice(0, 5).map((c) => [c.index, c.kind, c.mutation, c.fn, Math.round(c.ms), c.code ?? c.outcome]),
);

console.log('## Time per call by kind, ms\n');
printTable(
  ['kind', 'calls', 'p50', 'p95', 'max'],
  KINDS.map((k) => calls.filter((c) => c.kind === k).map((c) => c.ms)).flatMap((ms, i) => (ms.length ? [[KINDS[i], ms.length, ...[0.5, 0.95, 1].map((q) => Math.round(quantile(ms, q)))]] : [])),
);

console.log('## Defects\n');
if (defects.length === 0 && leftovers.length === 0) console.log('None.\n');
else {
  printTable(
    ['case', 'kind', 'input', 'mutation', 'defect', 'message', 'rerun'],
    defects.map((d) => {
      const c = d.index >= 0 ? makeCase(d.index) : undefined;
      return [d.index, c?.kind ?? '', c ? `${c.file} (${c.asFile ? 'file' : 'Buffer'})` : '', c ? `${c.mutation}: ${c.detail}` : '', d.what, d.message.replaceAll('|', '\\|'), c ? `--seed ${seed} --only ${d.index}` : ''];
    }),
  );
  for (const l of leftovers) console.log(`- left at the end: ${l}`);
  console.log(`\nRerun one: node --import tsx reliability/fuzz.ts --seed ${seed} --only INDEX [--dump case.bin]`);
}

console.log(`Peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB${boundary ? ` (the boundary's part: ${boundary.peakRssMb} MB)` : ''}.\n`);
const failed = defects.length > 0 || leftovers.length > 0;
if (failed) console.log(`\nFAILED: ${defects.length} defects, ${leftovers.length} leftovers. Kept for inspection: ${tmp.dir}`);
else {
  tmp.remove();
  console.log('No defects.');
}
process.exit(failed ? 1 : 0);
