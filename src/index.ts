export { validatePhoto } from './photo/validate-photo.js';
export type { ValidatePhotoOptions } from './photo/validate-photo.js';
export { compressToSpec } from './photo/compress-to-spec.js';
export type { CompressToSpecOptions, CompressToSpecResult } from './photo/compress-to-spec.js';
export { extractFramesFromReadingVideo } from './video/extract-frames.js';
export type { ExtractFramesOptions, ExtractedFrame, ReadingVideoFrames } from './video/extract-frames.js';
export type { VideoFacts, AudioFacts } from './video/probe.js';
export type { VideoInput } from './video/input.js';
export { analyzeReadingVideo, LIVENESS_LIMITS, spokenDigits } from './video/analyze-reading-video.js';
export type { AnalyzeReadingVideoOptions, ReadingVideoAnalysis, LivenessSignal, LivenessCode, SignalId } from './video/analyze-reading-video.js';
export { verifyApplicant, attemptsLeft } from './verify/verify-applicant.js';
export type { ApplicantSubmission, ApplicantVerification, VerifyApplicantOptions, VerifyReason, VerifyStep } from './verify/verify-applicant.js';
export type { SpeechFacts } from './video/audio.js';
export { compareFaces, prepareCard, prepareFrames } from './face/compare-faces.js';
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
} from './face/compare-faces.js';
export { THRESHOLDS as COMPARE_THRESHOLDS } from './face/calibration.js';
export type { CalibratedFar } from './face/calibration.js';
export type { OnnxRuntimeName } from './face/onnx.js';
export { loadModels, disposeModels, MODEL_NAMES, DEFAULT_MODELS, type LoadedModels } from './face/models.js';
export type { LoadModelsOptions, ModelInfo, ModelName } from './face/models.js';
export type { BackendName } from './face/tf.js';
export { createVerifier, VERIFIER_DEFAULTS } from './pool/create-verifier.js';
export type { Verifier, VerifierOptions, MapOptions, MapResult } from './pool/create-verifier.js';
export { VerifyError, ErrorCode, isVerifyError } from './errors.js';
export { HUBEI_EXAM_PHOTO, REFERENCE_BLUES, WHITE_BACKGROUND, RED_BACKGROUND, DEFAULTS, defineSpec } from './spec.js';
export type { PhotoSpec, ReferenceColor, DeepPartial } from './spec.js';
export type { ImageInput } from './image/input.js';
export type { Check, CheckId, Message, PhotoValidation, PhotoMetadata, PhotoFace, BoxPx } from './types.js';
