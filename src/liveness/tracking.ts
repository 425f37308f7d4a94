/**
 * The face through the reading: the frames it is tracked on (one ffmpeg decode) and the tracker that
 * follows it (detection every second, landmarks on every frame, an embedding every 0.3 s).
 */
import type { CallScope } from '../core/call-scope.js';
import { ErrorCode, VerifyError } from '../core/errors.js';
import { type Box, type Point, distance, iou } from '../core/geometry.js';
import type { RgbImage } from '../image/decode.js';
import type { ReadingVideoFrames } from '../media/extract-frames.js';
import { locate, run } from '../media/ffmpeg.js';
import { fivePoints, yawRatio } from '../models/align.js';
import { detectFaces, landmarkBox, landmarksInBox, secondPerson } from '../models/detect.js';
import { alignFace, embedOne } from '../models/embed.js';
import { faceFrame } from './face-frame.js';

// The dense frames are analysed this small: the face fills a third of a selfie video's width. In a
// squarish frame (a face crop, the fixtures) 320 px on the long side. In an elongated one (9:16, 16:9)
// 320 px on the short side: a 1080×1920 clip reduced to 320 px tall left 13 px between the eyes, too few
// for the lips' motion (at 256 px wide still LIP_MOVEMENT_TOO_SMALL on a real speaker) and for sharpness
// (TOO_BLURRY on a sharp HD video, eval:liveness).
const DENSE_SIDE = 320;
const DENSE_LONG_SIDE = 640;
const SQUARISH = 1.25;
// At most this many dense frames (15 s at 10 fps).
export const MAX_DENSE_FRAMES = 150;
// Face detection every this many seconds (faces counted, box re-anchored); landmarks follow the face in between.
const DETECT_EVERY_S = 1;
// An embedding (face consistency, quality) every this many seconds.
const EMBED_EVERY_S = 0.3;
// The cost of a face that is not there is bounded (a 20 s faceless video took 30–80 s when every frame
// was searched): a lost face is searched on this many frames in a row, then on the detection cadence;
// a video whose first detections find no face at all is given up on (FACE_NOT_VISIBLE); and no track
// runs more detections than this (15 s at one a second, plus searches).
const SEARCH_FRAMES = 3;
const GIVE_UP_AFTER = 6;
const MAX_DETECTIONS = 30;
// A detection re-anchors the track only when the tracked box has drifted this far off the detected face (IoU).
const REANCHOR_IOU = 0.5;

export interface DenseFrame extends RgbImage {
  t: number;
}

/**
 * The frames the face is tracked on, upright and reduced inside ffmpeg, all from one decode: `fps` over
 * [start, start + length] through the pipe; with `outside`, a frame a second over the whole video (at most
 * 150 s) to a second pipe; with `candidates`, compareFaces' candidate frames from the same span (extract-frames.ts
 * spanCandidates) to two more pipes. Before, the speech was decoded three times for these.
 */
export async function trackingFrames(
  path: string,
  v: ReadingVideoFrames['video'],
  start: number,
  length: number,
  fps: number,
  outside: boolean,
  runOptions: { ffmpegPath?: string; timeoutMs: number; signal?: AbortSignal },
  candidates?: { graph: (input: string) => string; outputs: (fd: number) => string[]; limits: readonly number[]; length: number },
): Promise<{ dense: DenseFrame[]; sparse?: DenseFrame[]; candidates?: Buffer[] }> {
  const long = Math.max(v.width, v.height);
  const short = Math.min(v.width, v.height);
  const k = Math.min(1, long / short <= SQUARISH ? DENSE_SIDE / long : Math.min(DENSE_SIDE / short, DENSE_LONG_SIDE / long));
  const width = Math.max(2, Math.round((v.width * k) / 2) * 2);
  const height = Math.max(2, Math.round((v.height * k) / 2) * 2);
  const frameBytes = width * height * 3;
  const max = Math.ceil(length * fps) + 2;
  const whole = Math.min(v.durationS, MAX_DENSE_FRAMES);
  const wholeMax = Math.ceil(whole) + 2;
  const raw = (frames: number, to: string) => ['-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', to];
  // The speech's frames at `fps` for the tracker ([d], pipe 1); a frame a second over the whole video
  // ([s], pipe 3) with `outside`; compareFaces' candidates from the speech's frames with `candidates`
  // (the next two pipes). Pipes, not files: raw frames of the applicant are never left in a temp folder.
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
    ...(outside ? ['-map', '[s]', ...raw(wholeMax, 'pipe:3')] : []),
    ...(candidates?.outputs(outside ? 4 : 3) ?? []),
  ];
  const extraOutputs = [...(outside ? [frameBytes * wholeMax + 1] : []), ...(candidates?.limits ?? [])];
  const { stdout, extra } = await run(locate('ffmpeg', runOptions).path, args, { ...runOptions, maxOutputBytes: frameBytes * max + 1, extraOutputs });
  const split = (bytes: Buffer, from: number, step: number): DenseFrame[] => {
    const frames: DenseFrame[] = [];
    for (let i = 0; (i + 1) * frameBytes <= bytes.byteLength; i++) frames.push({ data: bytes.subarray(i * frameBytes, (i + 1) * frameBytes), width, height, t: from + i * step });
    return frames;
  };
  const dense = split(stdout, start, 1 / fps);
  if (dense.length === 0) throw new VerifyError(ErrorCode.NOT_A_VIDEO, 'No frame could be decoded over the speech.');
  return { dense, sparse: outside ? split(extra[0]!, 0, 1) : undefined, candidates: candidates ? extra.slice(outside ? 1 : 0) : undefined };
}

export interface TrackedFrame {
  t: number;
  image: DenseFrame;
  /** Faces found when the detector ran on this frame; −1 when it did not (the face was tracked). */
  faces: number;
  /** A second person in view (detect.ts secondPerson), when detected. */
  crowded: boolean;
  landmarks: Point[] | null;
  box: Box | null;
  /** Inner-lip gap over the eye distance. */
  mouth: number | null;
  /** The grey face in its own frame (face-frame.ts), on frames with landmarks. */
  faceFrame: Uint8Array | null;
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
 * same verdicts on the live videos and on every attack, and more (docs/accuracy.md).
 */
export async function trackFace(frames: DenseFrame[], fps: number, scope: CallScope): Promise<TrackedFrame[]> {
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
    const frame: TrackedFrame = { t: image.t, image, faces: -1, crowded: false, landmarks: null, box: null, mouth: null, faceFrame: null };
    const due = i % detectEvery === 0 || (box === null && misses < SEARCH_FRAMES);
    const withinBudget = detections < MAX_DETECTIONS && (everFound || detections < GIVE_UP_AFTER);
    if (due && withinBudget) {
      scope.check();
      const faces = await detectFaces(image, { detector: 'auto', minConfidence: 0.5 });
      detections++;
      frame.faces = faces.length;
      crowded = secondPerson(faces);
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
        frame.faceFrame = faceFrame(image, landmarks);
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
export function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, k) => items[Math.round((k * (items.length - 1)) / (n - 1))]!);
}

/** Mean gap between the inner lips (61–67, 62–66, 63–65) over the eye distance. */
export function mouthOpening(l: readonly Point[]): number {
  const [le, re] = fivePoints(l);
  const eye = distance(le!, re!);
  const gap = (a: number, b: number) => distance(l[a]!, l[b]!);
  return (gap(61, 67) + gap(62, 66) + gap(63, 65)) / 3 / Math.max(eye, 1e-6);
}

