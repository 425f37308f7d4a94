/**
 * analyzeReadingVideo: is a live person reading in front of the camera? The liveness signals of the
 * digit-reading video — speech, lips moving with the voice, the same single face throughout,
 * presentation-attack scores, quality, and (with the host's speech recogniser) the digits.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CallScope, scoped } from '../core/call-scope.js';
import { makePrivateDir, removePrivateDir } from '../core/cleanup.js';
import { ErrorCode, VerifyError, invalidArgument } from '../core/errors.js';
import { alignFace, cosine, embedOne } from '../models/embed.js';
import { fivePoints, yawRatio } from '../models/align.js';
import { THRESHOLDS } from '../compare/calibration.js';
import { type Box, type Point, detectFaces, landmarkBox, landmarksInBox } from '../models/detect.js';
import { livenessScore } from '../models/presentation-attack.js';
import type { RgbImage } from '../image/decode.js';
import { laplacianVariance } from '../image/measures.js';
import { stageTimer } from '../photo/options.js';
import type { Message } from '../photo/types.js';
import { ENVELOPE_RATE, levelEnvelope } from '../media/audio.js';
import { type ExtractFramesOptions, type ReadingVideoFrames, extractOptions, planKeyframes, readRecording, sharpestFrames, spanCandidates } from '../media/extract-frames.js';
import { locate, run } from '../media/ffmpeg.js';
import { type VideoInput, definedOnly, settled, videoPath } from '../media/input.js';

export interface AnalyzeReadingVideoOptions extends Omit<ExtractFramesOptions, 'format' | 'count'> {
  /** Frames a second sampled over the speech for the lip and face signals. Default 10. */
  fps?: number;
  /** The digits the host asked the applicant to read, e.g. '3806'. */
  challengeDigits?: string;
  /** The host's speech recogniser: 16 kHz mono PCM in, text out. Without it, digits are 'not-checked'. */
  transcribe?: (pcm16k: Int16Array) => Promise<string>;
  /** Sharp frames returned for face comparison (extractFramesFromReadingVideo's `count`). Default 8. */
  frameCount?: number;
  /** Limit on the whole call, milliseconds: past it, `TIMEOUT` (ffmpeg ended, temp data removed). Default 120,000. */
  timeoutMs?: number;
}

export type LivenessCode =
  | 'NO_SOUND'
  | 'VOLUME_TOO_LOW'
  | 'LIP_MOVEMENT_TOO_SMALL'
  | 'FACE_NOT_VISIBLE'
  | 'MULTIPLE_FACES'
  | 'FACE_CHANGED'
  | 'SPOOF_SUSPECTED'
  | 'TOO_DARK'
  | 'TOO_BLURRY'
  | 'FACE_TOO_SMALL'
  | 'DIGITS_MISMATCH';

export type SignalId = 'speech' | 'lipSync' | 'faceConsistency' | 'presentationAttack' | 'quality' | 'digits';

export interface LivenessSignal<M = Record<string, number | string | null>, L = Record<string, number | string>> {
  id: SignalId;
  /** 'not-checked' for digits without a recogniser; 'skipped' when the signal could not be measured (the message says why). */
  status: 'passed' | 'failed' | 'skipped' | 'not-checked';
  passed: boolean;
  measured: M;
  limit: L;
  /** The failure codes of this signal; empty when it passed. */
  codes: LivenessCode[];
  message: Message;
}

export interface ReadingVideoAnalysis {
  /** Every signal that decides passed, passed. (presentationAttack only reports; see its message.) */
  passed: boolean;
  signals: Record<SignalId, LivenessSignal>;
  /** All failure codes, in signal order. */
  codes: LivenessCode[];
  /** The recording's facts and the sharp frames for compareFaces, as extractFramesFromReadingVideo returns them. */
  recording: ReadingVideoFrames;
  /** Per sampled frame: seconds, faces found (−1: not detected on this frame, tracked), mouth opening. */
  samples: Array<{ t: number; faces: number; mouthOpening: number | null }>;
  timings: Record<string, number>;
}

/** Every limit, in one place; each measured on the real and attack videos of `npm run eval:liveness`. */
export const LIVENESS_LIMITS = Object.freeze({
  /** Seconds of voice. */
  minSpeechSeconds: 1,
  /** Level of the voiced segments, dBFS (speech is typically −30 to −15). */
  minSpeechDbfs: -40,
  /** Spread (10th to 90th percentile) of the mouth opening over the speech, in eye distances. */
  minMouthRange: 0.05,
  /** Correlation of mouth opening with the voice's loudness, best lag within ±0.2 s. */
  minLipCorrelation: 0.1,
  /** Share of sampled frames with exactly one face. */
  minOneFaceShare: 0.8,
  /** Similarity of a frame's face to the video's own face below which it is another person (THRESHOLDS[1e-2]). */
  minSameFaceSimilarity: THRESHOLDS[1e-2],
  /** Mean luma of the face, 0–255. */
  minFaceLuma: 50,
  /** Laplacian variance of the aligned 112×112 face. */
  minFaceSharpness: 20,
  /** Eye distance, pixels of the recording. */
  minEyeDistancePx: 30,
});

const DEFAULTS = { fps: 10, frameCount: 8, timeoutMs: 120_000, maxFileBytes: 200 * 1024 * 1024 };
// The dense frames are analysed this small: the face fills a third of a selfie video's width.
const DENSE_MAX_SIDE = 320;
// At most this many dense frames (15 s at 10 fps).
const MAX_DENSE_FRAMES = 150;
// Face detection every this many seconds (faces counted, box re-anchored); landmarks follow the face in between.
const DETECT_EVERY_S = 1;
// Faces compared for consistency: raw embedding length (upright clear faces ~3.4–4) and yaw ratio.
const MIN_COMPARABLE_NORM = 2.5;
const MAX_COMPARABLE_YAW = 0.35;
// An embedding (face consistency, quality) every this many seconds.
const EMBED_EVERY_S = 0.3;
// The cost of a face that is not there is bounded (a 20 s faceless video took 30–80 s when every frame
// was searched): a lost face is searched on this many frames in a row, then on the detection cadence;
// a video whose first detections find no face at all is given up on (FACE_NOT_VISIBLE); and no track
// runs more detections than this (15 s at one a second, plus searches).
const SEARCH_FRAMES = 3;
const GIVE_UP_AFTER = 6;
const MAX_DETECTIONS = 30;
// Frames outside the speech compared for a change of person, at most (spread evenly).
const MAX_OUTSIDE_FRAMES = 10;
// A detection re-anchors the track only when the tracked box has drifted this far off the detected face (IoU).
const REANCHOR_IOU = 0.5;

export async function analyzeReadingVideo(video: VideoInput, options: AnalyzeReadingVideoOptions = {}): Promise<ReadingVideoAnalysis> {
  const o = { ...DEFAULTS, ...definedOnly(options) };
  if (!(o.fps >= 4 && o.fps <= 30)) throw invalidArgument('options.fps', 'a number from 4 to 30', o.fps);
  if (o.challengeDigits !== undefined && !/^\d{1,32}$/.test(o.challengeDigits)) throw invalidArgument('options.challengeDigits', 'a string of 1–32 digits', o.challengeDigits);
  if (o.transcribe !== undefined && typeof o.transcribe !== 'function') throw invalidArgument('options.transcribe', 'a function (pcm16k) => Promise<string>', o.transcribe);
  return scoped('analyzeReadingVideo', o, DEFAULTS.timeoutMs, (scope) => analyze(video, o, scope));
}

async function analyze(video: VideoInput, o: typeof DEFAULTS & AnalyzeReadingVideoOptions, scope: CallScope): Promise<ReadingVideoAnalysis> {
  const { timings, lap } = stageTimer(scope);
  const tempDir = await makePrivateDir('liveness');
  try {
    const path = await videoPath(video, tempDir, o.maxFileBytes);
    const { fps: _f, challengeDigits: _c, transcribe: _t, frameCount, ...frameOptions } = o;
    const eo = extractOptions({ ...frameOptions, count: frameCount });
    const runOptions = { ffmpegPath: o.ffmpegPath, ffprobePath: o.ffprobePath, timeoutMs: scope.timeoutMs, signal: scope.signal };
    // As extractFramesFromReadingVideo: the facts, and the audio decoded once (speech facts, then the lips and the digits).
    const recordingTimer = stageTimer(scope);
    const { video: v, audio, pcm, span, packets } = await readRecording(path, eo, runOptions, recordingTimer.lap);
    lap('audio');
    const length = Math.min(span.end - span.start, MAX_DENSE_FRAMES / o.fps);
    // Outside the speech, a frame a second: someone else may sit down before or after the reading.
    const outside = span.source === 'speech' && (span.start > 1 || span.end < v.durationS - 1);
    // The frames for compareFaces: keyframes only where every slot holds one (a fraction of a decode);
    // else the candidates of the 'sequential' decoding come from the tracking decode: the video is decoded once.
    const keyframes = (eo.decoding ?? 'auto') === 'auto' || eo.decoding === 'keyframes' ? planKeyframes(packets, span, eo.count) : undefined;
    const candidates = keyframes ? undefined : spanCandidates(v, span, eo, tempDir);
    const [fromKeyframes, { dense, sparse }] = await settled([
      keyframes ? sharpestFrames(path, join(tempDir, 'keyframes.yuv'), v, span, eo, keyframes, runOptions) : undefined,
      trackingFrames(path, v, span.start, length, o.fps, outside, join(tempDir, 'outside.rgb'), runOptions, candidates && { ...candidates, length: span.end - span.start }),
    ] as const);
    // ffmpeg decoded other keyframes than the container lists: the span, as extractFramesFromReadingVideo does then.
    const frames = candidates ? await candidates.pick() : (fromKeyframes ?? (await sharpestFrames(path, join(tempDir, 'span.yuv'), v, span, eo, undefined, runOptions))!);
    recordingTimer.lap('frames');
    const recording: ReadingVideoFrames = { video: v, audio, span, frames, decoding: fromKeyframes ? 'keyframes' : 'sequential', timings: recordingTimer.timings };
    lap('decode');

    const tracked = await trackFace(dense, o.fps, scope);
    const around = sparse ? await trackFace(spread(sparse.filter((f) => f.t < span.start - 0.5 || f.t > span.end + 0.5), MAX_OUTSIDE_FRAMES), 1, scope) : [];
    lap('faces');

    const speech = speechSignal(recording, pcm);
    const lipSync = lipSyncSignal(tracked, pcm, recording);
    const faceConsistency = consistencySignal(tracked, around);
    const presentationAttack = await attackSignal(tracked);
    const quality = qualitySignal(tracked, v.width / (dense[0]?.width ?? v.width));
    lap('signals');
    const digits = await digitsSignal(pcm, o.challengeDigits, o.transcribe);
    lap('digits');

    const signals = { speech, lipSync, faceConsistency, presentationAttack, quality, digits };
    const codes = Object.values(signals).flatMap((s) => s.codes);
    return {
      passed: Object.values(signals).every((s) => s.status !== 'failed'),
      signals,
      codes,
      recording,
      samples: tracked.map((f) => ({ t: round(f.t, 3), faces: f.faces, mouthOpening: f.mouth === null ? null : round(f.mouth, 4) })),
      timings,
    };
  } finally {
    await removePrivateDir(tempDir);
  }
}

interface DenseFrame extends RgbImage {
  t: number;
}

/**
 * The frames the face is tracked on, upright and reduced inside ffmpeg, all from one decode: `fps` over
 * [start, start + length] through the pipe; with `outside`, a frame a second over the whole video (at most
 * 150 s) to a file; with `candidates`, compareFaces' candidate frames from the same span (extract-frames.ts
 * spanCandidates) to two more files. Before, the speech was decoded three times for these.
 */
async function trackingFrames(
  path: string,
  v: ReadingVideoFrames['video'],
  start: number,
  length: number,
  fps: number,
  outside: boolean,
  outsideFile: string,
  runOptions: { ffmpegPath?: string; timeoutMs: number; signal?: AbortSignal },
  candidates?: { graph: (input: string) => string; outputs: string[]; length: number },
): Promise<{ dense: DenseFrame[]; sparse?: DenseFrame[] }> {
  const k = Math.min(1, DENSE_MAX_SIDE / Math.max(v.width, v.height));
  const width = Math.max(2, Math.round((v.width * k) / 2) * 2);
  const height = Math.max(2, Math.round((v.height * k) / 2) * 2);
  const frameBytes = width * height * 3;
  const max = Math.ceil(length * fps) + 2;
  const whole = Math.min(v.durationS, MAX_DENSE_FRAMES);
  const wholeMax = Math.ceil(whole) + 2;
  const raw = (frames: number, to: string) => ['-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', to];
  // The speech's frames at `fps` for the tracker ([d], the pipe); a frame a second over the whole video
  // ([s], a file) with `outside`; compareFaces' candidates from the speech's frames with `candidates`.
  // The scaler is named: a complex filtergraph otherwise scales softer than -vf (face sharpness 20% lower).
  const scaled = `scale=${width}:${height}:flags=bicubic`;
  // The candidates cover the whole speech; the tracker its first `length` seconds (at most 15 s).
  const spanLength = Math.max(length, candidates?.length ?? 0);
  const tracked = `trim=duration=${length.toFixed(3)},fps=${fps},${scaled}[d]`;
  const speech = candidates ? `split[sp][c];[c]${candidates.graph('')};[sp]${tracked}` : tracked;
  const graph = outside
    ? // Times from the first frame, as -ss counts them; the speech's frames are cut from the same decode.
      `[0:v]setpts=PTS-STARTPTS,split[a][b];[a]trim=start=${start.toFixed(3)}:duration=${spanLength.toFixed(3)},setpts=PTS-STARTPTS,${speech};[b]fps=1,${scaled}[s]`
    : `[0:v]${speech}`;
  const input = outside ? ['-t', whole.toFixed(3), '-i', path] : ['-ss', start.toFixed(3), '-t', spanLength.toFixed(3), '-i', path];
  const args = [
    '-v', 'error', ...input, '-an', '-sn', '-dn',
    '-filter_complex', graph,
    '-map', '[d]', ...raw(max, 'pipe:1'),
    ...(outside ? ['-map', '[s]', ...raw(wholeMax, outsideFile)] : []),
    ...(candidates?.outputs ?? []),
  ];
  const { stdout } = await run(locate('ffmpeg', runOptions).path, args, { ...runOptions, maxOutputBytes: frameBytes * max + 1 });
  const split = (bytes: Buffer, from: number, step: number): DenseFrame[] => {
    const frames: DenseFrame[] = [];
    for (let i = 0; (i + 1) * frameBytes <= bytes.byteLength; i++) frames.push({ data: bytes.subarray(i * frameBytes, (i + 1) * frameBytes), width, height, t: from + i * step });
    return frames;
  };
  const dense = split(stdout, start, 1 / fps);
  if (dense.length === 0) throw new VerifyError(ErrorCode.NOT_A_VIDEO, 'No frame could be decoded over the speech.');
  return { dense, sparse: outside ? split(await readFile(outsideFile), 0, 1) : undefined };
}

interface TrackedFrame {
  t: number;
  image: DenseFrame;
  /** Faces found when the detector ran on this frame; −1 when it did not (the face was tracked). */
  faces: number;
  /** A second face at least a quarter the size of the first, when detected. */
  crowded: boolean;
  landmarks: Point[] | null;
  box: Box | null;
  /** Inner-lip gap over the eye distance. */
  mouth: number | null;
  /** Unit embedding, on detected frames with one face. */
  embedding?: Float32Array;
  /** Length of the raw embedding: a face-quality signal (embed.ts); profile and blurred faces run short. */
  embeddingNorm?: number;
  /** Nose-tip offset along the eye line over the eye distance: 0 frontal. */
  yawRatio?: number;
  crop?: RgbImage;
}

/**
 * The face in each dense frame. The detector ('auto': UltraFace, its box refined into SSD's shape; SSD
 * where it finds none) runs every DETECT_EVERY_S: it counts the faces, and re-anchors the box when the
 * track has drifted off the detected face. face-api's 68-landmark network runs on every frame, always on a
 * box (so that a still face gives the same landmarks in every frame), and the box moves halfway each frame
 * towards the one SSD would draw around the landmarks (detect.ts landmarkBox). An embedding is taken every
 * EMBED_EVERY_S from the same landmarks.
 *
 * Measured against the SSD tracker it replaces (npm run eval:liveness, eval/results/liveness.md): the
 * same verdicts on the live videos and on every attack, and more (README: analyzeReadingVideo).
 */
async function trackFace(frames: DenseFrame[], fps: number, scope: CallScope): Promise<TrackedFrame[]> {
  const detectEvery = Math.max(1, Math.round(DETECT_EVERY_S * fps));
  const embedEvery = Math.max(1, Math.round(EMBED_EVERY_S * fps));
  const out: TrackedFrame[] = [];
  let box: Box | null = null;
  let crowded = false;
  let detections = 0;
  let misses = 0;
  let everFound = false;
  let found: Point[] | null = null;
  for (let i = 0; i < frames.length; i++) {
    const image = frames[i]!;
    const frame: TrackedFrame = { t: image.t, image, faces: -1, crowded: false, landmarks: null, box: null, mouth: null };
    const due = i % detectEvery === 0 || (box === null && misses < SEARCH_FRAMES);
    const withinBudget = detections < MAX_DETECTIONS && (everFound || detections < GIVE_UP_AFTER);
    if (due && withinBudget) {
      scope.check();
      const faces = await detectFaces(image, { detector: 'auto', minConfidence: 0.5 });
      detections++;
      frame.faces = faces.length;
      crowded = faces.length > 1 && area(faces[1]!.box) >= 0.25 * area(faces[0]!.box);
      frame.crowded = crowded;
      const detected = faces[0];
      // The track is kept while it lies on the detected face: a box re-drawn every second from another
      // rule (the detector's) made a still face's landmarks jump, enough to pass a photo for moving lips.
      if (!detected || !box || iou(box, detected.box) < REANCHOR_IOU) {
        box = detected?.box ?? null;
        found = detected?.landmarks ?? null;
      }
      misses = detected ? 0 : misses + 1;
      everFound ||= detected !== undefined;
    }
    if (box) {
      // On a detected frame the detector's landmarks are those the net gives on its box.
      const landmarks = found?.length === 68 ? found : await landmarksInBox(image, box);
      found = null;
      if (landmarks.length === 68) {
        frame.landmarks = landmarks;
        frame.box = box;
        frame.mouth = mouthOpening(landmarks);
        if (i % embedEvery === 0) {
          frame.crop = await alignFace(image, landmarks);
          if (!crowded) {
            const { embedding, norm } = await embedOne(frame.crop);
            frame.embedding = embedding;
            frame.embeddingNorm = norm;
            frame.yawRatio = yawRatio(landmarks);
          }
        }
        // The box follows the face into the next frame, halfway each frame: moved the whole way, a still
        // face's box and landmarks settled into a two-frame swing (mouth opening 0.19, 0.21, 0.19…).
        const next = landmarkBox(landmarks, image);
        box = { x: (box.x + next.x) / 2, y: (box.y + next.y) / 2, width: (box.width + next.width) / 2, height: (box.height + next.height) / 2 };
      }
    }
    out.push(frame);
  }
  return out;
}

/** At most `n` of `items`, evenly spread, first and last kept. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, k) => items[Math.round((k * (items.length - 1)) / (n - 1))]!);
}

/** Mean gap between the inner lips (61–67, 62–66, 63–65) over the eye distance. */
export function mouthOpening(l: readonly Point[]): number {
  const [le, re] = fivePoints(l);
  const eye = Math.hypot(re!.x - le!.x, re!.y - le!.y);
  const gap = (a: number, b: number) => Math.hypot(l[a]!.x - l[b]!.x, l[a]!.y - l[b]!.y);
  return (gap(61, 67) + gap(62, 66) + gap(63, 65)) / 3 / Math.max(eye, 1e-6);
}

// ---- signals ------------------------------------------------------------------------------------

function speechSignal(recording: ReadingVideoFrames, pcm: Int16Array | undefined): LivenessSignal {
  const a = recording.audio;
  const seconds = a.speechSeconds ?? 0;
  const level = pcm ? voicedLevel(pcm, a.segments ?? []) : -120;
  const codes: LivenessCode[] = [];
  if (!a.present || seconds < LIVENESS_LIMITS.minSpeechSeconds) codes.push('NO_SOUND');
  else if (level < LIVENESS_LIMITS.minSpeechDbfs) codes.push('VOLUME_TOO_LOW');
  return signal('speech', codes, { speechSeconds: seconds, voicedDbfs: level, loudnessDbfs: a.loudnessDbfs ?? -120, audio: a.present ? 'present' : 'absent' }, { minSpeechSeconds: LIVENESS_LIMITS.minSpeechSeconds, minSpeechDbfs: LIVENESS_LIMITS.minSpeechDbfs }, {
    NO_SOUND: { en: 'No voice was heard. Read the digits aloud, and check that the microphone is allowed.', zh: '未检测到声音。请大声朗读数字，并确认已允许使用麦克风。' },
    VOLUME_TOO_LOW: { en: 'The voice is too quiet. Read the digits louder, closer to the phone.', zh: '声音太小。请靠近手机，大声朗读数字。' },
  });
}

/** RMS level of the voiced segments, dBFS: the whole track's loudness counts the pauses too. */
function voicedLevel(pcm: Int16Array, segments: ReadonlyArray<{ start: number; end: number }>): number {
  const env = levelEnvelope(pcm);
  let power = 0;
  let n = 0;
  for (const seg of segments) {
    for (let i = Math.floor(seg.start * ENVELOPE_RATE); i < Math.min(env.length, Math.ceil(seg.end * ENVELOPE_RATE)); i++) {
      power += 10 ** (env[i]! / 10);
      n++;
    }
  }
  return n ? Math.round(10 * Math.log10(power / n) * 10) / 10 : -120;
}

function lipSyncSignal(frames: TrackedFrame[], pcm: Int16Array | undefined, recording: ReadingVideoFrames): LivenessSignal {
  const withMouth = frames.filter((f) => f.mouth !== null);
  if (withMouth.length < 8 || !pcm || (recording.audio.speechSeconds ?? 0) < LIVENESS_LIMITS.minSpeechSeconds) {
    return skipped('lipSync', withMouth.length < 8 ? 'too few frames show the mouth' : 'no speech to compare the lips with', {
      en: 'Lip movement could not be measured (no face or no voice).',
      zh: '无法检测唇动（未检测到人脸或声音）。',
    });
  }
  const mouths = withMouth.map((f) => f.mouth!);
  const range = quantile(mouths, 0.9) - quantile(mouths, 0.1);
  // The voice's level at each frame: linear RMS over ±50 ms, from the 50-a-second envelope.
  const env = levelEnvelope(pcm);
  const level = withMouth.map((f) => {
    const c = Math.round(f.t * ENVELOPE_RATE);
    let sum = 0;
    let n = 0;
    for (let i = c - 2; i <= c + 2; i++) if (i >= 0 && i < env.length) (sum += 10 ** (env[i]! / 20)), n++;
    return n ? sum / n : 0;
  });
  const fps = withMouth.length > 1 ? (withMouth.length - 1) / Math.max(1e-6, withMouth.at(-1)!.t - withMouth[0]!.t) : 10;
  const maxLag = Math.max(1, Math.round(0.2 * fps));
  let best = -1;
  for (let lag = -maxLag; lag <= maxLag; lag++) best = Math.max(best, pearson(mouths, level, lag));
  const codes: LivenessCode[] = range < LIVENESS_LIMITS.minMouthRange || best < LIVENESS_LIMITS.minLipCorrelation ? ['LIP_MOVEMENT_TOO_SMALL'] : [];
  return signal(
    'lipSync',
    codes,
    { mouthRange: round(range, 4), correlation: round(best, 3), framesWithMouth: withMouth.length },
    { minMouthRange: LIVENESS_LIMITS.minMouthRange, minLipCorrelation: LIVENESS_LIMITS.minLipCorrelation },
    { LIP_MOVEMENT_TOO_SMALL: { en: 'The lips do not move with the voice. Read the digits yourself, facing the camera.', zh: '唇动与声音不一致。请本人正对镜头朗读数字。' } },
  );
}

function consistencySignal(frames: TrackedFrame[], around: TrackedFrame[]): LivenessSignal {
  const detected = frames.filter((f) => f.faces >= 0);
  // Visibility is judged over the speech; other faces and other people over the whole video.
  const oneFace = detected.filter((f) => f.faces >= 1 && !f.crowded).length / Math.max(1, detected.length);
  const crowded = [...detected, ...around].filter((f) => f.crowded).length;
  frames = [...frames, ...around];
  // Only faces fit to be compared: near-frontal and clear. A head turned to profile, or a blurred frame,
  // embeds far from the same person's frontal face (measured: FACE_CHANGED on real videos of people
  // turning their heads, eval:liveness) and says nothing about who it is.
  const embeddings = frames.flatMap((f) =>
    f.embedding && f.embeddingNorm! >= MIN_COMPARABLE_NORM && f.yawRatio! <= MAX_COMPARABLE_YAW ? [f.embedding] : [],
  );
  // The video's own face: the medoid (the frame most like the others). Another person in even half the
  // frames sits far from it; one blurred or turned frame is not enough to call the face changed.
  let lowest: number | null = null;
  let unlike = 0;
  if (embeddings.length >= 2) {
    const medoid = embeddings[argmax(embeddings.map((e) => median(embeddings.filter((d) => d !== e).map((d) => cosine(e, d)))))]!;
    const similarities = embeddings.filter((e) => e !== medoid).map((e) => cosine(e, medoid));
    lowest = Math.min(...similarities);
    unlike = similarities.filter((v) => v < LIVENESS_LIMITS.minSameFaceSimilarity).length;
  }
  const codes: LivenessCode[] = [];
  if (oneFace < LIVENESS_LIMITS.minOneFaceShare && crowded === 0) codes.push('FACE_NOT_VISIBLE');
  if (crowded > 0) codes.push('MULTIPLE_FACES');
  if (unlike >= Math.max(2, Math.ceil(0.15 * embeddings.length))) codes.push('FACE_CHANGED');
  return signal(
    'faceConsistency',
    codes,
    { oneFaceShare: round(oneFace, 3), framesWithSeveralFaces: crowded, lowestSimilarity: lowest === null ? null : round(lowest, 4), framesUnlikeTheFace: unlike, framesCompared: embeddings.length, detectedFrames: detected.length },
    { minOneFaceShare: LIVENESS_LIMITS.minOneFaceShare, minSameFaceSimilarity: LIVENESS_LIMITS.minSameFaceSimilarity, maxFramesUnlike: 'fewer than 2, and fewer than 15% of the frames compared' },
    {
      FACE_NOT_VISIBLE: { en: 'Your face is not visible for the whole recording. Keep your face in the frame.', zh: '录制过程中人脸未始终可见。请保持面部在画面内。' },
      MULTIPLE_FACES: { en: 'Another person appears in the video. Only the applicant may be in view.', zh: '视频中出现其他人。镜头前只能有考生本人。' },
      FACE_CHANGED: { en: 'The person in the video changes. The applicant must record the whole video.', zh: '视频中的人发生了变化。须由考生本人完成全部录制。' },
    },
  );
}

async function attackSignal(frames: TrackedFrame[]): Promise<LivenessSignal> {
  const faces = frames.filter((f) => f.faces === 1 && f.box);
  if (faces.length === 0) return skipped('presentationAttack', 'no face', { en: 'No face to examine.', zh: '没有可检测的人脸。' });
  const scores: number[] = [];
  for (const f of faces.slice(0, 8)) scores.push(await livenessScore(f.image, f.box!));
  // Reported, never decisive: `npm run eval:liveness` shows how far the score separates live faces from
  // attacks on the data available, and it is not enough to reject an applicant on (README).
  return {
    id: 'presentationAttack',
    status: 'passed',
    passed: true,
    measured: { liveScore: round(median(scores), 4), framesScored: scores.length },
    limit: { decision: 'reported only' },
    codes: [],
    message: { en: 'Presentation-attack score measured (reported, not used for the verdict).', zh: '已计算防伪分数（仅供参考，不参与判定）。' },
  };
}

function qualitySignal(frames: TrackedFrame[], toRecording: number): LivenessSignal {
  const faces = frames.filter((f) => f.crop && f.landmarks);
  if (faces.length === 0) return skipped('quality', 'no face', { en: 'No face to examine.', zh: '没有可检测的人脸。' });
  const luma = median(faces.map((f) => meanLuma(f.crop!)));
  const sharpness = median(faces.map((f) => faceSharpness(f.crop!)));
  const eyes = median(faces.map((f) => eyeDistance(f.landmarks!) * toRecording));
  const codes: LivenessCode[] = [];
  if (luma < LIVENESS_LIMITS.minFaceLuma) codes.push('TOO_DARK');
  if (sharpness < LIVENESS_LIMITS.minFaceSharpness) codes.push('TOO_BLURRY');
  if (eyes < LIVENESS_LIMITS.minEyeDistancePx) codes.push('FACE_TOO_SMALL');
  return signal(
    'quality',
    codes,
    { faceLuma: round(luma, 1), faceSharpness: round(sharpness, 1), eyeDistancePx: round(eyes, 1) },
    { minFaceLuma: LIVENESS_LIMITS.minFaceLuma, minFaceSharpness: LIVENESS_LIMITS.minFaceSharpness, minEyeDistancePx: LIVENESS_LIMITS.minEyeDistancePx },
    {
      TOO_DARK: { en: 'The face is too dark. Record facing a light.', zh: '面部太暗。请面向光源录制。' },
      TOO_BLURRY: { en: 'The video is blurred. Hold the phone still, and clean the lens.', zh: '视频模糊。请保持手机稳定并擦拭镜头。' },
      FACE_TOO_SMALL: { en: 'The face is too small. Hold the phone closer.', zh: '人脸太小。请将手机靠近一些。' },
    },
  );
}

async function digitsSignal(pcm: Int16Array | undefined, challenge: string | undefined, transcribe: AnalyzeReadingVideoOptions['transcribe']): Promise<LivenessSignal> {
  if (!challenge || !transcribe) {
    return {
      id: 'digits',
      status: 'not-checked',
      passed: true,
      measured: { digits: 'not-checked' },
      limit: { challenge: challenge ?? '' },
      codes: [],
      message: { en: 'The spoken digits were not checked (no speech recogniser was given).', zh: '未核对朗读的数字（未提供语音识别）。' },
    };
  }
  const heard = pcm ? spokenDigits(await transcribe(pcm)) : '';
  const ok = isSubsequence(challenge, heard);
  return signal('digits', ok ? [] : ['DIGITS_MISMATCH'], { heard, challenge }, { rule: 'the challenge digits, in order, among the digits heard' }, {
    DIGITS_MISMATCH: { en: 'The digits read do not match the digits shown. Read exactly the digits on the screen.', zh: '朗读的数字与屏幕显示的不一致。请准确朗读屏幕上的数字。' },
  });
}

const CHINESE_DIGITS: Record<string, string> = { 零: '0', 〇: '0', 洞: '0', 一: '1', 幺: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
const ENGLISH_DIGITS: Record<string, string> = { zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9' };

/** The digits in a transcript, in order: Arabic, Chinese (一, 幺, 两, …) and English words; the rest is filler. */
export function spokenDigits(text: string): string {
  let out = '';
  for (const token of text.toLowerCase().match(/[a-z]+|./gu) ?? []) {
    if (/^\d$/.test(token)) out += token;
    else if (CHINESE_DIGITS[token]) out += CHINESE_DIGITS[token];
    else if (ENGLISH_DIGITS[token]) out += ENGLISH_DIGITS[token];
  }
  return out;
}

function isSubsequence(needle: string, hay: string): boolean {
  let i = 0;
  for (const c of hay) if (c === needle[i]) i++;
  return i === needle.length;
}

// ---- helpers ------------------------------------------------------------------------------------

function signal(id: SignalId, codes: LivenessCode[], measured: LivenessSignal['measured'], limit: LivenessSignal['limit'], messages: Partial<Record<LivenessCode, Message>>): LivenessSignal {
  const passed = codes.length === 0;
  const message: Message = passed
    ? { en: `${id}: passed.`, zh: `${id}：通过。` }
    : { en: codes.map((c) => messages[c]!.en).join(' '), zh: codes.map((c) => messages[c]!.zh).join('') };
  return { id, status: passed ? 'passed' : 'failed', passed, measured, limit, codes, message };
}

function skipped(id: SignalId, why: string, message: Message): LivenessSignal {
  return { id, status: 'skipped', passed: false, measured: { why }, limit: {}, codes: [], message };
}

function pearson(a: number[], b: number[], lag: number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const j = i + lag;
    if (j >= 0 && j < b.length) xs.push(a[i]!), ys.push(b[j]!);
  }
  if (xs.length < 5) return 0;
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let num = 0, dx = 0, dy = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    dx += (xs[i]! - mx) ** 2;
    dy += (ys[i]! - my) ** 2;
  }
  return dx > 0 && dy > 0 ? num / Math.sqrt(dx * dy) : 0;
}

function meanLuma(crop: RgbImage): number {
  let s = 0;
  for (let i = 0; i < crop.data.length; i += 3) s += 0.299 * crop.data[i]! + 0.587 * crop.data[i + 1]! + 0.114 * crop.data[i + 2]!;
  return s / (crop.data.length / 3);
}

function faceSharpness(crop: RgbImage): number {
  const grey = new Float32Array(crop.width * crop.height);
  for (let i = 0; i < grey.length; i++) grey[i] = 0.299 * crop.data[i * 3]! + 0.587 * crop.data[i * 3 + 1]! + 0.114 * crop.data[i * 3 + 2]!;
  return laplacianVariance(grey, crop.width, crop.height);
}

function eyeDistance(l: readonly Point[]): number {
  const [le, re] = fivePoints(l);
  return Math.hypot(re!.x - le!.x, re!.y - le!.y);
}

const area = (b: Box) => b.width * b.height;
function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (area(a) + area(b) - w * h);
}
const argmax = (xs: number[]) => xs.reduce((best, v, i) => (v > xs[best]! ? i : best), 0);
const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? 0;
}

