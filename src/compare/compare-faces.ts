import { type CallControl, type CallScope, scoped } from '../core/call-scope.js';
import { ErrorCode, VerifyError, invalidArgument, isVerifyError } from '../core/errors.js';
import { DEFAULTS as SPEC_DEFAULTS } from '../core/spec.js';
import { type RgbImage, cropRgb, decodeRgb, fromRgb, readHeader, toRgb } from '../image/decode.js';
import { type ImageInput, loadInput } from '../image/input.js';
import { laplacianVariance } from '../image/measures.js';
import { sniffFormat } from '../image/sniff.js';
import { stageTimer } from '../photo/options.js';
import type { Message } from '../photo/types.js';
import { fivePoints, yawRatio } from '../models/align.js';
import { THRESHOLDS, type CalibratedFar } from './calibration.js';
import { type Box, DETECTOR_NAMES, type DetectedFace, type DetectorName, type Point, detectFaces } from '../models/detect.js';
import { alignFace, cosine, embedOne, normalize } from '../models/embed.js';
import { onnxLandmarks } from '../models/landmarks.js';

/** A selfie frame: image bytes or a path, or a frame from extractFramesFromReadingVideo (JPEG or raw RGB). */
export type FrameInput = ImageInput | { image: Buffer | Uint8Array; width?: number; height?: number; timestamp?: number };

export interface CompareFacesOptions extends CallControl {
  /** False-accept rate the decision threshold was calibrated for: 1e-2, 1e-3 (default) or 1e-4 (stricter). */
  far?: CalibratedFar;
  /** Fewest frames with a usable face for a verdict. Default 3, or the number of frames given when fewer. */
  minFrames?: number;
  /** Add the embedding of the mirrored face before comparing (measured in eval/compare-faces.ts). Default true. */
  flip?: boolean;
  /**
   * Face detector on the frames: 'auto' (default: UltraFace, SSD where it finds none), 'ultraface', 'ssd'
   * or 'tiny' (detectFaces). With 'auto' or 'ultraface' the box is first refined from face-api's landmarks
   * into SSD's shape; fr_landmark then runs on the box. 'auto' matches better than SSD and the thresholds
   * are computed on its boxes (eval/results/compare-faces-detectors.md); ~40 ms a frame against ~300 ms.
   */
  detector?: DetectorName;
  /** Face detector for the card's portrait: 'auto' (default: UltraFace at the four rotations, SSD only if none finds a face). */
  cardDetector?: DetectorName;
  /** A face whose eyes are closer than this (pixels, in the decoded image) is too small to compare. Default 16. */
  minEyeDistancePx?: number;
  /** Largest input in bytes, each image. Default 50 MiB. */
  maxInputBytes?: number;
  /** Largest image in pixels, read from the header before decoding. Default 64,000,000. */
  maxPixels?: number;
  /** Most frames accepted; more are refused with `TOO_MANY_FRAMES` (each costs ~40 ms, ~0.3 s on SSD). Default 32. */
  maxFrames?: number;
  /** Limit on the whole call, milliseconds: past it, `TIMEOUT`. Default 120,000. */
  timeoutMs?: number;
  /** Stops the call at its next stage: `ABORTED`. */
  signal?: AbortSignal;
}

export type CompareReasonCode =
  /** No face was found on the ID card image at any rotation. */
  | 'NO_FACE_ON_CARD'
  /** The card's portrait is so small that the comparison is unreliable. */
  | 'CARD_FACE_TOO_SMALL'
  /** No frame has a usable face. */
  | 'NO_USABLE_FRAME'
  /** Fewer usable frames than `minFrames`. */
  | 'TOO_FEW_USABLE_FRAMES'
  /** A frame shows more than one face of similar size. */
  | 'MULTIPLE_FACES'
  /** Some frames do not show the same person as the others. */
  | 'FRAMES_INCONSISTENT'
  /** A frame could not be read or decoded. */
  | 'FRAME_UNREADABLE';

export interface CompareReason {
  code: CompareReasonCode;
  /** Frame indexes concerned, when the reason is about frames. */
  frames?: number[];
  message: Message;
}

export interface FaceQuality {
  /** Detector confidence 0–1. */
  score: number;
  /** Distance between the eye centres, pixels of the image as given (upright). */
  eyeDistancePx: number;
  /** Laplacian variance of the aligned 112×112 crop's luma: lower is blurrier. */
  sharpness: number;
  /** Nose-tip offset from the eyes' midpoint over the eye distance: 0 frontal, ~0.5 a strong turn. */
  yawRatio: number;
  /** Length of the raw embedding: ~3.4–4 for a clear upright face, below ~2.5 for a poor or misaligned one. */
  embeddingNorm: number;
}

export interface CardFace {
  /** The face box, pixels of the card image as given, after `rotation` is applied (upright). */
  box: Box;
  /** Degrees clockwise the card image was turned to bring the portrait upright: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  /** Roll of the face after that rotation, degrees (a card lying a little askew). */
  rollDeg: number;
  quality: FaceQuality;
}

/**
 * The ID card's portrait, searched and embedded once (prepareCard): give it to compareFaces in place of
 * the card image to compare several sets of faces with one card without searching it again. A plain
 * object (it crosses to worker threads); keep it only as long as the applicant's verification.
 */
export interface PreparedCard {
  readonly kind: 'prepared-card';
  /** The portrait, or null when none was found at any rotation (compareFaces then says NO_FACE_ON_CARD). */
  readonly face: CardFace | null;
  /** Unit embedding of the portrait, 512 values; null without a face. */
  readonly embedding: Float32Array | null;
  /** Milliseconds: decodeCard, findCard, embedCard. */
  readonly timings: Record<string, number>;
}

/**
 * A frame decoded, its face found and embedded once (prepareFrames): give it to compareFaces in place of
 * the frame to compare it with several cards, or to compare frames a call has already examined
 * (verifyApplicant gives it the photo validatePhoto decoded and detected). A plain object.
 */
export interface PreparedFrame {
  readonly kind: 'prepared-frame';
  /** What compareFaces reports for the frame (its `index` and `similarity` are set by the comparison). */
  readonly frame: Omit<FrameComparison, 'index' | 'similarity'>;
  /** Unit embedding of its face, 512 values; null when the frame is not usable (`frame.excluded` says why). */
  readonly embedding: Float32Array | null;
}

export type PrepareFramesOptions = Pick<CompareFacesOptions, 'flip' | 'detector' | 'minEyeDistancePx' | 'maxInputBytes' | 'maxPixels' | 'maxFrames' | 'timeoutMs' | 'signal'>;

export interface PrepareCardOptions extends Pick<CompareFacesOptions, 'flip' | 'maxInputBytes' | 'maxPixels' | 'timeoutMs' | 'signal'> {
  /** As compareFaces' `cardDetector`. Default 'auto'. */
  detector?: DetectorName;
}

export interface FrameComparison {
  index: number;
  /** Faces the detector found. */
  faces: number;
  /** The face compared, pixels of the frame; null when none. */
  box: Box | null;
  /** Cosine similarity to the card's face, clamped to 0–1; null when the frame was not usable. */
  similarity: number | null;
  quality: FaceQuality | null;
  /** Whether the frame counted towards the verdict. */
  used: boolean;
  /** Why not: 'unreadable', 'no-face', 'multiple-faces', 'face-too-small', 'inconsistent'. */
  excluded: 'unreadable' | 'no-face' | 'multiple-faces' | 'face-too-small' | 'inconsistent' | null;
  /** The decoding error, when unreadable. */
  error: { code: string; message: string } | null;
}

export interface CompareFacesResult {
  /** True only when a verdict was reached and the similarity reaches the threshold. */
  match: boolean;
  /** Cosine similarity of the card's face to the fused embedding of the used frames, clamped to 0–1; 0 without a verdict. */
  similarity: number;
  /** The decision point for `far`, from calibration.ts. */
  threshold: number;
  /** The false-accept rate the threshold was calibrated for. */
  far: CalibratedFar;
  idCardFace: CardFace | null;
  frames: FrameComparison[];
  /** Stable codes: why no verdict could be reached, or what is suspicious. Empty when all is well. */
  reasons: CompareReason[];
  /** Frames that counted towards the verdict. */
  usedFrames: number;
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

const DEFAULTS = Object.freeze({
  far: 1e-3 as CalibratedFar,
  minFrames: 3,
  flip: true,
  detector: 'auto' as DetectorName,
  // On simulated cards 'auto' finds the portrait more often (24 px eyes: 27 of 1,410 pairs without one against
  // 74) and matches better (TAR@1e-3 97.9% against 95.5%), in 107 ms a document view against 2.3 s.
  cardDetector: SPEC_DEFAULTS.detector as DetectorName,
  minEyeDistancePx: 16,
  maxInputBytes: 50 * 1024 * 1024,
  maxPixels: 64_000_000,
  // extractFramesFromReadingVideo returns 8 by default and allows 64; 32 bounds a call at ~10 s of detection.
  maxFrames: 32,
  timeoutMs: 120_000,
});

// The card is searched at this size: a 12-megapixel photo of a whole card keeps a portrait of ~150 px.
const CARD_MAX_SIDE = 2048;
const FRAME_MAX_SIDE = 1280;
// A frame whose median similarity to the other frames is under this shows someone else. The 1e-2
// threshold: another person scores under it 99 times in 100, and the least like single frame of each
// of the 12 live videos of eval:liveness scores 0.38–0.83 against its recording's own face; at the 1e-3
// one, web photos of one person taken years apart (the East-Asian set of test:data) were called
// inconsistent.
const SAME_PERSON_IN_FRAMES = THRESHOLDS[1e-2];
// A second face at least this share of the main face's area makes a frame ambiguous; smaller ones are background.
const SECOND_FACE_AREA = 0.25;
// Faces below this detector confidence are not looked at in a frame.
const FRAME_MIN_CONFIDENCE = 0.5;

/**
 * Is the person in the frames the person on the ID card? The card's portrait is found at any rotation,
 * every face is aligned to the ArcFace template (from fr_landmark's points on the detector's box) and embedded; the frames' embeddings are checked against
 * each other, outliers left out, the rest averaged and compared with the card's.
 */
/**
 * Finds the portrait on the ID card (any rotation) and embeds it, for compareFaces. verifyApplicant does
 * this once for its two comparisons.
 */
export async function prepareCard(idCardImage: ImageInput, options: PrepareCardOptions = {}): Promise<PreparedCard> {
  const { detector, ...rest } = options ?? {};
  const o = resolveOptions({ ...rest, cardDetector: detector });
  return scoped('prepareCard', o, DEFAULTS.timeoutMs, (scope) => prepare(idCardImage, o, scope));
}

/** `timer`: compareFaces' own, so that its stages run on from the card's. */
async function prepare(idCardImage: ImageInput, o: Resolved, scope: CallScope, timer = stageTimer(scope)): Promise<PreparedCard> {
  const { timings, lap } = timer;
  const card = await decodeImage(idCardImage, CARD_MAX_SIDE, o);
  lap('decodeCard');
  const found = await findCardPortrait(card.image, { ...o, detector: o.cardDetector, scope });
  lap('findCard');
  if (!found) return { kind: 'prepared-card', face: null, embedding: null, timings };
  const { embedding } = await embedOne(found.crop, { flip: o.flip });
  const quality = faceQuality(found.face, found.crop, card.scale, found.norm);
  lap('embedCard');
  const face: CardFace = { box: scaleBox(found.face.box, card.scale), rotation: found.rotation, rollDeg: round(rollDeg(found.face.landmarks), 1), quality };
  return { kind: 'prepared-card', face, embedding, timings };
}

function checkedCard(card: PreparedCard): PreparedCard {
  const { face, embedding } = card;
  const ok = (face === null && embedding === null) || (face !== null && typeof face === 'object' && embedding instanceof Float32Array && embedding.length > 0);
  if (!ok) throw invalidArgument('idCardImage', "prepareCard's result (face and embedding both set, or both null)", card);
  return card;
}

export function isPreparedFrame(value: unknown): value is PreparedFrame {
  return value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === 'prepared-frame';
}

/** Decodes each frame, finds its face and embeds it, for compareFaces: each frame is examined once however many cards it is compared with. */
export async function prepareFrames(frames: readonly FrameInput[], options: PrepareFramesOptions = {}): Promise<PreparedFrame[]> {
  const o = resolveOptions(options ?? {});
  checkFrameList(frames, o);
  return scoped('prepareFrames', o, DEFAULTS.timeoutMs, async (scope) => {
    const out: PreparedFrame[] = [];
    for (const input of frames) {
      scope.check();
      out.push(await examineFrame(input, o));
    }
    return out;
  });
}

/**
 * A frame another call has already decoded and run the detector on (validatePhoto, with detector 'auto'
 * and the same decode as compareFaces'): only its face is embedded. Undefined when the faces found do not
 * stand for what compareFaces' own detection would find (a different detector, or none above its
 * confidence), and the caller compares the frame itself.
 */
export async function prepareDetectedFrame(image: RgbImage, scale: number, faces: readonly DetectedFace[], detector: DetectorName): Promise<PreparedFrame | undefined> {
  const o = resolveOptions({});
  if (detector !== o.detector) return undefined;
  const confident = faces.filter((f) => f.score >= FRAME_MIN_CONFIDENCE);
  // None: compareFaces' detection would retry on a padded image, which the caller's did not.
  if (confident.length === 0) return undefined;
  return fromFaces({ image, scale }, confident, o);
}

export function isPreparedCard(value: unknown): value is PreparedCard {
  return value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === 'prepared-card';
}

export async function compareFaces(idCardImage: ImageInput | PreparedCard, selfieFrames: ReadonlyArray<FrameInput | PreparedFrame>, options: CompareFacesOptions = {}): Promise<CompareFacesResult> {
  const o = resolveOptions(options);
  checkFrameList(selfieFrames, o);
  return scoped('compareFaces', o, DEFAULTS.timeoutMs, (scope) => compare(idCardImage, selfieFrames, o, scope));
}

function checkFrameList(selfieFrames: readonly unknown[], o: Resolved): void {
  if (!Array.isArray(selfieFrames) || selfieFrames.length === 0) {
    throw invalidArgument('selfieFrames', 'a non-empty array of images (paths, Buffers, Uint8Arrays, extracted or prepared frames)', selfieFrames);
  }
  if (selfieFrames.length > o.maxFrames) {
    throw new VerifyError(ErrorCode.TOO_MANY_FRAMES, `compareFaces was given ${selfieFrames.length} frames; at most ${o.maxFrames} are accepted (options.maxFrames).`, {
      details: { frames: selfieFrames.length, maxFrames: o.maxFrames },
    });
  }
}

async function compare(idCardImage: ImageInput | PreparedCard, selfieFrames: ReadonlyArray<FrameInput | PreparedFrame>, o: Resolved, scope: CallScope): Promise<CompareFacesResult> {
  const threshold = THRESHOLDS[o.far];
  const { timings, lap } = stageTimer(scope);
  const reasons: CompareReason[] = [];

  const card = isPreparedCard(idCardImage) ? checkedCard(idCardImage) : await prepare(idCardImage, o, scope, { timings, lap });
  const cardEmbedding = card.embedding;
  const idCardFace = card.face;
  if (idCardFace && cardEmbedding) {
    const quality = idCardFace.quality;
    if (quality.eyeDistancePx < o.minEyeDistancePx) {
      reasons.push(reason('CARD_FACE_TOO_SMALL', undefined, {
        en: `The portrait on the ID card is very small (eyes ${quality.eyeDistancePx} px apart): photograph the card closer.`,
        zh: `身份证上的头像太小（两眼间距 ${quality.eyeDistancePx} 像素），请靠近拍摄身份证。`,
      }));
    }
  } else {
    reasons.push(reason('NO_FACE_ON_CARD', undefined, {
      en: 'No face was found on the ID card image. Photograph the side with the portrait, in focus and without glare.',
      zh: '身份证图片上未找到人像。请拍摄带照片的一面，保证清晰、无反光。',
    }));
  }

  const frames: FrameComparison[] = [];
  const embedded: Array<Float32Array | undefined> = [];
  for (let index = 0; index < selfieFrames.length; index++) {
    scope.check();
    const input = selfieFrames[index]!;
    const prepared = isPreparedFrame(input) ? checkedFrame(input) : await examineFrame(input, o);
    frames.push({ ...prepared.frame, index, similarity: null });
    embedded.push(prepared.embedding ?? undefined);
  }
  lap('frames');

  for (const [code, excluded, message] of [
    ['FRAME_UNREADABLE', 'unreadable', { en: 'Some frames could not be read.', zh: '部分画面无法读取。' }],
    ['MULTIPLE_FACES', 'multiple-faces', { en: 'More than one face appears in some frames. Only the applicant may be in view.', zh: '部分画面中出现多张人脸，镜头前只能有考生本人。' }],
  ] as const) {
    const which = frames.filter((f) => f.excluded === excluded).map((f) => f.index);
    if (which.length > 0) reasons.push(reason(code, which, message));
  }

  // Frames that do not look like the rest (another person stepping in, a mis-detection) are left out
  // when they are a minority; when they are not, there is no single person to compare.
  const candidates = embedded.flatMap((embedding, i) => (embedding ? [{ index: i, embedding }] : []));
  let kept = candidates;
  let consistent = true;
  if (candidates.length >= 2) {
    const outliers = candidates.filter((c) => median(candidates.filter((d) => d !== c).map((d) => cosine(c.embedding, d.embedding))) < SAME_PERSON_IN_FRAMES);
    if (outliers.length > 0) {
      reasons.push(reason('FRAMES_INCONSISTENT', outliers.map((c) => c.index), {
        en: 'Some frames do not show the same person as the others.',
        zh: '部分画面中的人与其他画面不是同一人。',
      }));
      if (outliers.length * 2 >= candidates.length) consistent = false;
      else {
        kept = candidates.filter((c) => !outliers.includes(c));
        for (const c of outliers) Object.assign(frames[c.index]!, { used: false, excluded: 'inconsistent' });
      }
    }
  }

  const minFrames = Math.min(o.minFrames, selfieFrames.length);
  if (candidates.length === 0) {
    reasons.push(reason('NO_USABLE_FRAME', undefined, {
      en: 'No frame shows a usable face. Face the camera in good light.',
      zh: '没有可用的人脸画面。请正对镜头，保证光线充足。',
    }));
  } else if (kept.length < minFrames) {
    reasons.push(reason('TOO_FEW_USABLE_FRAMES', undefined, {
      en: `Only ${kept.length} frame(s) show a usable face; ${minFrames} are needed.`,
      zh: `只有 ${kept.length} 个画面有可用的人脸，至少需要 ${minFrames} 个。`,
    }));
  }

  let similarity = 0;
  if (cardEmbedding) {
    for (const c of candidates) frames[c.index]!.similarity = round(clamp01(cosine(cardEmbedding, c.embedding)), 4);
    if (kept.length > 0 && consistent) {
      const fused = new Float32Array(cardEmbedding.length);
      for (const c of kept) for (let i = 0; i < fused.length; i++) fused[i]! += c.embedding[i]!;
      similarity = round(clamp01(cosine(cardEmbedding, normalize(fused))), 4);
    }
  }
  lap('compare');
  const verdict = cardEmbedding !== null && consistent && kept.length >= minFrames && kept.length > 0;
  return {
    match: verdict && similarity >= threshold,
    similarity,
    threshold,
    far: o.far,
    idCardFace,
    frames,
    reasons,
    usedFrames: verdict ? kept.length : 0,
    timings,
  };
}

function resolveOptions(options: CompareFacesOptions) {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS;
  if (!(o.far in THRESHOLDS)) throw invalidArgument('options.far', `one of ${Object.keys(THRESHOLDS).join(', ')}`, o.far);
  if (!Number.isInteger(o.minFrames) || o.minFrames < 1) throw invalidArgument('options.minFrames', 'an integer ≥ 1', o.minFrames);
  if (typeof o.flip !== 'boolean') throw invalidArgument('options.flip', 'a boolean', o.flip);
  for (const key of ['detector', 'cardDetector'] as const) {
    if (!DETECTOR_NAMES.includes(o[key])) throw invalidArgument(`options.${key}`, DETECTOR_NAMES.map((d) => `'${d}'`).join(', '), o[key]);
  }
  if (!(o.minEyeDistancePx >= 0)) throw invalidArgument('options.minEyeDistancePx', 'a number ≥ 0', o.minEyeDistancePx);
  if (!(Number.isInteger(o.maxPixels) && o.maxPixels > 0)) throw invalidArgument('options.maxPixels', 'a positive integer', o.maxPixels);
  if (!(Number.isInteger(o.maxInputBytes) && o.maxInputBytes > 0)) throw invalidArgument('options.maxInputBytes', 'a positive integer', o.maxInputBytes);
  if (!(Number.isInteger(o.maxFrames) && o.maxFrames > 0)) throw invalidArgument('options.maxFrames', 'a positive integer', o.maxFrames);
  return o as typeof o & CallControl;
}

type Resolved = ReturnType<typeof resolveOptions>;

/** Decodes an image input, reduced to `maxSide`; `scale` maps decoded pixels back to the image as given. */
async function decodeImage(input: ImageInput, maxSide: number, o: Resolved): Promise<{ image: RgbImage; scale: number }> {
  const { bytes } = await loadInput(input, { maxInputBytes: o.maxInputBytes });
  const format = sniffFormat(bytes);
  const header = await readHeader(bytes, format, o.maxPixels);
  const image = await decodeRgb(bytes, format, o.maxPixels, maxSide, header);
  return { image, scale: Math.max(header.width, header.height) / Math.max(image.width, image.height) };
}

async function decodeFrame(input: FrameInput, o: Resolved): Promise<{ image: RgbImage; scale: number }> {
  if (input !== null && typeof input === 'object' && !(input instanceof Uint8Array)) {
    const { image, width, height } = input as { image: unknown; width?: number; height?: number };
    if (!(image instanceof Uint8Array)) throw invalidArgument('selfieFrames[i].image', 'a Buffer or Uint8Array', image);
    // A raw frame from extractFramesFromReadingVideo({ format: 'raw' }): RGB, width × height × 3 bytes.
    if (width !== undefined && height !== undefined && image.byteLength === width * height * 3) {
      const data = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
      if (Math.max(width, height) <= FRAME_MAX_SIDE) return { image: { data, width, height }, scale: 1 };
      const reduced = await toRgb(fromRgb({ data, width, height }).resize({ width: FRAME_MAX_SIDE, height: FRAME_MAX_SIDE, fit: 'inside' }));
      return { image: reduced, scale: width / reduced.width };
    }
    return decodeImage(Buffer.from(image.buffer, image.byteOffset, image.byteLength), FRAME_MAX_SIDE, o);
  }
  return decodeImage(input as ImageInput, FRAME_MAX_SIDE, o);
}

async function examineFrame(input: FrameInput, o: Resolved): Promise<PreparedFrame> {
  let decoded: { image: RgbImage; scale: number };
  try {
    decoded = await decodeFrame(input, o);
  } catch (error) {
    // Misuse (a number where an image belongs) is the caller's bug; a frame that does not decode is the applicant's data.
    if (!isVerifyError(error) || error.code === ErrorCode.INVALID_ARGUMENT) throw error;
    return prepared({ excluded: 'unreadable', error: { code: error.code, message: error.message } });
  }
  // UltraFace's boxes are refined from face-api's landmarks into SSD's shape (detect.ts) before fr_landmark runs on them.
  const faces = await detectFaces(decoded.image, { detector: o.detector, minConfidence: FRAME_MIN_CONFIDENCE, landmarks: o.detector === 'auto' || o.detector === 'ultraface' ? 'box' : false });
  return fromFaces(decoded, faces, o);
}

/** The frame's verdict and embedding from the faces found in it (largest first). */
async function fromFaces(decoded: { image: RgbImage; scale: number }, faces: readonly DetectedFace[], o: Resolved): Promise<PreparedFrame> {
  if (faces.length === 0) return prepared({ excluded: 'no-face' });
  const box = scaleBox(faces[0]!.box, decoded.scale);
  if (faces.length > 1 && area(faces[1]!.box) >= SECOND_FACE_AREA * area(faces[0]!.box)) return prepared({ faces: faces.length, box, excluded: 'multiple-faces' });
  const face = await withLandmarks(decoded.image, faces[0]!);
  const crop = await alignFace(decoded.image, face.landmarks);
  const { embedding, norm } = await embedOne(crop, { flip: o.flip });
  const quality = faceQuality(face, crop, decoded.scale, norm);
  if (quality.eyeDistancePx < o.minEyeDistancePx) return prepared({ faces: faces.length, box, quality, excluded: 'face-too-small' });
  return prepared({ faces: faces.length, box, quality, used: true }, embedding);
}

function prepared(frame: Partial<PreparedFrame['frame']>, embedding: Float32Array | null = null): PreparedFrame {
  return { kind: 'prepared-frame', frame: { faces: 0, box: null, quality: null, used: false, excluded: null, error: null, ...frame }, embedding };
}

function checkedFrame(frame: PreparedFrame): PreparedFrame {
  const f = frame.frame as Partial<PreparedFrame['frame']> | undefined;
  const ok = f !== null && typeof f === 'object' && typeof f.used === 'boolean' && (f.used ? frame.embedding instanceof Float32Array && frame.embedding.length > 0 : frame.embedding === null);
  if (!ok) throw invalidArgument('selfieFrames[i]', "prepareFrames' result (an embedding exactly when the frame is used)", frame);
  return frame;
}

interface CardPortrait {
  face: DetectedFace;
  rotation: 0 | 90 | 180 | 270;
  /** The aligned 112×112 crop. */
  crop: RgbImage;
  /** Length of the face's raw embedding: high for an upright face (embed.ts). */
  norm: number;
}

// Raw embedding length of an upright, aligned face: ~3.4–4.0; a face turned 90° or 180°: ~1.5–2.3.
const UPRIGHT_NORM = 3;

/**
 * The portrait on a card photographed at any of the four right-angle rotations. Face detectors fire on
 * faces turned 90°, and landmark networks always return an upright-looking face, so neither tells the
 * right way up; the embedding's length does. The upright view is tried first and kept when its face
 * is confident and its embedding long; otherwise the four views are compared.
 */
export async function findCardPortrait(
  image: RgbImage,
  // 'face-api' aligns from face-api's 68-point net as before fr_landmark, for eval/compare-faces.ts's comparison.
  o: { detector: DetectorName; landmarks?: 'fr_landmark' | 'face-api'; scope?: CallScope },
): Promise<CardPortrait | undefined> {
  const faceApi = o.landmarks === 'face-api';
  let best: (CardPortrait & { plausibility: number }) | undefined;
  // 'auto': UltraFace at every rotation first (~10 ms a view), SSD's four views (~0.3–0.9 s each) only
  // when UltraFace found no face at any: at most 4 UltraFace runs and 4 SSD runs (+ a refinement each).
  const passes: DetectorName[] = o.detector === 'auto' ? ['ultraface', 'ssd'] : [o.detector];
  for (const detector of passes) {
    for (const rotation of [0, 90, 270, 180] as const) {
      o.scope?.check();
      const upright = rotation === 0 ? image : await rotate(image, rotation);
      // The whole card at 1024 px: a portrait on a card that fills a 12 MP photo is ~90 px wide there.
      const faces = await detectFaces(upright, { detector, minConfidence: 0.4, maxSide: 1024, landmarks: faceApi });
      for (const candidate of faces.slice(0, 3)) {
        const refined = await refine(upright, candidate, detector, faceApi);
        const face = faceApi ? refined : await withLandmarks(upright, refined);
        const crop = await alignFace(upright, face.landmarks);
        const { norm } = await embedOne(crop);
        const plausibility = Math.min(1, face.score + 0.2) * norm;
        if (!best || plausibility > best.plausibility) best = { face, rotation, crop, norm, plausibility };
      }
      if (best && best.rotation === 0 && best.face.score >= 0.7 && best.norm >= UPRIGHT_NORM) break;
    }
    if (best) break;
  }
  if (!best) return undefined;
  const { plausibility: _, ...portrait } = best;
  return portrait;
}

/** A small face found on a reduced view is found again on its own region at full resolution, for a tighter box. */
async function refine(image: RgbImage, face: DetectedFace, detector: DetectorName, landmarks: boolean): Promise<DetectedFace> {
  const side = Math.max(face.box.width, face.box.height);
  // The detector saw the card at 1024 px (SSD), or letterboxed into 320×240 (UltraFace).
  const scaleAtDetection = Math.min(1, (detector === 'ultraface' ? 320 : 1024) / Math.max(image.width, image.height));
  if (side * scaleAtDetection >= 160 || scaleAtDetection === 1) return face;
  const m = side * 0.8;
  const left = Math.max(0, Math.floor(face.box.x - m));
  const top = Math.max(0, Math.floor(face.box.y - m));
  const width = Math.min(image.width, Math.ceil(face.box.x + face.box.width + m)) - left;
  const height = Math.min(image.height, Math.ceil(face.box.y + face.box.height + m)) - top;
  const found = await detectFaces(await cropRgb(image, { left, top, width, height }), { detector, minConfidence: 0.3, landmarks });
  const again = found[0];
  if (!again) return face;
  return {
    box: { ...again.box, x: again.box.x + left, y: again.box.y + top },
    score: Math.max(again.score, face.score),
    landmarks: again.landmarks.map((p) => ({ x: p.x + left, y: p.y + top })),
  };
}

/** The face with fr_landmark's 68 points on its box: they align better than face-api's, ~5× faster (eval/results/face-models.md). */
async function withLandmarks(image: RgbImage, face: DetectedFace): Promise<DetectedFace> {
  return { ...face, landmarks: await onnxLandmarks(image, face.box) };
}

async function rotate(image: RgbImage, degrees: 90 | 180 | 270): Promise<RgbImage> {
  return toRgb(fromRgb(image).rotate(degrees));
}

function rollDeg(landmarks: readonly Point[]): number {
  const [le, re] = fivePoints(landmarks);
  return (Math.atan2(re!.y - le!.y, re!.x - le!.x) * 180) / Math.PI;
}

function faceQuality(face: DetectedFace, crop: RgbImage, scale: number, norm: number): FaceQuality {
  const [le, re] = fivePoints(face.landmarks);
  const eyeDistance = Math.hypot(re!.x - le!.x, re!.y - le!.y);
  const grey = new Float32Array(crop.width * crop.height);
  for (let i = 0; i < grey.length; i++) grey[i] = 0.299 * crop.data[i * 3]! + 0.587 * crop.data[i * 3 + 1]! + 0.114 * crop.data[i * 3 + 2]!;
  return {
    score: round(face.score, 3),
    eyeDistancePx: round(eyeDistance * scale, 1),
    sharpness: round(laplacianVariance(grey, crop.width, crop.height), 1),
    yawRatio: round(yawRatio(face.landmarks), 3),
    embeddingNorm: round(norm, 2),
  };
}

function reason(code: CompareReasonCode, frames: number[] | undefined, message: Message): CompareReason {
  return frames ? { code, frames, message } : { code, message };
}

function scaleBox(box: Box, k: number): Box {
  return { x: round(box.x * k, 1), y: round(box.y * k, 1), width: round(box.width * k, 1), height: round(box.height * k, 1) };
}

const area = (b: Box) => b.width * b.height;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
