/** The public surface of idphoto-verify, by feature. Nothing else is exported. */

// Photo: the electronic ID photo against its spec, and made to fit it.
export { validatePhoto } from './photo/validate-photo.js';
export { compressToSpec } from './photo/compress-to-spec.js';
export type { CompressToSpecOptions, CompressToSpecResult, CompressStage } from './photo/types.js';
export { CHECK_IDS } from './photo/types.js';
export type { ValidatePhotoOptions, PhotoValidation, PhotoMetadata, PhotoFace, PhotoStage, Check, CheckId, CheckOf, CheckShapes } from './photo/types.js';
export { HUBEI_EXAM_PHOTO, REFERENCE_BLUES, WHITE_BACKGROUND, RED_BACKGROUND, defineSpec } from './core/spec.js';
export type { PhotoSpec, ReferenceColor, DeepPartial } from './core/spec.js';

// Compare: the ID card's portrait against selfie frames or the photo.
export { compareFaces, prepareCard, prepareFrames } from './compare/compare-faces.js';
export { THRESHOLDS as COMPARE_THRESHOLDS, CALIBRATED_FARS } from './compare/calibration.js';
export type { CalibratedFar } from './compare/calibration.js';
export type {
  CompareFacesOptions,
  CompareFacesResult,
  CompareReason,
  CompareReasonCode,
  CompareReasonOf,
  CompareReasonShapes,
  CompareStage,
  CardFace,
  FaceQuality,
  FrameComparison,
  FrameInput,
  PreparedCard,
  PrepareCardOptions,
  PreparedFrame,
  PrepareFramesOptions,
} from './compare/types.js';

// Video: the reading video's frames, and its liveness.
export { extractFramesFromReadingVideo } from './media/extract-frames.js';
export type { ExtractFramesOptions, ExtractedFrame, ReadingVideoFrames, FramesStage } from './media/extract-frames.js';
export type { VideoFacts, AudioFacts } from './media/probe.js';
export type { SpeechFacts } from './media/audio.js';
export type { VideoInput } from './media/input.js';
export type { BinaryOptions } from './media/ffmpeg.js';
export { analyzeReadingVideo } from './liveness/analyze-reading-video.js';
export { spokenDigits } from './liveness/signals/digits.js';
export { LIVENESS_LIMITS } from './liveness/types.js';
export type {
  AnalyzeReadingVideoOptions,
  ReadingVideoAnalysis,
  LivenessSignal,
  LivenessCode,
  LivenessStage,
  SignalId,
  SignalOf,
  SignalShapes,
} from './liveness/types.js';

// Card: the ID card read (side, rotation, fields, the number checked, the portrait), and the number's rules of GB 11643-1999.
export { readIdCard } from './card/read-id-card.js';
export type { CardReasonCode } from './verify/card-check.js';
export type { IdCardReading, IdCardFields, IdCardField, IdCardNumber, IdCardReason, IdCardReasonCode, IdCardSide, ReadIdCardOptions, ReadIdCardStage } from './card/types.js';
export { parseIdNumber, idNumberCheckDigit } from './card/id-number.js';
export type { ParsedIdNumber, IdNumberReason, IdNumberReasonCode } from './card/id-number.js';

// Verify: the whole applicant in one call.
export { verifyApplicant, attemptsLeft } from './verify/verify-applicant.js';
export { PHOTO_REASON_CODES } from './verify/types.js';
export type {
  ApplicantSubmission,
  ApplicantVerification,
  VerifyApplicantOptions,
  VerifyReason,
  VerifyReasonCode,
  PhotoReasonCode,
  VerifyStep,
  VerifyStage,
} from './verify/types.js';

// Throughput: the calls on worker threads.
export { createVerifier } from './pool/create-verifier.js';
export type { Verifier, VerifierOptions, MapOptions, MapResult, CloseOptions } from './pool/create-verifier.js';

// Models.
export { loadModels, disposeModels, MODEL_NAMES, DEFAULT_MODELS } from './models/registry.js';
export type { LoadedModels, LoadModelsOptions, ModelInfo, ModelName } from './models/registry.js';
export type { OnnxRuntimeName } from './models/onnx.js';
export type { BackendName } from './models/tf.js';

// The shared vocabulary: defaults, errors, results, geometry.
export { DEFAULTS } from './core/defaults.js';
export { VerifyError, ErrorCode, ERROR_MESSAGES, isVerifyError } from './core/errors.js';
export type { ErrorMessages } from './core/errors.js';
export type { Finding, Outcome, Message, Severity, Status } from './core/result.js';
export type { Timings } from './core/timing.js';
export type { CallControl } from './core/call-scope.js';
export type { Box, Point } from './core/geometry.js';
export type { ImageInput } from './image/input.js';
export type { DetectorName } from './models/detect.js';
