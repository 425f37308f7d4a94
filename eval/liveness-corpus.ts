/**
 * A seeded corpus of liveness presentation attacks, in the manner of ISO/IEC 30107-3 (several attack
 * species, each varied over many instances), made from the real talking videos of ../shared/data:
 * eval/liveness.ts's attacks are pixel-identical stills, which any frame difference catches.
 *
 *   npx tsx eval/liveness-corpus.ts [--per-type 40] [--seed 1] [--types a,b] [--out DIR]
 *
 * writes `<type>-NNN.mp4` and manifest.json into eval/out/liveness-corpus/ (not committed; the data is
 * for evaluation only and never copied here). Incremental: an entry whose file exists with the same
 * sources and params is kept. Every attack takes the split of its primary source's person, and a
 * second source (another voice, a switch partner, a head track) comes from the same split, so that a
 * threshold tuned on 'dev' is measured on people it never saw.
 *
 * Each entry's parameters come from its own PRNG (seed, type, index): raising --per-type keeps the
 * entries already made. Every synthesized stream gets temporal camera noise, so no two consecutive
 * frames are pixel-identical; every file is capped near 2 MB by an x264 VBV rate limit.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { Point } from '../src/core/geometry.js';
import type { RgbImage } from '../src/image/decode.js';
import type { LivenessCode } from '../src/liveness/types.js';
import { decodePcm, speechActivity } from '../src/media/audio.js';
import { locate, run } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { type Similarity, estimateSimilarity, fivePoints } from '../src/models/align.js';
import { detectFaces } from '../src/models/detect.js';
import { DATA_DIR, type LabelRow, readLabels, requireData } from './data.js';

export const DEFAULT_OUT = join(dirname(fileURLToPath(import.meta.url)), 'out', 'liveness-corpus');

export const ATTACK_TYPES = ['photo-voice', 'moved-photo', 'rigid-face', 'dubbed', 'shifted-voice', 'face-switch', 'muted', 'screen-replay'] as const;
export type AttackType = (typeof ATTACK_TYPES)[number];
export type Split = 'dev' | 'test';
type Params = Record<string, number | string>;

export interface BonaFideVideo {
  /** `talking-00015`, `liveportrait-d6`: the group and the file name. */
  id: string;
  /** Absolute path. */
  path: string;
  /** Path relative to the data folder, as in labels.csv. */
  relative: string;
  /** The labels' identity column. */
  identity: string;
  /** The identity without its VoxCeleb2 suffix: one person may carry two labels ('Lily Aldridge (VoxCeleb2 id 5176)'). */
  person: string;
  split: Split;
  hasAudio: boolean;
  durationS: number;
  /** Pixels as displayed. */
  width: number;
  height: number;
  fps: number;
  /** Seconds of voice (src/media/audio.ts speechActivity), and the span from the first voiced segment to the last. */
  speechS: number;
  speechStartS: number;
  speechEndS: number;
}

export interface CorpusEntry {
  /** `<type>-NNN`, also the file name. */
  id: string;
  type: AttackType;
  split: Split;
  /** The video file: absolute in makeCorpus's and readCorpus's results, relative to manifest.json in the file. */
  path: string;
  /** Data-relative paths of the videos used, primary first. */
  sources: string[];
  params: Params;
  /** The liveness failure codes that should catch it. */
  expect: LivenessCode[];
}

export interface CorpusOptions {
  /** Attacks of each type. Default 40. */
  perType?: number;
  /** Default 1. */
  seed?: number;
  /** Default: every type. */
  types?: AttackType[];
  /** Output folder. Default eval/out/liveness-corpus. */
  out?: string;
}

// ---- the rules every attack follows ---------------------------------------------------------------

const LIMITS = {
  /** Short side of the output, pixels (aspect kept). */
  shortSide: [360, 720],
  /** Long side of the frames warped here in TypeScript, pixels: they are piped raw, ~1 MB a frame at 640. */
  warpedLongSide: 640,
  crf: [18, 35],
  fps: [24, 25, 30],
  durationS: [4, 12],
  audioKbps: [64, 128],
  /** ffmpeg `noise` strength (alls), with temporal uniform noise: consecutive frames never identical. */
  noise: [2, 12],
  /** Bytes a file may take; the video's VBV rate is derived from it. */
  fileBytes: 1_900_000,
  /** A primary source needs this much voice: the evaluator asks for speech, and a window of it is cut. */
  minSpeechS: 2,
  /** Shortest clip made, seconds (the shortest real clip with speech is ~3.7 s). */
  minDurationS: 3,
} as const;

// ---- seeded randomness ----------------------------------------------------------------------------

/**
 * FNV-1a with murmur3's finalizer, 32 bits: the split of a person, and the seed of each entry. The
 * finalizer matters: FNV-1a's low bit is only the parity of the characters' low bits.
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32: [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  sign(): number {
    return this.chance(0.5) ? 1 : -1;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

const r2 = (v: number) => Math.round(v * 100) / 100;
const r3 = (v: number) => Math.round(v * 1000) / 1000;

// ---- the real videos ------------------------------------------------------------------------------

const GROUP = /^videos\/(talking|sadtalker|liveportrait)\//;
const TALKING_FOLDERS = /^videos\/(?:talking\/|sadtalker\/|liveportrait\/assets\/examples\/driving\/)/;

/** The person a label names, the key of the split: VoxCeleb2 rows name one person with and without an id. */
const personOf = (identity: string) => identity.replace(/\s*\(VoxCeleb2[^)]*\)\s*$/, '').trim();

/**
 * 'dev' or 'test', from a hash of the person, the same every run. The salt is the first of those tried
 * (split0:, split1:, …) that gives each split about half the speaking people and some of each kind of
 * clip (224 px VoxCeleb2 crops, 512 px, HD): with 22 speaking people, a split can otherwise hold no HD clip.
 */
export const splitOf = (identity: string): Split => (hash32(`split2:${personOf(identity)}`) % 2 === 0 ? 'dev' : 'test');

let bonaFideCache: Promise<BonaFideVideo[]> | undefined;

/** The real speaking videos with sound (talking/, sadtalker/, liveportrait's driving videos), sorted by path. */
export function bonaFideVideos(): Promise<BonaFideVideo[]> {
  bonaFideCache ??= readBonaFide();
  return bonaFideCache;
}

/**
 * What was measured of each real video, kept beside the corpus: the attacks' windows are drawn within
 * the measured speech, so a change to src/media/audio.ts's voice-activity measure would otherwise
 * redraw the whole corpus, and two versions of the liveness code would be measured on different
 * attacks. Delete it to measure again; an entry is measured again when its file's size changes.
 */
const BONA_FIDE_CACHE = join(DEFAULT_OUT, 'bona-fide.json');

async function readBonaFide(): Promise<BonaFideVideo[]> {
  const rows = readLabels()
    .filter((r) => r.kind === 'video' && TALKING_FOLDERS.test(r.relative))
    .sort((a, b) => a.relative.localeCompare(b.relative));
  type Cached = { bytes: number; video: Omit<BonaFideVideo, 'path' | 'split' | 'person'> | null };
  const cache: Record<string, Cached> = existsSync(BONA_FIDE_CACHE) ? JSON.parse(readFileSync(BONA_FIDE_CACHE, 'utf8')) : {};
  const videos: BonaFideVideo[] = [];
  let measured = 0;
  for (const row of rows) {
    const bytes = statSync(row.path).size;
    let known = cache[row.relative];
    if (known?.bytes !== bytes) {
      known = cache[row.relative] = { bytes, video: await measureVideo(row) };
      measured++;
    }
    // The split and the person follow the identity column as it is now.
    if (known.video) videos.push({ ...known.video, path: row.path, identity: row.identity, person: personOf(row.identity), split: splitOf(row.identity) });
  }
  if (measured > 0) {
    mkdirSync(DEFAULT_OUT, { recursive: true });
    writeFileSync(BONA_FIDE_CACHE, `${JSON.stringify(cache, null, 1)}\n`);
  }
  return videos;
}

/** Probe and speech of one real video; null without a sound track. */
async function measureVideo(row: LabelRow): Promise<Omit<BonaFideVideo, 'path' | 'split' | 'person'> | null> {
  const facts = await probe(row.path, { timeoutMs: 60_000 });
  // Liveportrait's driving videos without a sound track are not reading videos; those with one stay
  // (some have sound but nobody speaks: the evaluator filters on speechS).
  if (!facts.audio.present) return null;
  const speech = speechActivity(await decodePcm(row.path, { timeoutMs: 120_000, maxSeconds: 600 }));
  const first = speech.segments[0];
  const last = speech.segments.at(-1);
  const group = row.relative.match(GROUP)![1]!;
  return {
    id: `${group}-${basename(row.relative, '.mp4')}`,
    relative: row.relative,
    identity: row.identity,
    hasAudio: true,
    durationS: r3(facts.video.durationS),
    width: facts.video.width,
    height: facts.video.height,
    fps: r3(facts.video.fps),
    speechS: speech.speechSeconds,
    // A little margin around the voice: a clip may start on a breath before the first word.
    speechStartS: first ? r3(Math.max(0, first.start - 0.2)) : 0,
    speechEndS: last ? r3(Math.min(facts.video.durationS, last.end + 0.2)) : 0,
  };
}

const speechSpan = (v: BonaFideVideo) => v.speechEndS - v.speechStartS;

// ---- ffmpeg ---------------------------------------------------------------------------------------

let ffmpegPath: string | undefined;

/** One ffmpeg at a time (awaited), one thread each: the machine is shared. */
async function ffmpeg(args: string[], options: { stdin?: Uint8Array; maxOutputBytes?: number } = {}): Promise<Buffer> {
  ffmpegPath ??= locate('ffmpeg').path;
  const { stdout } = await run(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-filter_threads', '1', '-filter_complex_threads', '1', ...args], {
    timeoutMs: 900_000,
    ...options,
  });
  return stdout;
}

/** An input file from `start` for `duration` seconds, decoded on one thread. */
const input = (path: string, start: number, duration?: number) => [
  '-threads', '1', '-ss', String(r3(Math.max(0, start))), ...(duration === undefined ? [] : ['-t', String(r3(duration))]), '-i', path,
];

/** Even dimensions with the source's aspect and the given short side. */
function sizeFor(v: { width: number; height: number }, shortSide: number): { width: number; height: number } {
  const even = (x: number) => Math.max(2, 2 * Math.round(x / 2));
  return v.width <= v.height
    ? { width: even(shortSide), height: even((shortSide * v.height) / v.width) }
    : { width: even((shortSide * v.width) / v.height), height: even(shortSide) };
}

/** RGB frames of `path` from `start`, scaled to width×height: one frame, or `count` at `fps`. */
async function decodeFrames(path: string, start: number, width: number, height: number, fps?: number, count = 1): Promise<RgbImage[]> {
  const frameBytes = width * height * 3;
  const rate = fps === undefined ? [] : [`fps=${fps}`];
  const out = await ffmpeg(
    [...input(path, start), '-vf', [...rate, `scale=${width}:${height}`, 'setsar=1'].join(','), '-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { maxOutputBytes: frameBytes * count + 1024 },
  );
  const frames: RgbImage[] = [];
  for (let i = 0; i + frameBytes <= out.length; i += frameBytes) frames.push({ data: out.subarray(i, i + frameBytes), width, height });
  if (frames.length === 0) throw new Error(`${path}: no frame decoded at ${start} s`);
  return frames;
}

// ---- what every attack draws ----------------------------------------------------------------------

/** Output format of one attack. */
interface Encoding {
  width: number;
  height: number;
  crf: number;
  fps: number;
  durationS: number;
  audioKbps: number;
  noise: number;
  /** x264 VBV rate, kbit/s: what keeps the file under LIMITS.fileBytes. */
  maxKbps: number;
}

function drawEncoding(rng: Rng, source: BonaFideVideo, durationS: number, options: { fps?: number[]; maxLongSide?: number } = {}): Encoding {
  const aspect = Math.max(source.width, source.height) / Math.min(source.width, source.height);
  const maxShort = Math.min(LIMITS.shortSide[1], (options.maxLongSide ?? Infinity) / aspect);
  const shortSide = Math.max(LIMITS.shortSide[0], Math.round(rng.uniform(LIMITS.shortSide[0], maxShort)));
  const audioKbps = rng.int(LIMITS.audioKbps[0] / 8, LIMITS.audioKbps[1] / 8) * 8;
  const d = r2(durationS);
  return {
    ...sizeFor(source, shortSide),
    crf: rng.int(LIMITS.crf[0], LIMITS.crf[1]),
    fps: rng.pick(options.fps ?? LIMITS.fps),
    durationS: d,
    audioKbps,
    noise: rng.int(LIMITS.noise[0], LIMITS.noise[1]),
    maxKbps: Math.min(4000, Math.floor((LIMITS.fileBytes * 8) / d / 1000 - audioKbps - 16)),
  };
}

/** A clip length within the bounds and within `available` seconds (the source's speech). */
const drawDuration = (rng: Rng, available: number) => Math.min(rng.uniform(LIMITS.durationS[0], LIMITS.durationS[1]), available);

/** Where a clip of `d` seconds starts within the source's speech (at random where the speech is longer). */
const drawStart = (rng: Rng, v: BonaFideVideo, d: number) => r2(Math.max(0, rng.uniform(v.speechStartS, Math.max(v.speechStartS, v.speechEndS - d))));

/** Noise, pixel format and nothing else after it: every stream ends with this. */
const cameraNoise = (e: Encoding) => `noise=alls=${e.noise}:allf=t+u,format=yuv420p`;

/** The output options: x264 with a rate cap, AAC, the clip length, one thread. */
function encodeArgs(e: Encoding, audio: string | undefined, out: string): string[] {
  return [
    '-map', '[v]', ...(audio ? ['-map', audio, '-c:a', 'aac', '-b:a', `${e.audioKbps}k`] : ['-an']),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(e.crf), '-maxrate', `${e.maxKbps}k`, '-bufsize', `${e.maxKbps}k`,
    '-pix_fmt', 'yuv420p', '-r', String(e.fps), '-threads', '1', '-t', String(e.durationS), '-movflags', '+faststart', out,
  ];
}

/** Scaled to the output, resampled to its frame rate inside the graph (so that duplicated frames get their own noise), noised. */
const realVideo = (e: Encoding, label = '0:v') => `[${label}]fps=${e.fps},scale=${e.width}:${e.height},setsar=1,${cameraNoise(e)}[v]`;

/** Raw RGB frames piped in at the output's rate. */
const rawInput = (e: Encoding) => ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${e.width}x${e.height}`, '-r', String(e.fps), '-i', 'pipe:0'];

// ---- the sources of one attack --------------------------------------------------------------------

interface Pools {
  /** Speaking videos of each split. */
  speaking: Record<Split, BonaFideVideo[]>;
}

/** Another speaking video of the same split, of another person. */
function otherPerson(rng: Rng, pools: Pools, v: BonaFideVideo): BonaFideVideo {
  const others = pools.speaking[v.split].filter((o) => o.person !== v.person);
  if (others.length === 0) throw new Error(`split ${v.split} has no speaking person other than ${v.person}`);
  return rng.pick(others);
}

/** One attack, drawn: its sources (primary first), its output format and the rest of its parameters. */
interface Plan {
  sources: BonaFideVideo[];
  encoding: Encoding;
  params: Params;
}

interface AttackSpec {
  expect: LivenessCode[];
  /** Bumped when the way the type is made changes: its files are then remade (params.v). */
  version: number;
  plan(rng: Rng, primary: BonaFideVideo, pools: Pools): Plan;
  /** Writes the attack to `out`; throws Retry when the drawn material does not do (no face found). */
  make(plan: Plan, out: string): Promise<void>;
}

class Retry extends Error {}

const sinusoid = (amp: number, hz: number, phase: number) => (t: number) => amp * Math.sin(2 * Math.PI * hz * t + phase);

// ---- 1. photo-voice: a still with a voice ---------------------------------------------------------

const photoVoice: AttackSpec = {
  expect: ['LIP_MOVEMENT_TOO_SMALL'],
  version: 3,
  plan(rng, primary, pools) {
    const voice = rng.chance(1 / 3) ? otherPerson(rng, pools, primary) : primary;
    const d = drawDuration(rng, speechSpan(voice));
    const e = drawEncoding(rng, primary, d);
    // A slight constant zoom, a small hand shake, or both.
    const motion = rng.pick(['zoom', 'shake', 'both'] as const);
    return {
      sources: voice === primary ? [primary] : [primary, voice],
      encoding: e,
      params: {
        stillS: r2(rng.uniform(0, primary.durationS - 0.2)),
        voice: voice === primary ? 'own' : 'other',
        voiceStartS: drawStart(rng, voice, e.durationS),
        motion,
        // Share of the frame zoomed over the clip; negative: zooming out.
        zoom: motion === 'shake' ? 0 : r3(rng.sign() * rng.uniform(0.005, 0.03)),
        shakePx: motion === 'zoom' ? 0 : r2(rng.uniform(0.2, 3)),
        shakeHz: r2(rng.uniform(0.4, 2.5)),
        shakePhaseX: r2(rng.uniform(0, 2 * Math.PI)),
        shakePhaseY: r2(rng.uniform(0, 2 * Math.PI)),
      },
    };
  },
  async make({ sources, encoding: e, params: p }, out) {
    const [video, voice = video] = sources as [BonaFideVideo, BonaFideVideo?];
    const [still] = await decodeFrames(video.path, p.stillS as number, e.width, e.height);
    // A cut or a turned-away head would make it a photo of nobody: the attack needs a face.
    if (!(await headPoints(still!))) throw new Retry(`no face at ${p.stillS} s`);
    const frames = Math.round(e.durationS * e.fps);
    // perspective's source corners per frame ('in': the frame number): a rectangle that shrinks or grows
    // (the zoom) and moves sub-pixel (the shake; linear interpolation), with a margin for the shake.
    const t = `(in/${e.fps})`;
    const zoom = p.zoom as number;
    const c = zoom >= 0 ? `${zoom}*${t}/${e.durationS}` : `${-zoom}*(1-${t}/${e.durationS})`;
    const shake = p.shakePx as number;
    const m = shake + 1;
    const w = 2 * Math.PI * (p.shakeHz as number);
    const dx = `${shake}*sin(${r3(w)}*${t}+${p.shakePhaseX})`;
    const dy = `${r2(shake * 0.8)}*sin(${r3(w * 0.83)}*${t}+${p.shakePhaseY})`;
    const left = `(${m}+${c}*W/2+${dx})`, right = `(W-${m}-${c}*W/2+${dx})`;
    const top = `(${m}+${c}*H/2+${dy})`, bottom = `(H-${m}-${c}*H/2+${dy})`;
    const perspective = `perspective=x0=${left}:y0=${top}:x1=${right}:y1=${top}:x2=${left}:y2=${bottom}:x3=${right}:y3=${bottom}:interpolation=linear:eval=frame`;
    await ffmpeg(
      [
        ...rawInput(e), ...input(voice.path, p.voiceStartS as number, e.durationS),
        '-filter_complex', `[0:v]loop=loop=${frames - 1}:size=1:start=0,setpts=N/(${e.fps}*TB),${perspective},${cameraNoise(e)}[v]`,
        ...encodeArgs(e, '1:a', out),
      ],
      { stdin: still!.data },
    );
  },
};

// ---- 2. moved-photo: a printed photo held, tilted and bent in front of the camera -------------------

const movedPhoto: AttackSpec = {
  expect: ['LIP_MOVEMENT_TOO_SMALL'],
  version: 1,
  plan(rng, primary) {
    const d = drawDuration(rng, speechSpan(primary));
    const e = drawEncoding(rng, primary, d, { fps: [25], maxLongSide: LIMITS.warpedLongSide });
    const tone = rng.uniform(90, 235);
    const tint = () => Math.round(Math.min(255, tone * rng.uniform(0.9, 1.1)));
    return {
      sources: [primary],
      encoding: e,
      params: {
        stillS: r2(rng.uniform(0, primary.durationS - 0.2)),
        voiceStartS: drawStart(rng, primary, e.durationS),
        // The print: a crop around the face, `faceShare` of its width the face's; portrait aspect; a paper margin or none.
        // Held close, as an attacker would, so that the face stays large enough to be measured.
        faceShare: r2(rng.uniform(0.4, 0.6)),
        printAspect: r2(rng.uniform(0.7, 1)),
        printFill: r2(rng.uniform(0.75, 0.95)),
        paperMargin: rng.chance(0.5) ? r3(rng.uniform(0.02, 0.06)) : 0,
        // Slow hand motion: rotation, scale, translation (shares of the frame), perspective tilt (degrees), each a base plus a slow sinusoid.
        rotBaseDeg: r2(rng.uniform(-3, 3)), rotAmpDeg: r2(rng.uniform(1, 5)),
        scaleBase: r3(rng.uniform(-0.04, 0.04)), scaleAmp: r3(rng.uniform(0.01, 0.06)),
        shiftAmp: r3(rng.uniform(0.01, 0.05)), shiftBase: r3(rng.uniform(-0.03, 0.03)),
        tiltXDeg: r2(rng.uniform(2, 9)), tiltYDeg: r2(rng.uniform(2, 9)), tiltBaseDeg: r2(rng.uniform(-6, 6)),
        motionHz: r3(rng.uniform(0.05, 0.3)),
        shakePx: r2(rng.uniform(0.3, 1.5)), shakeHz: r2(rng.uniform(1, 3)),
        // Vertical displacement across the print (a sheet bowed between the fingers), share of its height; 0: flat.
        bend: rng.chance(0.5) ? r3(rng.sign() * rng.uniform(0.01, 0.04)) : 0,
        gainBase: r3(rng.uniform(-0.1, 0.1)), gainAmp: r3(rng.uniform(0.02, 0.1)),
        cast: rng.chance(0.5) ? [0, 1, 2].map(() => r3(rng.uniform(0.94, 1.06))).join(',') : '1,1,1',
        background: rng.chance(0.5) ? 'flat' : 'gradient',
        colourA: [tint(), tint(), tint()].join(','),
        colourB: [tint(), tint(), tint()].join(','),
        gradientDeg: rng.int(0, 359),
        phaseSeed: rng.int(1, 1e9),
      },
    };
  },
  async make({ sources: [video], encoding: e, params: p }, out) {
    const print = await printOf(video!, p, e);
    const frames = Math.round(e.durationS * e.fps);
    const buffer = Buffer.alloc(frames * e.width * e.height * 3);
    const scene = movedPhotoScene(print, p, e);
    for (let k = 0; k < frames; k++) scene(k / e.fps, buffer.subarray(k * e.width * e.height * 3, (k + 1) * e.width * e.height * 3));
    await ffmpeg([...rawInput(e), ...input(video!.path, p.voiceStartS as number, e.durationS), '-filter_complex', `[0:v]${cameraNoise(e)}[v]`, ...encodeArgs(e, '1:a', out)], { stdin: buffer });
  },
};

/** The printed photo: the frame at stillS cropped around the face, at the size it takes in the output, with its paper margin. */
async function printOf(video: BonaFideVideo, p: Params, e: Encoding): Promise<RgbImage> {
  const scale = Math.min(1, 1280 / Math.max(video.width, video.height));
  const fw = 2 * Math.round((video.width * scale) / 2), fh = 2 * Math.round((video.height * scale) / 2);
  const [frame] = await decodeFrames(video.path, p.stillS as number, fw, fh);
  const face = (await detectFaces(frame!, { detector: 'auto' }))[0];
  if (!face) throw new Retry(`no face at ${p.stillS} s`);
  // The crop: the face `faceShare` of its width, the face a little above the centre, inside the frame.
  const aspect = p.printAspect as number;
  let cw = face.box.width / (p.faceShare as number);
  let ch = cw / aspect;
  const fit = Math.min(1, fw / cw, fh / ch);
  cw = Math.floor(cw * fit);
  ch = Math.floor(ch * fit);
  const cx = face.box.x + face.box.width / 2, cy = face.box.y + face.box.height * 0.6;
  const left = Math.round(Math.min(Math.max(0, cx - cw / 2), fw - cw));
  const top = Math.round(Math.min(Math.max(0, cy - ch * 0.45), fh - ch));
  // Its size in the output: `printFill` of the frame's height, narrower than the frame.
  let ph = e.height * (p.printFill as number);
  let pw = ph * aspect;
  if (pw > e.width * 0.9) {
    ph *= (e.width * 0.9) / pw;
    pw = e.width * 0.9;
  }
  const margin = Math.round((p.paperMargin as number) * ph);
  const inner = { width: Math.max(8, Math.round(pw) - 2 * margin), height: Math.max(8, Math.round(ph) - 2 * margin) };
  const paper = { r: 242, g: 240, b: 234 };
  const { data, info } = await sharp(frame!.data, { raw: { width: fw, height: fh, channels: 3 } })
    .extract({ left, top, width: cw, height: ch })
    .resize(inner.width, inner.height, { fit: 'fill' })
    .extend({ top: margin, bottom: margin, left: margin, right: margin, background: paper })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * The scene at time t: the print under a homography (3-D rotation, scale, shift, seen by a pinhole
 * camera) and, when `bend`, bowed (a vertical shift that grows towards the middle of its width), over a
 * flat or gradient background, under a slowly drifting light. Inverse mapping with bilinear sampling.
 */
function movedPhotoScene(print: RgbImage, p: Params, e: Encoding): (t: number, out: Buffer) => void {
  const { width: W, height: H } = e;
  const pw = print.width, ph = print.height;
  const phases = new Rng(p.phaseSeed as number);
  const hz = p.motionHz as number;
  // Each slow curve at its own frequency (0.6–1.6× the base), so that the motions do not move in step.
  const slow = (amp: number) => sinusoid(amp, hz * phases.uniform(0.6, 1.6), phases.uniform(0, 2 * Math.PI));
  const deg = Math.PI / 180;
  const rot = slow((p.rotAmpDeg as number) * deg), scale = slow(p.scaleAmp as number);
  const shiftX = slow((p.shiftAmp as number) * W), shiftY = slow((p.shiftAmp as number) * H);
  const baseX = (p.shiftBase as number) * W * phases.sign(), baseY = (p.shiftBase as number) * H * phases.sign();
  const tiltX = slow((p.tiltXDeg as number) * deg), tiltY = slow((p.tiltYDeg as number) * deg);
  const tiltBase = (p.tiltBaseDeg as number) * deg;
  const tiltBaseOnX = phases.chance(0.5);
  const shakeW = 2 * Math.PI * (p.shakeHz as number);
  const shakePhase = [phases.uniform(0, 6.28), phases.uniform(0, 6.28)];
  const bendAmp = (p.bend as number) * ph, bendWobble = slow(0.3), bendShade = Math.abs(p.bend as number) * 2;
  const gain = slow(p.gainAmp as number);
  const cast = String(p.cast).split(',').map(Number);
  const f = 1.2 * Math.max(W, H);
  const background = backgroundOf(p, W, H);

  return (t, out) => {
    // Rotation Rz·Rx·Ry, applied to the print's plane at depth f, then projected: H = K·[s·r1, s·r2, T].
    const a = (p.rotBaseDeg as number) * deg + rot(t);
    const ax = (tiltBaseOnX ? tiltBase : 0) + tiltX(t), ay = (tiltBaseOnX ? 0 : tiltBase) + tiltY(t);
    const s = 1 + (p.scaleBase as number) + scale(t);
    const [ca, sa, cx, sx, cy, sy] = [Math.cos(a), Math.sin(a), Math.cos(ax), Math.sin(ax), Math.cos(ay), Math.sin(ay)];
    // Columns 1 and 2 of Rz(a)·Rx(ax)·Ry(ay).
    const col1 = [ca * cy - sa * sx * sy, sa * cy + ca * sx * sy, -cx * sy];
    const col2 = [-sa * cx, ca * cx, sx];
    const u = W / 2 + baseX + shiftX(t) + (p.shakePx as number) * Math.sin(shakeW * t + shakePhase[0]!);
    const v = H / 2 + baseY + shiftY(t) + (p.shakePx as number) * 0.8 * Math.sin(shakeW * 0.87 * t + shakePhase[1]!);
    // Print pixel (X, Y) → world: s·r1·(X − pw/2) + s·r2·(Y − ph/2) + (0, 0, f).
    const c0 = col1.map((q) => s * q), c1 = col2.map((q) => s * q);
    const c2 = [0, 1, 2].map((i) => (i === 2 ? f : 0) - c0[i]! * (pw / 2) - c1[i]! * (ph / 2));
    const K = (col: number[]) => [f * col[0]! + u * col[2]!, f * col[1]! + v * col[2]!, col[2]!];
    const inv = invert3([K(c0), K(c1), K(c2)]);
    const bendNow = bendAmp * (1 + bendWobble(t));
    const light = 1 + (p.gainBase as number) + gain(t);
    const mul = cast.map((c) => c * light);
    let o = 0;
    for (let y = 0; y < H; y++) {
      // Homogeneous print coordinates of (x + 0.5, y + 0.5), stepped along the row.
      let hx = inv[0]! * 0.5 + inv[1]! * (y + 0.5) + inv[2]!;
      let hy = inv[3]! * 0.5 + inv[4]! * (y + 0.5) + inv[5]!;
      let hw = inv[6]! * 0.5 + inv[7]! * (y + 0.5) + inv[8]!;
      for (let x = 0; x < W; x++, o += 3, hx += inv[0]!, hy += inv[3]!, hw += inv[6]!) {
        const X = hx / hw;
        const q = (2 * X) / pw - 1;
        const bow = 1 - q * q;
        const Y = hy / hw - bendNow * bow;
        // Coverage of the print's edge, one pixel wide: no stair-stepped border.
        const alpha = Math.min(1, Math.max(0, Math.min(X, pw - X, Y, ph - Y) + 0.5));
        let r = background[o]!, g = background[o + 1]!, b = background[o + 2]!;
        if (alpha > 0) {
          const shade = 1 - bendShade * q * q;
          const [pr, pg, pb] = bilinear(print, X - 0.5, Y - 0.5);
          r += alpha * (pr * shade - r);
          g += alpha * (pg * shade - g);
          b += alpha * (pb * shade - b);
        }
        out[o] = clamp255(r * mul[0]!);
        out[o + 1] = clamp255(g * mul[1]!);
        out[o + 2] = clamp255(b * mul[2]!);
      }
    }
  };
}

/** Flat colour A, or a linear gradient from A to B at gradientDeg. */
function backgroundOf(p: Params, W: number, H: number): Float32Array {
  const A = String(p.colourA).split(',').map(Number), B = String(p.colourB).split(',').map(Number);
  const bg = new Float32Array(W * H * 3);
  const angle = ((p.gradientDeg as number) * Math.PI) / 180;
  const dx = Math.cos(angle), dy = Math.sin(angle);
  const span = Math.abs(dx) * W + Math.abs(dy) * H;
  for (let y = 0, o = 0; y < H; y++) {
    for (let x = 0; x < W; x++, o += 3) {
      const w = p.background === 'flat' ? 0 : ((x - W / 2) * dx + (y - H / 2) * dy) / span + 0.5;
      for (let c = 0; c < 3; c++) bg[o + c] = A[c]! + w * (B[c]! - A[c]!);
    }
  }
  return bg;
}

const sampled: [number, number, number] = [0, 0, 0];

/** Bilinear sample at pixel-centre coordinates, clamped to the edge; the returned array is reused. */
function bilinear(img: RgbImage, x: number, y: number): [number, number, number] {
  const w = img.width, h = img.height, d = img.data;
  x = Math.min(Math.max(x, 0), w - 1);
  y = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
  const fx = x - x0, fy = y - y0;
  const i00 = (y0 * w + x0) * 3, i10 = (y0 * w + x1) * 3, i01 = (y1 * w + x0) * 3, i11 = (y1 * w + x1) * 3;
  for (let c = 0; c < 3; c++) {
    const top = d[i00 + c]! + fx * (d[i10 + c]! - d[i00 + c]!);
    const bottom = d[i01 + c]! + fx * (d[i11 + c]! - d[i01 + c]!);
    sampled[c] = top + fy * (bottom - top);
  }
  return sampled;
}

const clamp255 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** Inverse of the 3×3 matrix with columns c0, c1, c2, row-major. */
function invert3([c0, c1, c2]: number[][]): number[] {
  const [a, d, g] = c0 as [number, number, number], [b, e, h] = c1 as [number, number, number], [c, f, i] = c2 as [number, number, number];
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((x) => x / det);
}

// ---- 3. rigid-face: a still moved along a real head track ----------------------------------------

/** Frames a second of the head track. */
const TRACK_FPS = 10;
/** Most zoom into the moving still: beyond it the face would be cropped. */
const MAX_ZOOM = 1.2;
/** Share of the picture's size it may be mirrored past its edge, where the still moves further than the zoom hides. */
const MIRROR_MARGIN = 0.08;

const rigidFace: AttackSpec = {
  expect: ['LIP_MOVEMENT_TOO_SMALL'],
  version: 3,
  plan(rng, primary, pools) {
    // The head's own movement while it said these words (2/3), or another person's head.
    const track = rng.chance(2 / 3) ? primary : otherPerson(rng, pools, primary);
    const d = drawDuration(rng, Math.min(speechSpan(primary), speechSpan(track)));
    const e = drawEncoding(rng, primary, d, { maxLongSide: LIMITS.warpedLongSide });
    const voiceStartS = drawStart(rng, primary, e.durationS);
    return {
      sources: track === primary ? [primary] : [primary, track],
      encoding: e,
      params: {
        stillS: r2(rng.uniform(0, primary.durationS - 0.2)),
        voiceStartS,
        track: track === primary ? 'own' : 'other',
        trackStartS: track === primary ? voiceStartS : drawStart(rng, track, e.durationS),
        // Least zoom into the moving picture; more where the track moves it further (see make).
        minZoom: r3(rng.uniform(1.03, 1.08)),
        smoothSamples: rng.pick([3, 5]),
      },
    };
  },
  async make({ sources, encoding: e, params: p }, out) {
    const [video, trackVideo = video] = sources as [BonaFideVideo, BonaFideVideo?];
    const [still] = await decodeFrames(video.path, p.stillS as number, e.width, e.height);
    const stillPoints = await headPoints(still!);
    if (!stillPoints) throw new Retry(`no face at ${p.stillS} s`);
    const motion = await headTrack(trackVideo, p.trackStartS as number, e.durationS, p.smoothSamples as number);
    // The track's motion is relative to its median pose; A carries the still's face onto that pose, so
    // that A⁻¹·M·A moves the still's face as the tracked face moved (rotation, scale and shift relative to the face).
    const A = estimateSimilarity(stillPoints, motion.reference);
    const Ainv = invertSimilarity(A);
    const frames = Math.round(e.durationS * e.fps);
    // The zoom about the centre that keeps the picture's edge out of view on every frame, up to
    // MAX_ZOOM; beyond the edge the picture is mirrored, up to MIRROR_MARGIN of it. Where even that
    // does not do, the motion is damped towards rest until it does: a head that rolls 12° turns the
    // whole frame about the face, and another person's head may move more than this frame allows.
    const zoomBy = (z: number): Similarity => ({ a: z, b: 0, tx: (e.width / 2) * (1 - z), ty: (e.height / 2) * (1 - z) });
    const movesAt = (damp: number) =>
      Array.from({ length: frames }, (_, k) => {
        const m = motion.at(k / e.fps);
        return compose(Ainv, compose({ a: 1 + damp * (m.a - 1), b: damp * m.b, tx: damp * m.tx, ty: damp * m.ty }, A));
      });
    const covers = (moves: Similarity[], z: number) => moves.every((m) => cornersInside(invertSimilarity(compose(zoomBy(z), m)), e.width, e.height));
    let damp = 1;
    let moves = movesAt(damp);
    while (damp > 0.2 && !covers(moves, MAX_ZOOM)) moves = movesAt((damp -= 0.1));
    let zoom = p.minZoom as number;
    while (zoom < MAX_ZOOM && !covers(moves, zoom)) zoom = Math.min(MAX_ZOOM, zoom + 0.01);
    if (damp < 1) console.error(`  motion damped to ${damp.toFixed(1)}, zoom ${zoom.toFixed(2)}`);
    const size = e.width * e.height * 3;
    const buffer = Buffer.alloc(frames * size);
    moves.forEach((m, k) => warpSimilarity(still!, invertSimilarity(compose(zoomBy(zoom), m)), buffer.subarray(k * size, (k + 1) * size)));
    await ffmpeg([...rawInput(e), ...input(video.path, p.voiceStartS as number, e.durationS), '-filter_complex', `[0:v]${cameraNoise(e)}[v]`, ...encodeArgs(e, '1:a', out)], { stdin: buffer });
  },
};

/** Eye centres and nose tip of the largest face, or undefined. */
async function headPoints(image: RgbImage): Promise<Point[] | undefined> {
  const face = (await detectFaces(image, { detector: 'auto' }))[0];
  return face && face.landmarks.length === 68 ? fivePoints(face.landmarks).slice(0, 3) : undefined;
}

/**
 * The head's movement in `video` from `start` for `duration` s, sampled at TRACK_FPS: per sample the
 * similarity from the median pose to that frame's pose, frames without a face filled from their
 * neighbours, smoothed over `smooth` samples, linearly interpolated in time.
 */
async function headTrack(video: BonaFideVideo, start: number, duration: number, smooth: number): Promise<{ reference: Point[]; at: (t: number) => Similarity }> {
  const scale = Math.min(1, LIMITS.warpedLongSide / Math.max(video.width, video.height));
  const w = 2 * Math.round((video.width * scale) / 2), h = 2 * Math.round((video.height * scale) / 2);
  const count = Math.ceil(duration * TRACK_FPS) + 1;
  const frames = await decodeFrames(video.path, start, w, h, TRACK_FPS, count);
  const points: Array<Point[] | undefined> = [];
  for (const frame of frames) points.push(await headPoints(frame));
  const found = points.filter((q): q is Point[] => q !== undefined);
  if (found.length < 0.6 * frames.length) throw new Retry(`${video.id}: a face in only ${found.length} of ${frames.length} track frames`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const reference = [0, 1, 2].map((i) => ({ x: median(found.map((q) => q[i]!.x)), y: median(found.map((q) => q[i]!.y)) }));
  const raw = points.map((q) => (q ? estimateSimilarity(reference, q) : undefined));
  const filled = fillGaps(raw);
  const keys = ['a', 'b', 'tx', 'ty'] as const;
  const half = smooth >> 1;
  const smoothed = filled.map((_, i) => {
    const window = filled.slice(Math.max(0, i - half), i + half + 1);
    return Object.fromEntries(keys.map((k) => [k, window.reduce((s, m) => s + m[k], 0) / window.length])) as unknown as Similarity;
  });
  return {
    reference,
    at(t) {
      const x = Math.min(Math.max(t * TRACK_FPS, 0), smoothed.length - 1);
      const i = Math.floor(x), j = Math.min(i + 1, smoothed.length - 1), f = x - i;
      return Object.fromEntries(keys.map((k) => [k, smoothed[i]![k] + f * (smoothed[j]![k] - smoothed[i]![k])])) as unknown as Similarity;
    },
  };
}

/** Missing samples linearly interpolated between the found ones, held at the ends. */
function fillGaps(xs: Array<Similarity | undefined>): Similarity[] {
  const known = xs.flatMap((x, i) => (x ? [i] : []));
  return xs.map((x, i) => {
    if (x) return x;
    const after = known.find((k) => k > i);
    const before = [...known].reverse().find((k) => k < i);
    if (before === undefined) return xs[after!]!;
    if (after === undefined) return xs[before]!;
    const f = (i - before) / (after - before), p = xs[before]!, q = xs[after]!;
    return { a: p.a + f * (q.a - p.a), b: p.b + f * (q.b - p.b), tx: p.tx + f * (q.tx - p.tx), ty: p.ty + f * (q.ty - p.ty) };
  });
}

/** p ↦ outer(inner(p)). */
function compose(outer: Similarity, inner: Similarity): Similarity {
  return {
    a: outer.a * inner.a - outer.b * inner.b,
    b: outer.b * inner.a + outer.a * inner.b,
    tx: outer.a * inner.tx - outer.b * inner.ty + outer.tx,
    ty: outer.b * inner.tx + outer.a * inner.ty + outer.ty,
  };
}

function invertSimilarity({ a, b, tx, ty }: Similarity): Similarity {
  const n = a * a + b * b;
  const ia = a / n, ib = -b / n;
  return { a: ia, b: ib, tx: -(ia * tx - ib * ty), ty: -(ib * tx + ia * ty) };
}

/** Whether the output's corners, mapped back by `inv`, fall inside the width×height picture widened by MIRROR_MARGIN. */
function cornersInside(inv: Similarity, width: number, height: number): boolean {
  const mx = MIRROR_MARGIN * width, my = MIRROR_MARGIN * height;
  return [[0, 0], [width, 0], [0, height], [width, height]].every(([x, y]) => {
    const sx = inv.a * x! - inv.b * y! + inv.tx, sy = inv.b * x! + inv.a * y! + inv.ty;
    return sx >= -mx && sx <= width + mx && sy >= -my && sy <= height + my;
  });
}

/** A coordinate mirrored back into [0, size − 1] (once: the margin is far below the size). */
const mirror = (v: number, size: number) => (v < 0 ? -v : v > size - 1 ? 2 * (size - 1) - v : v);

/** out(p) = image(inv(p)), bilinear, mirrored past the edge. */
function warpSimilarity(image: RgbImage, inv: Similarity, out: Buffer): void {
  const { width: W, height: H } = image;
  let o = 0;
  for (let y = 0; y < H; y++) {
    // Pixel centres: sample position of (x + 0.5, y + 0.5), minus 0.5.
    let sx = inv.a * 0.5 - inv.b * (y + 0.5) + inv.tx - 0.5;
    let sy = inv.b * 0.5 + inv.a * (y + 0.5) + inv.ty - 0.5;
    for (let x = 0; x < W; x++, o += 3, sx += inv.a, sy += inv.b) {
      const [r, g, b] = bilinear(image, mirror(sx, W), mirror(sy, H));
      out[o] = clamp255(r);
      out[o + 1] = clamp255(g);
      out[o + 2] = clamp255(b);
    }
  }
}

// ---- 4. dubbed: the face of one person, the voice of another ---------------------------------------

const dubbed: AttackSpec = {
  expect: ['LIP_MOVEMENT_TOO_SMALL'],
  version: 1,
  plan(rng, primary, pools) {
    const voice = otherPerson(rng, pools, primary);
    const e = drawEncoding(rng, primary, drawDuration(rng, Math.min(speechSpan(primary), speechSpan(voice))));
    return {
      sources: [primary, voice],
      encoding: e,
      params: { startS: drawStart(rng, primary, e.durationS), voiceStartS: drawStart(rng, voice, e.durationS) },
    };
  },
  async make({ sources: [video, voice], encoding: e, params: p }, out) {
    await ffmpeg([...input(video!.path, p.startS as number, e.durationS), ...input(voice!.path, p.voiceStartS as number, e.durationS), '-filter_complex', realVideo(e), ...encodeArgs(e, '1:a', out)]);
  },
};

// ---- 5. shifted-voice: the own voice, out of step ------------------------------------------------

const shiftedVoice: AttackSpec = {
  expect: ['LIP_MOVEMENT_TOO_SMALL'],
  version: 1,
  plan(rng, primary) {
    // + : the voice comes late (2/3 of cases), − : early.
    const shiftS = r2((rng.chance(2 / 3) ? 1 : -1) * rng.uniform(0.3, 1.5));
    const span = speechSpan(primary);
    const e = drawEncoding(rng, primary, drawDuration(rng, Math.max(Math.min(span, LIMITS.minDurationS), span - Math.abs(shiftS))));
    // The picture within the speech; where the recording allows, the shifted voice too (else it is padded with silence).
    const lo = Math.max(primary.speechStartS, shiftS);
    const hi = Math.min(primary.speechEndS, primary.durationS + Math.min(0, shiftS)) - e.durationS;
    return { sources: [primary], encoding: e, params: { startS: hi >= lo ? r2(rng.uniform(lo, hi)) : drawStart(rng, primary, e.durationS), shiftS } };
  },
  async make({ sources: [video], encoding: e, params: p }, out) {
    const start = p.startS as number, shift = p.shiftS as number;
    // The voice heard at t is the recording's at start + t − shift: silence first where that is before 0, silence after where past the end.
    const from = start - shift;
    const delayMs = Math.round(Math.max(0, -from) * 1000);
    const audio = `[1:a]${delayMs > 0 ? `adelay=${delayMs}|${delayMs},` : ''}apad,atrim=0:${e.durationS},asetpts=PTS-STARTPTS[a]`;
    await ffmpeg([...input(video!.path, start, e.durationS), ...input(video!.path, Math.max(0, from), e.durationS + 1), '-filter_complex', `${realVideo(e)};${audio}`, ...encodeArgs(e, '[a]', out)]);
  },
};

// ---- 6. face-switch: one person, then another ----------------------------------------------------

const faceSwitch: AttackSpec = {
  expect: ['FACE_CHANGED'],
  version: 2,
  plan(rng, primary, pools) {
    const other = otherPerson(rng, pools, primary);
    const voice = rng.chance(0.5) ? 'A' : 'A+B';
    const share = rng.uniform(0.3, 0.7);
    // A's voice throughout needs A's speech for the whole clip; B's part needs B's speech for its share.
    const d = drawDuration(rng, Math.min(voice === 'A' ? speechSpan(primary) : speechSpan(primary) / share, speechSpan(other) / (1 - share)));
    const e = drawEncoding(rng, primary, d);
    const switchS = r2(share * e.durationS);
    return {
      sources: [primary, other],
      encoding: e,
      params: { voice, switchS, startS: drawStart(rng, primary, voice === 'A' ? e.durationS : switchS), otherStartS: drawStart(rng, other, e.durationS - switchS) },
    };
  },
  async make({ sources: [a, b], encoding: e, params: p }, out) {
    const switchS = p.switchS as number;
    const rest = r3(e.durationS - switchS);
    // B cut to A's aspect around B's face: a centred crop of a portrait clip would cut its face off at the top.
    const crop = await faceCrop(b!, p.otherStartS as number, e.width / e.height);
    const fitB = `fps=${e.fps},crop=${crop.width}:${crop.height}:${crop.x}:${crop.y},scale=${e.width}:${e.height},setsar=1`;
    const mono = 'aresample=44100,aformat=sample_fmts=fltp:channel_layouts=mono';
    const video = `[0:v]trim=duration=${switchS},setpts=PTS-STARTPTS,fps=${e.fps},scale=${e.width}:${e.height},setsar=1[va];[1:v]setpts=PTS-STARTPTS,${fitB}[vb];[va][vb]concat=n=2:v=1:a=0,${cameraNoise(e)}[v]`;
    const audio =
      p.voice === 'A'
        ? `[0:a]atrim=0:${e.durationS},asetpts=PTS-STARTPTS[a]`
        : `[0:a]atrim=0:${switchS},asetpts=PTS-STARTPTS,${mono}[aa];[1:a]atrim=0:${rest},asetpts=PTS-STARTPTS,${mono}[ab];[aa][ab]concat=n=2:v=0:a=1[a]`;
    await ffmpeg([...input(a!.path, p.startS as number, e.durationS), ...input(b!.path, p.otherStartS as number, rest), '-filter_complex', `${video};${audio}`, ...encodeArgs(e, '[a]', out)]);
  },
};

/** The largest rectangle of the given aspect inside the video's frame, centred on the face at `t` as far as the frame allows. */
async function faceCrop(video: BonaFideVideo, t: number, aspect: number): Promise<{ x: number; y: number; width: number; height: number }> {
  const scale = Math.min(1, LIMITS.warpedLongSide / Math.max(video.width, video.height));
  const w = 2 * Math.round((video.width * scale) / 2), h = 2 * Math.round((video.height * scale) / 2);
  const [frame] = await decodeFrames(video.path, t, w, h);
  const face = (await detectFaces(frame!, { detector: 'auto' }))[0];
  if (!face) throw new Retry(`no face in ${video.id} at ${t} s`);
  const even = (v: number) => 2 * Math.floor(v / 2);
  const width = even(Math.min(video.width, video.height * aspect)), height = even(Math.min(video.height, video.width / aspect));
  const cx = (face.box.x + face.box.width / 2) / scale, cy = (face.box.y + face.box.height / 2) / scale;
  const x = even(Math.min(Math.max(0, cx - width / 2), video.width - width)), y = even(Math.min(Math.max(0, cy - height / 2), video.height - height));
  return { x, y, width, height };
}

// ---- 7. muted: no voice --------------------------------------------------------------------------

const muted: AttackSpec = {
  expect: ['NO_SOUND'],
  version: 1,
  plan(rng, primary) {
    const e = drawEncoding(rng, primary, drawDuration(rng, speechSpan(primary)));
    // Half without an audio stream; the rest with one that carries digital silence or a faint hiss.
    const audio = rng.chance(0.5) ? 'none' : rng.pick(['silent', 'noise'] as const);
    return { sources: [primary], encoding: e, params: { startS: drawStart(rng, primary, e.durationS), audio, noiseDbfs: audio === 'noise' ? r2(rng.uniform(-64, -56)) : 0 } };
  },
  async make({ sources: [video], encoding: e, params: p }, out) {
    // White noise uniform in ±A has an RMS of A/√3.
    const amplitude = (Math.sqrt(3) * 10 ** ((p.noiseDbfs as number) / 20)).toFixed(6);
    const audio = p.audio === 'silent' ? ';[0:a]volume=0[a]' : p.audio === 'noise' ? `;anoisesrc=d=${e.durationS}:c=white:r=44100:a=${amplitude}[a]` : '';
    await ffmpeg([...input(video!.path, p.startS as number, e.durationS), '-filter_complex', realVideo(e) + audio, ...encodeArgs(e, p.audio === 'none' ? undefined : '[a]', out)]);
  },
};

// ---- 8. screen-replay: the real video filmed off a screen -----------------------------------------

const screenReplay: AttackSpec = {
  expect: ['SPOOF_SUSPECTED'],
  version: 1,
  plan(rng, primary) {
    // Always a rate other than the recording's: the camera resamples the screen's frames.
    const rates = LIMITS.fps.filter((f) => Math.abs(f - primary.fps) > 0.5);
    const e = drawEncoding(rng, primary, drawDuration(rng, speechSpan(primary)), { fps: rates });
    const tone = rng.pick(['gamma', 'contrast', 'both'] as const);
    const keystone = () => r3(rng.uniform(0, 0.035));
    return {
      sources: [primary],
      encoding: e,
      params: {
        startS: drawStart(rng, primary, e.durationS),
        resample: rng.pick(['fps', 'framerate'] as const),
        gamma: tone === 'contrast' ? 1 : r2(rng.uniform(1.2, 2.2)),
        contrast: tone === 'gamma' ? 1 : r2(rng.uniform(0.6, 0.88)),
        saturation: r2(rng.uniform(0.75, 1.05)),
        blurSigma: r2(rng.uniform(0.5, 2)),
        // Shares of the width/height each corner moves: a screen seen slightly off-axis.
        keystone: [keystone(), keystone(), keystone(), keystone()].join(','),
        // Screen white point: cool, warm or green-tinted.
        cast: [rng.uniform(0.88, 1.04), rng.uniform(0.92, 1.04), rng.uniform(0.95, 1.12)].map(r3).join(','),
        // Moiré: the screen's pixel grid, turned by moireDeg, its pitch changing by moireKeystone from top to
        // bottom, point-sampled by the camera's; the pitch is drawn as the period of the bands it makes
        // (pitch 1/(1 − 1/period) camera pixels: fine dots at 4 px, broad bands at 40); depth: the luma modulation.
        moirePeriodPx: r2(rng.uniform(4, 40)),
        // A turn of θ adds bands of period ~1/θ (radians) across: within ±2.5° they stay broad.
        moireDeg: r2(rng.uniform(-2.5, 2.5)),
        moireKeystone: r3(rng.uniform(-0.04, 0.04)),
        moireDepth: r3(rng.uniform(0.03, 0.08)),
        phaseSeed: rng.int(1, 1e9),
      },
    };
  },
  async make({ sources: [video], encoding: e, params: p }, out) {
    const [k0, k1, k2, k3] = String(p.keystone).split(',').map(Number) as [number, number, number, number];
    const [cr, cg, cb] = String(p.cast).split(',');
    const rate = p.resample === 'fps' ? `fps=${e.fps}` : `framerate=fps=${e.fps}`;
    const screen = [
      rate,
      `scale=${e.width}:${e.height}`,
      `eq=gamma=${p.gamma}:contrast=${p.contrast}:saturation=${p.saturation}`,
      `colorchannelmixer=rr=${cr}:gg=${cg}:bb=${cb}`,
      `perspective=x0=W*${k0}:y0=H*${k1}:x1=W*(1-${k2}):y1=H*${k0 / 2}:x2=W*${k3 / 2}:y2=H*(1-${k3}):x3=W*(1-${k1 / 2}):y3=H*(1-${k2 / 2}):interpolation=linear`,
      'format=yuv420p',
    ];
    // The moiré multiplies the picture (overlay blend with a pattern around mid-grey), before the camera's blur and noise.
    const graph = `[0:v]${screen.join(',')}[screen];[1:v]format=yuv420p[moire];[screen][moire]blend=all_mode=overlay:shortest=1,gblur=sigma=${p.blurSigma},setsar=1,${cameraNoise(e)}[v]`;
    const pattern = moirePattern(p, e, Math.round(e.durationS * e.fps) + 2);
    await ffmpeg(
      [...input(video!.path, p.startS as number, e.durationS), '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${e.width}x${e.height}`, '-r', String(e.fps), '-i', 'pipe:0', '-filter_complex', graph, ...encodeArgs(e, '0:a', out)],
      { stdin: pattern },
    );
  },
};

const COS_STEPS = 4096;
const COS = Float32Array.from({ length: COS_STEPS }, (_, i) => Math.cos((2 * Math.PI * i) / COS_STEPS));

/**
 * Grey frames of the moiré a camera records off a screen: two crossed gratings at the screen's pixel
 * pitch, sampled at whole camera pixels, so that what survives is their alias, slow bands. The pitch
 * breathes (the hand moves towards the screen and away), the angle wanders, the phase drifts.
 */
function moirePattern(p: Params, e: Encoding, frames: number): Buffer {
  const { width: W, height: H } = e;
  const phases = new Rng(p.phaseSeed as number);
  const breathe = sinusoid(0.006, phases.uniform(0.1, 0.4), phases.uniform(0, 6.28));
  const wander = sinusoid(phases.uniform(0.1, 0.4) * (Math.PI / 180), phases.uniform(0.05, 0.3), phases.uniform(0, 6.28));
  const drift = [phases.uniform(-0.3, 0.3), phases.uniform(-0.3, 0.3)];
  const amplitude = 127 * (p.moireDepth as number);
  const pitch = 1 / (1 - 1 / (p.moirePeriodPx as number));
  const out = Buffer.alloc(frames * W * H);
  for (let k = 0, o = 0; k < frames; k++) {
    const t = k / e.fps;
    const angle = ((p.moireDeg as number) * Math.PI) / 180 + wander(t);
    const c = Math.cos(angle), s = Math.sin(angle);
    for (let y = 0; y < H; y++) {
      // Cycles per camera pixel along the screen's two axes, at this row.
      const f = 1 / (pitch * (1 + breathe(t) + (p.moireKeystone as number) * (y / H - 0.5)));
      for (let x = 0; x < W; x++, o++) {
        const u = (x * c + y * s) * f + drift[0]! * t;
        const v = (y * c - x * s) * f + drift[1]! * t;
        const cu = COS[Math.floor((u - Math.floor(u)) * COS_STEPS)]!;
        const cv = COS[Math.floor((v - Math.floor(v)) * COS_STEPS)]!;
        out[o] = Math.round(128 + amplitude * (cu + cv));
      }
    }
  }
  return out;
}

/** Every attack type: what catches it, how it is drawn, how it is made. */
const ATTACKS: Record<AttackType, AttackSpec> = {
  'photo-voice': photoVoice,
  'moved-photo': movedPhoto,
  'rigid-face': rigidFace,
  dubbed,
  'shifted-voice': shiftedVoice,
  'face-switch': faceSwitch,
  muted,
  'screen-replay': screenReplay,
};

// ---- the corpus ------------------------------------------------------------------------------------

interface Manifest {
  generator: string;
  dataDir: string;
  entries: CorpusEntry[];
}

const ATTEMPTS = 6;

/** Makes (or keeps) perType attacks of each type in `out`, writes manifest.json, and returns the entries with absolute paths. */
export async function makeCorpus(options: CorpusOptions = {}): Promise<CorpusEntry[]> {
  const perType = options.perType ?? 40;
  const seed = options.seed ?? 1;
  const types = options.types ?? [...ATTACK_TYPES];
  const out = resolve(options.out ?? DEFAULT_OUT);
  for (const t of types) if (!ATTACK_TYPES.includes(t)) throw new Error(`Expected one of ${ATTACK_TYPES.join(', ')} for types but received ${t}`);
  if (!Number.isInteger(perType) || perType < 0) throw new Error(`Expected a non-negative integer for perType but received ${perType}`);
  mkdirSync(out, { recursive: true });

  const videos = await bonaFideVideos();
  const speaking = videos.filter((v) => v.speechS >= LIMITS.minSpeechS && speechSpan(v) >= LIMITS.minDurationS);
  const pools: Pools = { speaking: { dev: speaking.filter((v) => v.split === 'dev'), test: speaking.filter((v) => v.split === 'test') } };
  for (const split of ['dev', 'test'] as const) {
    const people = new Set(pools.speaking[split].map((v) => v.person)).size;
    if (people < 2) throw new Error(`split ${split} has ${people} speaking people: dubbing and switching need two`);
  }
  console.error(`${videos.length} real videos with sound, ${speaking.length} speaking: dev ${pools.speaking.dev.length}, test ${pools.speaking.test.length}`);

  const manifestPath = join(out, 'manifest.json');
  const previous = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest).entries : [];
  const byId = new Map(previous.map((e) => [e.id, e]));
  // Types not asked for this time keep their entries.
  const entries: CorpusEntry[] = previous.filter((e) => !types.includes(e.type) && existsSync(join(out, e.path)));
  const keptOthers = entries.length;
  const save = () => {
    const manifest: Manifest = { generator: 'eval/liveness-corpus.ts', dataDir: DATA_DIR, entries: [...entries].sort((a, b) => a.id.localeCompare(b.id)) };
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  };

  const started = performance.now();
  const total = types.length * perType;
  let made = 0;
  for (const type of types) {
    const spec = ATTACKS[type];
    // Primaries in turn from each split's shuffled list: every speaking video is used about equally.
    const order = { dev: new Rng(hash32(`${seed}/${type}/dev`)).shuffle(pools.speaking.dev), test: new Rng(hash32(`${seed}/${type}/test`)).shuffle(pools.speaking.test) };
    for (let i = 0; i < perType; i++) {
      const id = `${type}-${String(i).padStart(3, '0')}`;
      const split: Split = i % 2 === 0 ? 'dev' : 'test';
      const rng = new Rng(hash32(`${seed}/${type}/${i}`));
      let entry: CorpusEntry | undefined;
      for (let attempt = 0; attempt < ATTEMPTS && !entry; attempt++) {
        // A retry draws again; from the third on, with the next primary.
        const list = order[split];
        const primary = list[(Math.floor(i / 2) + Math.max(0, attempt - 1)) % list.length]!;
        const plan = spec.plan(rng, primary, pools);
        const candidate: CorpusEntry = {
          id,
          type,
          split,
          path: `${id}.mp4`,
          sources: plan.sources.map((s) => s.relative),
          params: { v: spec.version, seed, attempt, ...plan.encoding, ...plan.params },
          expect: spec.expect,
        };
        const old = byId.get(id);
        const file = join(out, candidate.path);
        if (old && existsSync(file) && JSON.stringify([old.sources, old.params]) === JSON.stringify([candidate.sources, candidate.params])) {
          entry = candidate;
          break;
        }
        // An attempt that failed when this version made the entry fails again: drawn (above), not made.
        if (old && existsSync(file) && old.params.v === spec.version && old.params.seed === seed && (old.params.attempt as number) > attempt) continue;
        const partial = join(out, `${id}.partial.mp4`);
        const t0 = performance.now();
        try {
          await spec.make(plan, partial);
          // The noise does not always survive a high CRF on a still scene (x264 skips the blocks): such a
          // file is drawn again rather than kept with frames a frame difference would catch.
          const repeats = await repeatedFrames(partial);
          if (repeats > 0) throw new Retry(`${repeats} frames identical to the one before`);
          renameSync(partial, file);
        } catch (error) {
          if (error instanceof Retry) {
            console.error(`  ${id}: ${error.message}; drawing again`);
            continue;
          }
          throw error;
        } finally {
          rmSync(partial, { force: true });
        }
        made++;
        entry = candidate;
        console.error(`[${entries.length + 1 - keptOthers}/${total}] ${id} ${split} ${plan.sources.map((s) => s.id).join(' + ')}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${(statSync(file).size / 1e6).toFixed(2)} MB`);
      }
      if (!entry) {
        console.error(`  ${id}: no attempt worked; left out`);
        continue;
      }
      entries.push(entry);
      if (made > 0) save();
    }
  }
  save();
  removeStale(out, new Set(entries.map((e) => e.path)));
  console.error(`${entries.length} entries (${made} made) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return entries.map((e) => ({ ...e, path: join(out, e.path) }));
}

/** Decoded frames identical to the frame before them (framemd5 of the video stream). */
export async function repeatedFrames(path: string): Promise<number> {
  const text = (await ffmpeg(['-threads', '1', '-i', path, '-map', '0:v', '-f', 'framemd5', 'pipe:1'])).toString('utf8');
  const hashes = text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(',').at(-1)!.trim());
  return hashes.filter((h, i) => i > 0 && h === hashes[i - 1]).length;
}

/** Attack files of earlier runs that the manifest no longer lists (a smaller --per-type, another seed's leftovers). */
function removeStale(out: string, keep: Set<string>): void {
  const ours = new RegExp(`^(${ATTACK_TYPES.join('|')})-\\d{3}(\\.partial)?\\.mp4$`);
  for (const name of readdirSync(out)) if (ours.test(name) && !keep.has(name)) rmSync(join(out, name));
}

/** The entries of a corpus made before, with absolute paths. */
export function readCorpus(out = DEFAULT_OUT): CorpusEntry[] {
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
  return manifest.entries.map((e) => ({ ...e, path: resolve(out, e.path) }));
}

// ---- command line ----------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  requireData();
  const { values } = parseArgs({
    options: { 'per-type': { type: 'string', default: '40' }, seed: { type: 'string', default: '1' }, types: { type: 'string' }, out: { type: 'string' } },
  });
  // Below the other work on this machine, and so are the ffmpeg processes it starts.
  setPriority(Math.max(getPriority(), 10));
  const entries = await makeCorpus({
    perType: Number(values['per-type']),
    seed: Number(values.seed),
    types: values.types ? (values.types.split(',') as AttackType[]) : undefined,
    out: values.out,
  });
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(`${e.type} ${e.split}`, (counts.get(`${e.type} ${e.split}`) ?? 0) + 1);
  const bytes = entries.reduce((sum, e) => sum + statSync(e.path).size, 0);
  for (const type of new Set(entries.map((e) => e.type))) console.log(`${type}: dev ${counts.get(`${type} dev`) ?? 0}, test ${counts.get(`${type} test`) ?? 0}`);
  console.log(`${entries.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${relative(process.cwd(), resolve(values.out ?? DEFAULT_OUT)) || '.'}`);
}
