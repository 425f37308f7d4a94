/**
 * Result types. Every measured number carries its unit in its name or in the doc line beside it.
 */

export type CheckId =
  | 'format'
  | 'extension'
  | 'dimensions'
  | 'orientation'
  | 'dpi'
  | 'fileSize'
  | 'background'
  | 'faceCount'
  | 'headPosition'
  | 'pose'
  | 'eyesOpen'
  | 'sharpness'
  | 'exposure'
  | 'headCovering';

/** A message for the applicant, in both languages. */
export interface Message {
  zh: string;
  en: string;
}

export interface Check<M = Record<string, unknown>, L = Record<string, unknown>> {
  id: CheckId;
  /** 'skipped' when the check could not run (the message says why: no file name, no face, …). */
  status: 'passed' | 'failed' | 'skipped';
  /** status === 'passed'. */
  passed: boolean;
  /** 'error' checks decide the verdict; 'warning' checks only inform. */
  severity: 'error' | 'warning';
  /** What was measured, with units in the key names (…Px, …Bytes, …Deg, ratios 0–1). Empty when skipped. */
  measured: M;
  /** The limit the measurement was held against, same units. */
  limit: L;
  message: Message;
}

/** Pixel box in the photo as displayed. */
export interface BoxPx {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PhotoFace {
  /** Detector box, pixels of the photo as displayed. */
  box: BoxPx;
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

export interface PhotoValidation {
  /** True when no check of severity 'error' failed. */
  passed: boolean;
  /** Every check, always in the same order, skipped ones included. */
  checks: Check[];
  metadata: PhotoMetadata;
  /** The face the geometry checks measured (the largest), or undefined when none was found. */
  face: PhotoFace | undefined;
  /** Milliseconds spent per stage: read, decode, detect, segment, mesh, checks. */
  timings: Record<string, number>;
}
