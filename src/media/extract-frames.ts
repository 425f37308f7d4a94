/**
 * extractFramesFromReadingVideo: the frames (and the facts) that verification needs from the video
 * an applicant records while reading digits aloud.
 */
import sharp from 'sharp';
import { type CallControl, type CallScope, scoped, yieldToLoop } from '../core/call-scope.js';
import { makePrivateDir, removePrivateDir } from '../core/cleanup.js';
import { ErrorCode, VerifyError } from '../core/errors.js';
import { rankingSharpness, rankingSharpnessGrey } from '../image/measures.js';
import { PCM_RATE, type SpeechFacts, decodePcm, speechActivity } from './audio.js';
import { SECOND_OPINION_BELOW_S, SILENT_PEAK_DBFS, modelSpeech } from './voice-activity.js';
import { BINARY_SCHEMA, type BinaryOptions, locate, run } from './ffmpeg.js';
import { type VideoInput, videoPath } from './input.js';
import { type AudioFacts, type VideoFacts, probe } from './probe.js';
import { type Timings, stageTimer } from '../core/timing.js';
import { DEFAULTS as DEFAULT_VALUES } from '../core/defaults.js';
import { CALL_SCHEMA } from '../core/call-scope.js';
import { checkOptions, is, withDefaults } from '../core/options.js';
import { yuv420Bytes, yuv420ToRgb } from './yuv.js';
import { type BurstPlan, CANDIDATES_PER_SLOT, type KeyframePlan, burstArgs, burstPlan, planBursts, planKeyframes } from './frame-plan.js';

/** extractFramesFromReadingVideo's options; every one has a default (DEFAULTS.frames). */
export interface ExtractFramesOptions extends BinaryOptions, CallControl {
  /** Frames to return, spread over the speech. Default 8. */
  count?: number;
  /** 'jpeg' (default) or 'raw' (RGB, 3 bytes a pixel, for direct model input). */
  format?: 'jpeg' | 'raw';
  /**
   * How to decode the candidates (the result's `decoding`): 'auto' (default: the cheapest, by the
   * keyframes the container lists and the frame size), or one forced where the keyframes allow it,
   * else 'sequential'. For measurements and tests.
   */
  decoding?: 'auto' | ReadingVideoFrames['decoding'];
  /** Largest frame size, pixels; frames are reduced inside ffmpeg. Default 720×720 (aspect kept). */
  maxWidth?: number;
  maxHeight?: number;
  /** Shortest and longest video accepted, seconds. Defaults 2 and 60 (services ask for 3–15 s of reading). */
  minDurationS?: number;
  maxDurationS?: number;
  /** Largest input, bytes (a file's size, or the bytes given). Default 200 MiB. */
  maxInputBytes?: number;
  /** Largest frame, pixels (as stored). Default 3840×2160 (4K); 8K is refused. */
  maxVideoPixels?: number;
  /** Limit on the whole call, milliseconds: past it, `TIMEOUT` (ffmpeg ended, temp data removed). Default 60,000. */
  timeoutMs?: number;
  /** Stops the call: `ABORTED`. */
  signal?: AbortSignal;
}

/** One sharp, upright frame of the reading video. */
export interface ExtractedFrame {
  /** Seconds from the start. */
  timestamp: number;
  /** JPEG bytes, or raw RGB with format 'raw'. */
  image: Buffer;
  width: number;
  height: number;
  /** Laplacian-variance sharpness of the frame (image/measures.ts), the larger the sharper. */
  sharpness: number;
}

/** extractFramesFromReadingVideo's result: the recording's facts, the speech span and its sharp frames. */
export interface ReadingVideoFrames {
  video: VideoFacts;
  audio: AudioFacts & Partial<SpeechFacts>;
  /** The part of the video the frames were taken from, seconds: the speech, or the whole video. */
  span: { start: number; end: number; source: 'speech' | 'whole' };
  frames: ExtractedFrame[];
  /**
   * How the candidates were decoded: 'keyframes' (only the keyframes, when every slot holds one: phone
   * clips with a keyframe a second and a few seconds of speech), 'keyframe-bursts' (a few frames from a
   * keyframe in each slot, or from the slot's start, one ffmpeg run) or 'sequential' (the whole span,
   * thinned: keyframes too sparse for bursts to pay, as in browser WebM or long-GOP encodes).
   */
  decoding: 'keyframes' | 'keyframe-bursts' | 'sequential';
  /** Milliseconds per stage. */
  timings: Timings<FramesStage>;
}

/** extractFramesFromReadingVideo's stages, as its `timings` name them. */
export type FramesStage = 'probe' | 'audio' | 'frames';

const DEFAULTS = DEFAULT_VALUES.frames;
type Resolved = typeof DEFAULTS & ExtractFramesOptions;

/** extractFramesFromReadingVideo's options (analyzeReadingVideo and verifyApplicant's `video` take them too). */
export const FRAMES_SCHEMA = {
  ...BINARY_SCHEMA,
  ...CALL_SCHEMA,
  count: is.integer(1, 64),
  format: is.oneOf(['jpeg', 'raw'] as const),
  decoding: is.oneOf(['auto', 'keyframes', 'keyframe-bursts', 'sequential'] as const),
  maxWidth: is.positiveInteger,
  maxHeight: is.positiveInteger,
  minDurationS: is.number(0),
  maxDurationS: is.positiveNumber,
  maxInputBytes: is.positiveInteger,
  maxVideoPixels: is.positiveInteger,
} as const;

/** The facts of a reading video and its sharpest upright frames over the speech, for compareFaces. */
export async function extractFramesFromReadingVideo(video: VideoInput, options: ExtractFramesOptions = {}): Promise<ReadingVideoFrames> {
  const o = extractOptions(checkOptions(options, FRAMES_SCHEMA));
  return scoped('extractFramesFromReadingVideo', o, DEFAULTS.timeoutMs, (scope) => extract(video, o, scope));
}

async function extract(video: VideoInput, o: Resolved, scope: CallScope): Promise<ReadingVideoFrames> {
  const { timings, lap } = stageTimer(scope);

  // A private folder (mode 0700) for the frames ffmpeg writes (and the video, given as bytes); removed in
  // finally, or by cleanup.ts if the process ends first.
  const tempDir = await makePrivateDir('video');
  try {
    const path = await videoPath(video, tempDir, o.maxInputBytes);

    const runOptions = { ffmpegPath: o.ffmpegPath, ffprobePath: o.ffprobePath, timeoutMs: scope.timeoutMs, signal: scope.signal };
    const { video: v, audio, span, packets } = await readRecording(path, o, runOptions, lap);
    const want = o.decoding ?? 'auto';
    const keyframes = want === 'auto' || want === 'keyframes' ? planKeyframes(packets, span, o.count) : undefined;
    const megapixels = (v.storedWidth * v.storedHeight) / 1e6;
    const plan = keyframes ? undefined : want === 'auto' ? planBursts(packets, span, o.count, CANDIDATES_PER_SLOT, megapixels) : want === 'keyframe-bursts' ? burstPlan(packets, span, o.count) : undefined;
    let decoding: ReadingVideoFrames['decoding'] = keyframes ? 'keyframes' : plan ? 'keyframe-bursts' : 'sequential';
    let frames = await sharpestFrames(path, v, span, o, keyframes ?? plan, runOptions);
    if (!frames) {
      // ffmpeg decoded other keyframes than the container lists (a decoder's idea of a keyframe differs): decode the span.
      decoding = 'sequential';
      frames = (await sharpestFrames(path, v, span, o, undefined, runOptions))!;
    }
    lap('frames');
    return { video: v, audio, span, frames, decoding, timings };
  } finally {
    await removePrivateDir(tempDir);
  }
}

/** What a recording is, before any frame is decoded: its facts, its audio (and the PCM), the span to take frames from, its packets. */
export interface RecordingFacts {
  video: VideoFacts;
  audio: ReadingVideoFrames['audio'];
  pcm?: Int16Array;
  span: ReadingVideoFrames['span'];
  packets: { times: number[]; keyframes: number[] };
}

/** The probe (with the packet listing) and the audio, side by side; the limits checked; the speech span found. */
export async function readRecording(path: string, o: Resolved, runOptions: RunSettings, lap: (stage: FramesStage) => void): Promise<RecordingFacts> {
  // The audio is decoded beside the probe, before it is known to exist (a file without audio makes
  // that ffmpeg fail, which is then ignored); when the probe refuses the file, it is stopped.
  const audioStop = new AbortController();
  const audioSignal = runOptions.signal ? AbortSignal.any([runOptions.signal, audioStop.signal]) : audioStop.signal;
  const early = decodePcm(path, { ...runOptions, signal: audioSignal, maxSeconds: o.maxDurationS + 1 }).then(
    (pcm) => ({ pcm }),
    (error: unknown) => ({ error }),
  );
  let facts: Awaited<ReturnType<typeof probe>>;
  try {
    facts = await probe(path, { ...runOptions, packets: true });
    checkLimits(facts.video, o);
  } catch (error) {
    audioStop.abort();
    await early;
    throw error;
  }
  const v = facts.video;
  lap('probe');
  const decodedAudio = await early;
  if (facts.audio.present && 'error' in decodedAudio) throw decodedAudio.error;
  const pcm = facts.audio.present && 'pcm' in decodedAudio ? decodedAudio.pcm.subarray(0, Math.ceil((v.durationS + 1) * PCM_RATE)) : undefined;
  const packets = facts.packets!;
  const audio: ReadingVideoFrames['audio'] = { ...facts.audio, ...(pcm ? speechActivity(pcm) : undefined) };
  // A voice the level cannot tell from a loud, steady background is heard by the model (voice-activity.ts).
  if (pcm && audio.speechSeconds! < SECOND_OPINION_BELOW_S && audio.peakDbfs! > SILENT_PEAK_DBFS) {
    const heard = await modelSpeech(pcm, runOptions.signal);
    if (heard.speechSeconds > audio.speechSeconds!) Object.assign(audio, heard, { foundBy: 'model' });
  }
  lap('audio');

  const speech = audio.segments ?? [];
  const span: ReadingVideoFrames['span'] =
    speech.length > 0 && (audio.speechSeconds ?? 0) >= 0.3
      ? { start: speech[0].start, end: Math.min(v.durationS, speech[speech.length - 1].end), source: 'speech' }
      : { start: 0, end: v.durationS, source: 'whole' };
  return { video: v, audio, pcm, span, packets };
}

/** The video's size and length against the caller's limits. */
function checkLimits(v: VideoFacts, o: Resolved): void {
  if (v.storedWidth * v.storedHeight > o.maxVideoPixels) {
    throw new VerifyError(ErrorCode.VIDEO_TOO_LARGE, `The video is ${v.storedWidth}×${v.storedHeight}; at most ${o.maxVideoPixels} pixels a frame are accepted. Record at 1080p or 4K.`, {
      details: { width: v.storedWidth, height: v.storedHeight, maxVideoPixels: o.maxVideoPixels },
    });
  }
  if (!(v.durationS >= o.minDurationS) || v.durationS > o.maxDurationS) {
    throw new VerifyError(
      ErrorCode.VIDEO_DURATION,
      `The video lasts ${v.durationS.toFixed(1)} s; it must last ${o.minDurationS}–${o.maxDurationS} s.`,
      { details: { durationS: v.durationS, minDurationS: o.minDurationS, maxDurationS: o.maxDurationS } },
    );
  }
}

type RunSettings = BinaryOptions & { timeoutMs: number; signal?: AbortSignal };
interface Candidate {
  slot: number;
  /** Position in the frames ffmpeg wrote. */
  index: number;
  /** Seconds, on ffmpeg's `-ss` clock (the file's start time is 0). */
  timestamp: number;
  score: number;
}
// Width of the scoring copy of each candidate, pixels: the grid rankingSharpness samples anyway.
const SCORE_WIDTH = 160;

/**
 * The candidates for each slot (count equal parts of the span), decoded by one ffmpeg run that turns
 * them upright and scales them; the sharpest candidate of each slot is returned. ffmpeg writes two
 * copies: the frames at full size to a file, of which only the chosen ones are read, and the middle
 * of each (where the face is: background blur does not count) at 160 px wide through the pipe, to rank
 * them. On the 8 s 512×512 clip, 32 full frames (25 MB) took 45 ms through a pipe and scoring them
 * 30–40 ms; the 160 px copies take 15–20 ms to score, and 8 frames are read.
 */
/** The caller's options over the defaults. */
export function extractOptions(options: ExtractFramesOptions): Resolved {
  return withDefaults(DEFAULTS, options);
}

/**
 * The candidates of the 'sequential' decoding as two more outputs of another ffmpeg run over the span
 * (analyzeReadingVideo's tracking decode, so that the video is decoded once): `graph(input)` turns the
 * span's frames (timestamps from 0 at its start) into them, `outputs(fd)` writes them to the pipes fd and
 * fd + 1 (`limits` their sizes), and `pick(full, scores)` keeps the sharpest of each slot once ffmpeg is done.
 */
export function spanCandidates(v: VideoFacts, span: ReadingVideoFrames['span'], o: Resolved) {
  const shape = candidateShape(v, o, { full: 'cfull', score: 'cscore', tmp: 'cs' });
  const length = Math.max(0.1, span.end - span.start);
  const wanted = o.count * CANDIDATES_PER_SLOT;
  const rate = wanted / length;
  const raw = (label: string, format: string, to: string) => ['-map', `[${label}]`, '-frames:v', String(wanted), '-f', 'rawvideo', '-pix_fmt', format, to];
  return {
    graph: (input: string) => `${input}fps=${rate.toFixed(4)},${shape.split}`,
    outputs: (fd: number) => [...raw('cfull', 'yuv420p', `pipe:${fd}`), ...raw('cscore', 'gray', `pipe:${fd + 1}`)],
    limits: [wanted * shape.frameBytes + 1024, wanted * shape.scoreBytes + 1024] as const,
    async pick(full: Buffer, scores: Buffer): Promise<ExtractedFrame[]> {
      const slotOf: number[] = [];
      const timeOf: number[] = [];
      evenSlots(Math.floor(scores.length / shape.scoreBytes), o.count, span.start, rate, slotOf, timeOf);
      return pickSharpest(scores, slotOf, timeOf, full, shape, o);
    },
  };
}

/** The size of the frames returned and of their scoring copies, and the filters that make both from a frame. */
function candidateShape(v: VideoFacts, o: Resolved, labels = { full: 'full', score: 'score', tmp: 's' }) {
  const scale = Math.min(1, o.maxWidth / v.width, o.maxHeight / v.height);
  const width = Math.max(2, Math.round((v.width * scale) / 2) * 2);
  const height = Math.max(2, Math.round((v.height * scale) / 2) * 2);
  // The middle half across and two thirds down, as rankingSharpness is given below.
  const crop = { w: even(width / 2), h: even((height * 2) / 3), x: even(width / 4), y: even(height / 6) };
  const scoreWidth = Math.min(crop.w, SCORE_WIDTH);
  const scoreHeight = Math.max(2, even((crop.h * scoreWidth) / crop.w));
  return {
    width,
    height,
    frameBytes: yuv420Bytes(width, height),
    scoreWidth,
    scoreHeight,
    scoreBytes: scoreWidth * scoreHeight,
    split: `scale=${width}:${height},split[${labels.full}][${labels.tmp}];[${labels.tmp}]crop=${crop.w}:${crop.h}:${crop.x}:${crop.y},scale=${scoreWidth}:${scoreHeight}[${labels.score}]`,
  };
}
type Shape = ReturnType<typeof candidateShape>;

export async function sharpestFrames(path: string, v: VideoFacts, span: ReadingVideoFrames['span'], o: Resolved, plan: BurstPlan | KeyframePlan | undefined, runOptions: RunSettings): Promise<ExtractedFrame[] | undefined> {
  const shape = candidateShape(v, o);
  const { scoreBytes, split } = shape;
  // YUV (pipe 3) and grey (pipe 1) out of ffmpeg, RGB made here for the frames kept (yuv.ts). Pipes, not
  // files: the applicant's raw frames never sit in the temp folder.
  const tail = (frames: number) => [
    '-filter_complex_threads', '1',
    '-map', '[full]', '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:3',
    '-map', '[score]', '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1',
  ];
  const fullBytes = (frames: number) => [frames * shape.frameBytes + 1024];
  const ffmpeg = locate('ffmpeg', runOptions).path;
  const slotOf: number[] = [];
  const timeOf: number[] = [];
  let scores: Buffer;
  let full: Buffer[];
  if (plan && 'keyframes' in plan) {
    // Only keyframes are decoded (-skip_frame nokey), from the start to the span's end, each written
    // once (-vsync 0: no frame repeated to keep a constant rate); those inside the span are candidates.
    ({ stdout: scores, extra: full } = await run(
      ffmpeg,
      ['-v', 'error', '-skip_frame', 'nokey', '-an', '-sn', '-dn', '-t', plan.until.toFixed(3), '-i', path, '-filter_complex', `[0:v]${split}`, '-vsync', '0', ...tail(plan.decoded)],
      { ...runOptions, maxOutputBytes: plan.decoded * scoreBytes + 1024, extraOutputs: fullBytes(plan.decoded) },
    ));
    if (scores.length !== plan.decoded * scoreBytes) return undefined;
    for (const k of plan.keyframes) {
      slotOf[k.index] = k.slot;
      timeOf[k.index] = k.time;
    }
  } else if (plan) {
    ({ stdout: scores, extra: full } = await run(ffmpeg, [...burstArgs(path, plan, split), ...tail(plan.frames)], { ...runOptions, maxOutputBytes: plan.frames * scoreBytes + 1024, extraOutputs: fullBytes(plan.frames) }));
    for (const burst of plan.bursts) {
      for (const timestamp of burst.timestamps) {
        slotOf.push(burst.slot);
        timeOf.push(timestamp);
      }
    }
  } else {
    const length = Math.max(0.1, span.end - span.start);
    const wanted = o.count * CANDIDATES_PER_SLOT;
    const rate = wanted / length;
    ({ stdout: scores, extra: full } = await run(
      ffmpeg,
      [
        '-v', 'error',
        // Frames no other frame refers to (most B-frames) are not decoded: a 10 s 1080p H.264 clip
        // decodes in 0.73× the time, and the frames that are decoded keep their full quality.
        '-skip_frame', 'noref',
        '-an', '-sn', '-dn',
        '-ss', span.start.toFixed(3),
        '-t', length.toFixed(3),
        '-i', path,
        '-filter_complex', `[0:v]fps=${rate.toFixed(4)},${split}`,
        ...tail(wanted),
      ],
      { ...runOptions, maxOutputBytes: wanted * scoreBytes + 1024, extraOutputs: fullBytes(wanted) },
    ));
    evenSlots(Math.floor(scores.length / scoreBytes), o.count, span.start, rate, slotOf, timeOf);
  }
  return pickSharpest(scores, slotOf, timeOf, full[0]!, shape, o);
}

/** Candidates decoded at `rate` from `start`, shared out into `count` slots in order. */
function evenSlots(decoded: number, count: number, start: number, rate: number, slotOf: number[], timeOf: number[]): void {
  const slots = Math.min(count, decoded);
  for (let slot = 0; slot < slots; slot++) {
    const from = Math.floor((slot * decoded) / slots);
    const to = Math.max(from + 1, Math.floor(((slot + 1) * decoded) / slots));
    for (let i = from; i < to; i++) {
      slotOf[i] = slot;
      timeOf[i] = start + (i + 0.5) / rate;
    }
  }
}

/**
 * The sharpest candidate of each slot, by its scoring copy, read back from the file of full frames and
 * made RGB (and JPEG unless `format: 'raw'`).
 */
async function pickSharpest(scores: Buffer, slotOf: number[], timeOf: number[], full: Buffer, shape: Shape, o: Resolved): Promise<ExtractedFrame[]> {
  const { width, height, frameBytes, scoreWidth, scoreHeight, scoreBytes } = shape;
  const decoded = Math.min(slotOf.length, Math.floor(scores.length / scoreBytes));
  if (decoded === 0) throw new VerifyError(ErrorCode.NOT_A_VIDEO, 'No frame could be decoded from the video.');
  const best = new Map<number, Candidate>();
  for (let index = 0; index < decoded; index++) {
    const slot = slotOf[index];
    if (slot === undefined) continue;
    const data = scores.subarray(index * scoreBytes, (index + 1) * scoreBytes);
    const score = rankingSharpnessGrey({ data, width: scoreWidth, height: scoreHeight }, { x0: 0, y0: 0, x1: scoreWidth, y1: scoreHeight });
    if (!(score <= (best.get(slot)?.score ?? -1))) best.set(slot, { slot, index, timestamp: timeOf[index], score });
  }
  const chosen = [...best.values()].sort((a, b) => a.slot - b.slot);
  {
    // One frame at a time (its RGB is made here, ~3 ms for 540×720), a turn of the event loop after each;
    // the JPEG encodes run on sharp's threads meanwhile.
    const frames: Array<Promise<ExtractedFrame>> = [];
    for (const c of chosen) {
      const yuv = full.subarray(c.index * frameBytes, (c.index + 1) * frameBytes);
      if (yuv.length !== frameBytes) throw new VerifyError(ErrorCode.FFMPEG_FAILED, `ffmpeg wrote ${Math.floor(full.length / frameBytes)} whole frames, not the ${decoded} it scored.`);
      const data = yuv420ToRgb(yuv, width, height);
      // Central part of the frame, where the face is: background blur does not count.
      const sharpness = Math.round(rankingSharpness({ data, width, height }, { x0: width / 4, y0: height / 6, x1: (width * 3) / 4, y1: (height * 5) / 6 }) * 10) / 10;
      const image = o.format === 'raw' ? Promise.resolve(data) : sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
      const frame = image.then((bytes) => ({ timestamp: Math.round(c.timestamp * 1000) / 1000, image: bytes, width, height, sharpness }));
      // Handled at once, so that a failed encode is not an unhandled rejection while the next frame is
      // read; Promise.all below still rejects with it.
      frame.catch(() => undefined);
      frames.push(frame);
      await yieldToLoop();
    }
    return await Promise.all(frames);
  }
}

const even = (x: number) => Math.max(2, Math.round(x / 2) * 2);
