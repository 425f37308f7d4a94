/** compareFaces' options, result types and reasons. */
import type { CallControl } from '../core/call-scope.js';
import type { Box } from '../core/geometry.js';
import type { Finding } from '../core/result.js';
import type { Timings } from '../core/timing.js';
import type { ImageInput } from '../image/input.js';
import type { DetectorName } from '../models/detect.js';
import type { CalibratedFar } from './calibration.js';

/** A selfie frame: image bytes or a path, or a frame from extractFramesFromReadingVideo (JPEG or raw RGB). */
export type FrameInput = ImageInput | { image: Buffer | Uint8Array; width?: number; height?: number; timestamp?: number };

/** compareFaces' options; every one has a default (DEFAULTS.compare). */
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

/** What each reason measured and held it against. */
export interface CompareReasonShapes {
  /**
   * A face in the card image besides the card's portrait (its holder, another card): a warning, the portrait
   * compared being the one the card's layout places. Not an error: "holding the card" uploads are common and
   * their honest senders lose nothing; a host that wants the card alone can refuse on it.
   */
  FACE_OUTSIDE_CARD: { measured: { faces: number }; limit: { faces: 0 } };
  /** No face was found on the ID card image at any rotation. An error: no verdict. */
  NO_FACE_ON_CARD: { measured: Record<string, never>; limit: Record<string, never> };
  /** The card's portrait is so small that the comparison is unreliable. A warning. */
  CARD_FACE_TOO_SMALL: { measured: { eyeDistancePx: number }; limit: { minEyeDistancePx: number } };
  /** No frame has a usable face. An error. */
  NO_USABLE_FRAME: { measured: { frames: number }; limit: Record<string, never> };
  /** Fewer usable frames than `minFrames`. An error. */
  TOO_FEW_USABLE_FRAMES: { measured: { usableFrames: number }; limit: { minFrames: number } };
  /** Frames (indexes) that show a second person (detect.ts SECOND_PERSON_AREA); left out. A warning. */
  MULTIPLE_FACES: { measured: { frames: number[] }; limit: { secondPersonArea: number } };
  /** Frames (indexes) not like the others: left out when a minority (a warning), else no verdict (an error). */
  FRAMES_INCONSISTENT: { measured: { frames: number[] }; limit: { minMedianSimilarity: number } };
  /** Frames (indexes) that could not be read or decoded; left out. A warning. */
  FRAME_UNREADABLE: { measured: { frames: number[] }; limit: Record<string, never> };
}

/** The id of a compareFaces reason. */
export type CompareReasonCode = keyof CompareReasonShapes;

/** Why no verdict could be reached, or what is suspicious: a Finding (always failed), typed by its id. */
export type CompareReasonOf<K extends CompareReasonCode> = Finding<K, CompareReasonShapes[K]['measured'], CompareReasonShapes[K]['limit']> & { status: 'failed' };
/** Why compareFaces reached no verdict, or what is suspicious; narrow on `id` for typed values. */
export type CompareReason = { [K in CompareReasonCode]: CompareReasonOf<K> }[CompareReasonCode];

/** compareFaces' stages, as its `timings` name them. */
export type CompareStage = 'decodeCard' | 'findCard' | 'embedCard' | 'frames' | 'compare';

/** How fit a face is for comparison: detector confidence, size, sharpness, turn, embedding length. */
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

/** The ID card's portrait as found: where, which way up, and its quality. */
export interface CardFace {
  /** The face box, pixels of the card image as given, after `rotation` is applied (upright). */
  box: Box;
  /** Degrees clockwise the card image was turned to bring the portrait upright: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  /** Roll of the face after that rotation, degrees (a card lying a little askew). */
  rollDeg: number;
  quality: FaceQuality;
  /**
   * Found where the portrait side's layout, read, puts the portrait. False: no card's layout was read (a bare
   * portrait, such as the chip's photo, or a card too small or blurred to read), and the image's most plausible
   * face was taken; a host that needs a card should read it (readIdCard, verifyApplicant's default).
   */
  onCard: boolean;
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
  /** Faces in the image that are not the card's portrait (FACE_OUTSIDE_CARD); looked for when a card's layout was read. */
  readonly facesOutsideCard: number;
  /** Milliseconds: decodeCard, findCard, embedCard. */
  readonly timings: Timings<'decodeCard' | 'findCard' | 'embedCard'>;
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

/** prepareFrames' options: compareFaces' that concern the frames. */
export type PrepareFramesOptions = Pick<CompareFacesOptions, 'flip' | 'detector' | 'minEyeDistancePx' | 'maxInputBytes' | 'maxPixels' | 'maxFrames' | 'timeoutMs' | 'signal'>;

/** prepareCard's options: compareFaces' that concern the card. */
export interface PrepareCardOptions extends Pick<CompareFacesOptions, 'flip' | 'maxInputBytes' | 'maxPixels' | 'timeoutMs' | 'signal'> {
  /** As compareFaces' `cardDetector`. Default 'auto'. */
  detector?: DetectorName;
}

/** What compareFaces found in one frame and whether it counted. */
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

/** compareFaces' result: the verdict, its similarity and threshold, each frame, and the reasons. */
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
  /** Why no verdict could be reached (severity 'error'), or what is suspicious ('warning'). Empty when all is well. */
  reasons: CompareReason[];
  /** Frames that counted towards the verdict. */
  usedFrames: number;
  /** Milliseconds per stage. */
  timings: Timings<CompareStage>;
}

