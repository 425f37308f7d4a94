export { validatePhoto } from './photo/validate-photo.js';
export type { ValidatePhotoOptions } from './photo/validate-photo.js';
export { compressToSpec } from './photo/compress-to-spec.js';
export type { CompressToSpecOptions, CompressToSpecResult } from './photo/compress-to-spec.js';
export { extractFramesFromReadingVideo } from './media/extract-frames.js';
export type { ExtractFramesOptions, ExtractedFrame, ReadingVideoFrames } from './media/extract-frames.js';
export type { VideoFacts, AudioFacts } from './media/probe.js';
export type { VideoInput } from './media/input.js';
export { analyzeReadingVideo, LIVENESS_LIMITS, spokenDigits } from './liveness/analyze-reading-video.js';
export type { AnalyzeReadingVideoOptions, ReadingVideoAnalysis, LivenessSignal, LivenessCode, SignalId } from './liveness/analyze-reading-video.js';
export { verifyApplicant, attemptsLeft } from './verify/verify-applicant.js';
export type { ApplicantSubmission, ApplicantVerification, VerifyApplicantOptions, VerifyReason, VerifyStep } from './verify/verify-applicant.js';
export type { SpeechFacts } from './media/audio.js';
export { compareFaces, prepareCard, prepareFrames } from './compare/compare-faces.js';
export type {
  CompareFacesOptions,
  CompareFacesResult,
  CompareReason,
  CompareReasonCode,
  CardFace,
  FaceQuality,
  FrameComparison,
  FrameInput,
  PreparedCard,
  PrepareCardOptions,
  PreparedFrame,
  PrepareFramesOptions,
} from './compare/compare-faces.js';
export { THRESHOLDS as COMPARE_THRESHOLDS } from './compare/calibration.js';
export type { CalibratedFar } from './compare/calibration.js';
export type { OnnxRuntimeName } from './models/onnx.js';
export { loadModels, disposeModels, MODEL_NAMES, DEFAULT_MODELS, type LoadedModels } from './models/registry.js';
export type { LoadModelsOptions, ModelInfo, ModelName } from './models/registry.js';
export type { BackendName } from './models/tf.js';
export { createVerifier, VERIFIER_DEFAULTS } from './pool/create-verifier.js';
export type { Verifier, VerifierOptions, MapOptions, MapResult } from './pool/create-verifier.js';
export { VerifyError, ErrorCode, isVerifyError } from './core/errors.js';
export { HUBEI_EXAM_PHOTO, REFERENCE_BLUES, WHITE_BACKGROUND, RED_BACKGROUND, DEFAULTS, defineSpec } from './core/spec.js';
export type { PhotoSpec, ReferenceColor, DeepPartial } from './core/spec.js';
export type { ImageInput } from './image/input.js';
export type { Check, CheckId, Message, PhotoValidation, PhotoMetadata, PhotoFace, BoxPx } from './photo/types.js';
