/** verifyApplicant's submission, options, result and reasons. */
import type { IdCardReading } from '../card/types.js';
import type { CardReasonCode } from './card-check.js';
import type { CompareFacesOptions, CompareFacesResult, CompareReasonCode } from '../compare/types.js';
import type { Finding } from '../core/result.js';
import type { Timings } from '../core/timing.js';
import type { ImageInput } from '../image/input.js';
import type { AnalyzeReadingVideoOptions, LivenessCode, ReadingVideoAnalysis } from '../liveness/types.js';
import type { VideoInput } from '../media/input.js';
import type { CheckId, PhotoValidation, ValidatePhotoOptions } from '../photo/types.js';

/** What an applicant submits: the ID card photo, the reading video and the electronic photo. */
export interface ApplicantSubmission {
  /** Photo of the ID card, the side with the portrait. */
  idCard: ImageInput;
  /** The recording of the applicant reading the challenge digits. */
  video: VideoInput;
  /** The electronic ID photo. */
  photo: ImageInput;
  /** The digits the host showed; checked only with `options.transcribe`. */
  challengeDigits?: string;
  /** Which verification this is for the applicant, from 1. Default 1. */
  attempt?: number;
  /** What the applicant registered with: the card's number and name must be these (ID_NUMBER_MISMATCH, NAME_MISMATCH). */
  expected?: { idNumber?: string; name?: string };
}

/** verifyApplicant's options; the steps' own options pass through `photo` and `video`. */
export interface VerifyApplicantOptions {
  /** False-accept rate of both face comparisons (compareFaces `far`). Default 1e-3. */
  far?: CompareFacesOptions['far'];
  /** Verifications an applicant may make. Default 3 (the Hubei rule). */
  maxAttempts?: number;
  /** The host's speech recogniser (analyzeReadingVideo `transcribe`). */
  transcribe?: AnalyzeReadingVideoOptions['transcribe'];
  /**
   * Read the ID card (readIdCard): the emblem side is WRONG_CARD_SIDE, an invalid number ID_NUMBER_INVALID,
   * and `submission.expected` is checked. Default true; false skips those checks (and `expected` with them);
   * the card's text is still read to find its portrait (prepareCard), never a face beside the card.
   */
  readCard?: boolean;
  /** The day the card's number is held against (birth dates not after it). Default: today. */
  now?: Date;
  /** Passed to validatePhoto (spec, filename, detector, limits). */
  photo?: ValidatePhotoOptions;
  /** Passed to analyzeReadingVideo (limits, ffmpeg, fps). */
  video?: Omit<AnalyzeReadingVideoOptions, 'challengeDigits' | 'transcribe'>;
  /** Stops the whole call (every step, its ffmpeg and temp data): `ABORTED`. `video.signal` works too. */
  signal?: AbortSignal;
  /** Limit on the whole call, milliseconds: past it, `TIMEOUT`. Default 180,000. */
  timeoutMs?: number;
}

/** The step of verifyApplicant a reason comes from. */
export type VerifyStep = 'card' | 'liveness' | 'videoMatch' | 'photo' | 'photoMatch' | 'attempts';

/** The reason code of each photo check that fails: PHOTO_ and the check's id in capitals. */
export const PHOTO_REASON_CODES = Object.freeze({
  format: 'PHOTO_FORMAT',
  extension: 'PHOTO_EXTENSION',
  dimensions: 'PHOTO_DIMENSIONS',
  orientation: 'PHOTO_ORIENTATION',
  dpi: 'PHOTO_DPI',
  fileSize: 'PHOTO_FILE_SIZE',
  background: 'PHOTO_BACKGROUND',
  faceCount: 'PHOTO_FACE_COUNT',
  headPosition: 'PHOTO_HEAD_POSITION',
  pose: 'PHOTO_POSE',
  eyesOpen: 'PHOTO_EYES_OPEN',
  sharpness: 'PHOTO_SHARPNESS',
  exposure: 'PHOTO_EXPOSURE',
  faceColour: 'PHOTO_FACE_COLOUR',
  headCovering: 'PHOTO_HEAD_COVERING',
} as const satisfies Record<CheckId, `PHOTO_${string}`>);

/** The reason code of a failed photo check: PHOTO_ and its id in capitals. */
export type PhotoReasonCode = (typeof PHOTO_REASON_CODES)[CheckId];

/** Every code a verification's reason can carry. */
export type VerifyReasonCode = CardReasonCode | LivenessCode | CompareReasonCode | 'FACE_MISMATCH' | PhotoReasonCode | 'ATTEMPTS_EXHAUSTED';

/**
 * Why a verification failed, in the one result shape (a Finding): `id` is the code, `step` the step it
 * came from, `measured` and `limit` those of the signal, reason or check behind it.
 */
export interface VerifyReason extends Finding<VerifyReasonCode, Record<string, unknown>, Record<string, unknown>> {
  step: VerifyStep;
}

/** verifyApplicant's steps, as its `timings` name them. */
export type VerifyStage = 'card' | 'liveness' | 'videoMatch' | 'photo' | 'photoMatch' | 'total';

/** verifyApplicant's result: the verdict, every step's result, the reasons and the attempts left. */
export interface ApplicantVerification {
  /** Every step passed. */
  passed: boolean;
  /** Every step's full result; undefined for steps not run (attempts exhausted). */
  steps: {
    /** The ID card read (absent with `readCard: false`). */
    card?: IdCardReading;
    liveness?: ReadingVideoAnalysis;
    videoMatch?: CompareFacesResult;
    photo?: PhotoValidation;
    photoMatch?: CompareFacesResult;
  };
  reasons: VerifyReason[];
  /** Verifications left after this one (attemptsLeft below). */
  attemptsLeft: number;
  /** Milliseconds: each step's own time, and the whole call (steps overlap). */
  timings: Timings<VerifyStage>;
}

