/**
 * validatePhoto's options and result types. Every measured number carries its unit in its name or in the
 * doc line beside it.
 */

import type { Box } from '../core/geometry.js';
export type { Message } from '../core/result.js';
import type { Finding, Outcome } from '../core/result.js';
import type { DeepPartial, PhotoSpec } from '../core/spec.js';
import type { Timings } from '../core/timing.js';
import type { DetectorName } from '../models/detect.js';

/** validatePhoto's options. */
export interface ValidatePhotoOptions {
  /** The upload's file name when the input is bytes (for the extension check). Default: the path's base name. */
  filename?: string;
  /** The spec, or changes to the default spec (HUBEI_EXAM_PHOTO): `{ fileSize: { kilobyte: 1000 } }`. */
  spec?: PhotoSpec | DeepPartial<PhotoSpec>;
  /** Face detector: 'auto' (default: UltraFace, SSD where it finds no face), 'ultraface', 'ssd' or 'tiny'. */
  detector?: DetectorName;
  /** Largest input in bytes. Default 50 MiB. */
  maxInputBytes?: number;
  /** Largest image in pixels, read from the header before decoding. Default 64,000,000. */
  maxPixels?: number;
  /** Limit on the whole call, milliseconds: past it, `TIMEOUT`. Default 30,000. */
  timeoutMs?: number;
  /** Stops the call at its next stage: `ABORTED`. */
  signal?: AbortSignal;
}

/** compressToSpec's options and result. */
export interface CompressToSpecOptions {
  /** The upload's file name (used for the report's extension check). Default: `photo` + the spec's first extension. */
  filename?: string;
  /** The spec, or changes to HUBEI_EXAM_PHOTO; size, dpi, byte band and colours all come from it. */
  spec?: PhotoSpec | DeepPartial<PhotoSpec>;
  /** 'auto' (default): replace the background unless it already passes; 'replace'; 'keep'. */
  background?: 'auto' | 'replace' | 'keep';
  /** Colour the background is replaced with, RGB 0–255 or '#rrggbb'. Default: the spec's first reference colour. */
  backgroundColor?: readonly [number, number, number] | string;
  /**
   * Largest enlargement of the source allowed (output pixels per source pixel). Default 2: the real
   * 286×401 ID photo in ../shared/data needs 1.72× and still passes the sharpness check, while LFW's
   * 250-px photos enlarged 2.5× fail it in 37 of 97 cases (npm run eval).
   */
  maxUpscale?: number;
  /** Land inside the byte band under both readings of "KB" (1000 and 1024 bytes). Default true. */
  bothKilobyteReadings?: boolean;
  /** Face detector, as for validatePhoto (and for the report on the output). Default 'ssd' (core/defaults.ts says why). */
  detector?: DetectorName;
  maxInputBytes?: number;
  maxPixels?: number;
  /** Limit on the whole call, milliseconds: past it, `TIMEOUT`. Default 60,000. */
  timeoutMs?: number;
  /** Stops the call at its next stage: `ABORTED`. */
  signal?: AbortSignal;
}

/** compressToSpec's result: the JPEG, validatePhoto's report of it, and what was done to make it. */
export interface CompressToSpecResult {
  /** The JPEG. */
  buffer: Buffer;
  /** validatePhoto of `buffer` against the same spec. */
  report: PhotoValidation;
  /** JPEG quality 1–100 used. */
  quality: number;
  /** JPEG encodes it took to land in the byte band. */
  encodes: number;
  background: {
    /** 'replaced' with `colour`, or 'kept'. */
    action: 'replaced' | 'kept';
    /** Why: the option, or what the measured background was. */
    reason: string;
    colour: string;
  };
  framing: {
    /** The source region that became the photo, source pixels (may extend past the source: padded). */
    sourceBox: Box;
    /** Output pixels per source pixel. */
    scale: number;
    /** Part of the frame lay outside the source and was filled with background. */
    padded: boolean;
    /** The source already framed the head within the spec, so its framing was kept. */
    kept: boolean;
    /** Degrees the source was turned to level the eyes (0 when they were level within 2°). */
    levelledDeg: number;
  };
  /**
   * What editing cannot fix, from the report's failed checks: the applicant must take the photo again.
   * Each is the failed check with a `RetakeCode` as its id and a message that says so. Empty when the
   * report passes, or fails only on what a new attempt with other options could change.
   */
  retake: RetakeFinding[];
  /** Gains applied to the person to even the light on the face (1: none): each cheek's, then the whole face's. */
  light: { leftGain: number; rightGain: number; gain: number };
  /** Milliseconds per stage. */
  timings: Timings<CompressStage>;
}

/** Why a photo must be taken again: its pose, eyes, focus, light, a person not in colour, or a head covering. */
export type RetakeCode = 'POSE_NOT_FIXABLE' | 'EYES_CLOSED' | 'TOO_BLURRY' | 'LIGHT_NOT_FIXABLE' | 'NOT_IN_COLOUR' | 'HEAD_COVERED';

export type RetakeFinding = Finding<RetakeCode, Record<string, unknown>, Record<string, unknown>> & { check: CheckId };

/** compressToSpec's stages, as its `timings` name them. */
export type CompressStage = 'read' | 'decode' | 'detect' | 'segment' | 'crop' | 'background' | 'encode' | 'validate';

/** What each photo check measures and holds it against; units in the key names. */
export interface CheckShapes {
  /** The file's real format (by its bytes) and its JPEG coding; only `format` when it is not a JPEG. */
  format: {
    measured: { format: string; coding?: string; components?: number; colorSpace?: string; precisionBits?: number };
    limit: { format: string; components: number; coding: string[] };
  };
  extension: { measured: { extension: string; filename: string }; limit: { extensions: readonly string[] } };
  dimensions: { measured: { widthPx: number; heightPx: number }; limit: { widthPx: number; heightPx: number } };
  /** A warning: the EXIF orientation tag, null when absent. */
  orientation: { measured: { exifOrientation: number | null }; limit: { exifOrientation: ReadonlyArray<number | null> } };
  dpi: {
    measured: {
      /** Density of a non-JPEG header (PNG pHYs, …). */
      headerDpi: number | null;
      jfifDpi: { x: number; y: number } | null;
      jfifUnits: 'none' | 'inch' | 'cm' | null;
      exifDpi: { x: number; y: number } | null;
    };
    limit: { dpi: number; toleranceDpi: number };
  };
  fileSize: { measured: { bytes: number; kilobytes: number }; limit: { minBytes: number; maxBytes: number; kilobyte: 1024 | 1000 } };
  /** `areaShare` alone when almost no background is visible. */
  background: {
    measured: {
      /** Share 0–1 of the photo that is background. */
      areaShare: number;
      meanRgb?: readonly [number, number, number];
      hex?: string;
      hueDeg?: number;
      saturation?: number;
      value?: number;
      /** Share 0–1 of the background pixels of the spec's colour. */
      colourShare?: number;
      unevennessDeltaE?: number;
      nearestReference?: { name: string; deltaE: number };
    };
    limit: {
      hueRangeDeg: readonly [number, number] | null;
      minSaturation: number;
      minValue: number;
      referenceToleranceDeltaE: number;
      minColourShare: number;
      maxUnevennessDeltaE: number;
      maxReferenceDeltaE: number;
      references: Array<{ name: string; rgb: readonly [number, number, number]; hex: string }>;
    };
  };
  faceCount: { measured: { faces: number; scores: number[] }; limit: { faces: number; minConfidence: number } };
  headPosition: {
    measured: { crownMarginPx: number; chinMarginPx: number; headHeightRatio: number; centreOffsetRatio: number };
    limit: { crownMarginPx: readonly [number, number]; chinMarginPx: readonly [number, number]; headHeightRatio: readonly [number, number]; maxCentreOffsetRatio: number };
  };
  /** The head's pose (the mesh), and the shoulder line's lean from the person mask (null where both shoulders do not show). */
  pose: { measured: { yawDeg: number; pitchDeg: number; rollDeg: number; shoulderRollDeg: number | null }; limit: { maxYawDeg: number; maxPitchDeg: number; maxRollDeg: number; maxShoulderRollDeg: number } };
  /** Eyelid gap over eye width, from the iris model's eye contour. */
  eyesOpen: { measured: { leftEyeOpenness: number; rightEyeOpenness: number }; limit: { minEyeOpenness: number } };
  sharpness: { measured: { sharpness: number }; limit: { minSharpness: number } };
  exposure: {
    /** Luma 0–255; `clippedShare` 0–1 of face pixels at 250 or above. */
    measured: { faceLuma: number; clippedShare: number; sideDifference: number };
    limit: { faceLuma: readonly number[]; maxClippedShare: number; maxSideDifference: number };
  };
  /** The person in colour: the cheeks' chroma C*ab and hue h_ab (reported), and the face's spread (ΔE) off one tone. */
  faceColour: { measured: { chroma: number; hueDeg: number; toneSpread: number }; limit: { minChroma: number; minToneSpread: number } };
  headCovering: { measured: { score: number; foreignShare: number; heightAboveHairline: number }; limit: { maxScore: number } };
}

/** The id of a photo check. */
export type CheckId = keyof CheckShapes;

/** Every check id, in the order validatePhoto reports them. */
export const CHECK_IDS = Object.freeze([
  'format',
  'extension',
  'dimensions',
  'orientation',
  'dpi',
  'fileSize',
  'background',
  'faceCount',
  'headPosition',
  'pose',
  'eyesOpen',
  'sharpness',
  'exposure',
  'faceColour',
  'headCovering',
] as const satisfies readonly CheckId[]);

/** One photo check; narrow on `id` for its typed `measured` and `limit`. */
export type CheckOf<K extends CheckId> = Outcome<K, CheckShapes[K]['measured'], CheckShapes[K]['limit']>;
/** One photo check; narrow on `id` for its typed `measured` and `limit`. */
export type Check = { [K in CheckId]: CheckOf<K> }[CheckId];

/** The face the photo checks measured. */
export interface PhotoFace {
  /** Detector box, pixels of the photo as displayed. */
  box: Box;
  /** Detector confidence 0–1. */
  score: number;
  /** 68 landmarks [x, y], pixels of the photo as displayed. */
  landmarks: Array<[number, number]>;
  /** Top of the head (hair included) from person segmentation, pixels from the top; undefined if not found. */
  crownYPx: number | undefined;
  /** Lowest chin landmark, pixels from the top. */
  chinYPx: number;
  /** Head pose from the face mesh, degrees: yaw + = turned to the image's right, pitch + = chin up, roll + = clockwise. */
  pose: { yawDeg: number; pitchDeg: number; rollDeg: number };
}

/** The photo file's facts, as stored and as displayed. */
export interface PhotoMetadata {
  /** Format by the file's bytes: 'jpeg', 'png', 'webp', … */
  format: string;
  /** JPEG coding: 'baseline', 'progressive', …; undefined for other formats. */
  jpegCoding: string | undefined;
  /** Colour channels as stored: 1 grey, 3 colour, 4 CMYK. */
  components: number;
  /** Pixels as stored, before EXIF orientation. */
  storedWidth: number;
  storedHeight: number;
  /** Pixels as displayed (EXIF orientation applied). */
  width: number;
  height: number;
  /** EXIF orientation tag, undefined when absent. */
  orientation: number | undefined;
  /** JFIF density: unit 0 none / 1 inch / 2 cm, as stored. */
  jfif: { units: 0 | 1 | 2; x: number; y: number } | undefined;
  /** EXIF resolution converted to dots per inch. */
  exifDpi: { x: number; y: number } | undefined;
  /** Bytes of the file. */
  bytes: number;
  filename: string | undefined;
  hasExif: boolean;
  hasIccProfile: boolean;
  /** GPS coordinates are embedded. */
  hasGps: boolean;
  camera: string | undefined;
}

/** validatePhoto's result: the verdict, every check, the file's facts and the face measured. */
export interface PhotoValidation {
  /** True when no check of severity 'error' failed. */
  passed: boolean;
  /** Every check, always in the same order, skipped ones included. */
  checks: Check[];
  metadata: PhotoMetadata;
  /** The face the geometry checks measured (the largest), or undefined when none was found. */
  face: PhotoFace | undefined;
  /** Milliseconds per stage; a stage that did not run (no face: no mesh) is absent. */
  timings: Partial<Record<PhotoStage, number>>;
}

/** validatePhoto's stages, as its `timings` name them. */
export type PhotoStage = 'read' | 'decode' | 'detect' | 'segment' | 'mesh' | 'checks';
