/**
 * verifyApplicant: the whole online verification of one applicant in one call — the reading video's
 * liveness, the ID card against the video, the uploaded photo against the spec and against the card.
 */
import { type CompareFacesOptions, type CompareFacesResult, compareFaces, prepareCard, prepareDetectedFrame } from '../compare/compare-faces.js';
import { type CallScope, scoped } from '../core/call-scope.js';
import { invalidArgument } from '../core/errors.js';
import type { ImageInput } from '../image/input.js';
import { type ValidatePhotoOptions, validatePhotoAndFaces } from '../photo/validate-photo.js';
import type { Message, PhotoValidation } from '../photo/types.js';
import { type AnalyzeReadingVideoOptions, type ReadingVideoAnalysis, analyzeReadingVideo } from '../liveness/analyze-reading-video.js';
import type { VideoInput } from '../media/input.js';

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
}

export interface VerifyApplicantOptions {
  /** False-accept rate of both face comparisons (compareFaces `far`). Default 1e-3. */
  far?: CompareFacesOptions['far'];
  /** Verifications an applicant may make. Default 3 (the Hubei rule). */
  maxAttempts?: number;
  /** The host's speech recogniser (analyzeReadingVideo `transcribe`). */
  transcribe?: AnalyzeReadingVideoOptions['transcribe'];
  /** Passed to validatePhoto (spec, filename, detector, limits). */
  photo?: ValidatePhotoOptions;
  /** Passed to analyzeReadingVideo (limits, ffmpeg, fps). */
  video?: Omit<AnalyzeReadingVideoOptions, 'challengeDigits' | 'transcribe'>;
  /** Stops the whole call (every step, its ffmpeg and temp data): `ABORTED`. `video.signal` works too. */
  signal?: AbortSignal;
  /** Limit on the whole call, milliseconds: past it, `TIMEOUT`. Default 180,000. */
  timeoutMs?: number;
}

// The steps' own limits apply inside; this bounds the whole (on a busy 2-core machine a call takes ~20 s).
const TIMEOUT_MS = 180_000;

export type VerifyStep = 'liveness' | 'videoMatch' | 'photo' | 'photoMatch' | 'attempts';

export interface VerifyReason {
  step: VerifyStep;
  /** Stable: a liveness code, a compareFaces reason, FACE_MISMATCH, PHOTO_<CHECK>, ATTEMPTS_EXHAUSTED. */
  code: string;
  message: Message;
}

export interface ApplicantVerification {
  /** Every step passed. */
  passed: boolean;
  /** Every step's full result; undefined for steps not run (attempts exhausted). */
  steps: {
    liveness?: ReadingVideoAnalysis;
    videoMatch?: CompareFacesResult;
    photo?: PhotoValidation;
    photoMatch?: CompareFacesResult;
  };
  reasons: VerifyReason[];
  /** Verifications left after this one (attemptsLeft below). */
  attemptsLeft: number;
  /** Milliseconds: each step's own time, and the whole call (steps overlap). */
  timings: Record<string, number>;
}

/**
 * The attempt policy, pure: an applicant has `maxAttempts` verifications; after attempt n (from 1),
 * maxAttempts − n are left, whatever its outcome. A failure with none left sends the applicant to an
 * office (ATTEMPTS_EXHAUSTED). The library keeps no state: the host counts attempts.
 */
export function attemptsLeft(attempt: number, maxAttempts = 3): number {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw invalidArgument('maxAttempts', 'an integer ≥ 1', maxAttempts);
  if (!Number.isInteger(attempt) || attempt < 1) throw invalidArgument('attempt', 'an integer ≥ 1', attempt);
  return Math.max(0, maxAttempts - attempt);
}

const EXHAUSTED: Message = {
  en: 'No verification attempts are left. Please verify in person at an exam office.',
  zh: '在线验证次数已用完，请本人到考试机构现场核验。',
};
const MISMATCH: Record<'videoMatch' | 'photoMatch', Message> = {
  videoMatch: { en: 'The person in the video does not match the ID card.', zh: '视频中的人与身份证不一致。' },
  photoMatch: { en: 'The uploaded photo does not match the ID card.', zh: '上传的照片与身份证不一致。' },
};

export async function verifyApplicant(submission: ApplicantSubmission, options: VerifyApplicantOptions = {}): Promise<ApplicantVerification> {
  if (submission === null || typeof submission !== 'object') throw invalidArgument('submission', 'an object { idCard, video, photo }', submission);
  const attempt = submission.attempt ?? 1;
  const maxAttempts = options.maxAttempts ?? 3;
  const left = attemptsLeft(attempt, maxAttempts);
  const started = performance.now();
  const timings: Record<string, number> = {};
  if (attempt > maxAttempts) {
    return { passed: false, steps: {}, reasons: [{ step: 'attempts', code: 'ATTEMPTS_EXHAUSTED', message: EXHAUSTED }], attemptsLeft: 0, timings };
  }
  const signal = eitherSignal(options.signal, options.video?.signal);
  const { liveness, videoMatch, photo, photoMatch } = await scoped('verifyApplicant', { signal, timeoutMs: options.timeoutMs }, TIMEOUT_MS, (scope) => runSteps(submission, options, scope, timings));
  timings.total = Math.round(performance.now() - started);

  const reasons: VerifyReason[] = [];
  for (const s of Object.values(liveness.signals)) {
    for (const code of s.codes) reasons.push({ step: 'liveness', code, message: s.message });
  }
  for (const [step, result] of [['videoMatch', videoMatch], ['photoMatch', photoMatch]] as const) {
    for (const r of result.reasons) reasons.push({ step, code: r.code, message: r.message });
    if (!result.match && result.usedFrames > 0 && result.idCardFace) reasons.push({ step, code: 'FACE_MISMATCH', message: MISMATCH[step] });
  }
  for (const c of photo.checks) {
    if (c.status === 'failed' && c.severity === 'error') reasons.push({ step: 'photo', code: `PHOTO_${c.id.replace(/[A-Z]/g, (m) => `_${m}`).toUpperCase()}`, message: c.message });
  }
  const passed = liveness.passed && videoMatch.match && photo.passed && photoMatch.match;
  if (!passed && left === 0) reasons.push({ step: 'attempts', code: 'ATTEMPTS_EXHAUSTED', message: EXHAUSTED });
  return { passed, steps: { liveness, videoMatch, photo, photoMatch }, reasons, attemptsLeft: left, timings };
}

/**
 * The two independent chains, video (ffmpeg runs beside the models) and photo, in one scope: when one
 * fails the other is cancelled, and the call settles only once both have stopped, so no ffmpeg, temp
 * folder or model run outlives the answer (in a pool worker the next call would overlap it).
 */
async function runSteps(submission: ApplicantSubmission, options: VerifyApplicantOptions, scope: CallScope, timings: Record<string, number>) {
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      timings[step] = Math.round(performance.now() - t);
    }
  };
  // Each step stops with the call; a step's own limit (video.timeoutMs, photo.timeoutMs) still applies within it.
  const inner = (own?: number) => ({ signal: scope.signal, timeoutMs: Math.min(own ?? Infinity, scope.remainingMs()) || 1 });
  const compare = { far: options.far };
  const chain = <T>(work: () => Promise<T>): Promise<T> =>
    work().catch((error: unknown) => {
      scope.cancel('another step failed');
      throw error;
    });
  // The card's portrait is searched once, beside the video's decoding, for both comparisons.
  const card = chain(() => timed('card', () => prepareCard(submission.idCard, inner())));
  const results = await Promise.allSettled([
    card,
    chain(async () => {
      const l = await timed('liveness', () =>
        analyzeReadingVideo(submission.video, { ...options.video, ...inner(options.video?.timeoutMs), challengeDigits: submission.challengeDigits, transcribe: options.transcribe }),
      );
      const m = await timed('videoMatch', async () => compareFaces(await card, l.recording.frames, { ...compare, ...inner() }));
      return [l, m] as const;
    }),
    chain(async () => {
      const p = await timed('photo', () => validatePhotoAndFaces(submission.photo, { ...options.photo, ...inner(options.photo?.timeoutMs) }));
      const m = await timed('photoMatch', async () => {
        // The photo as validatePhoto decoded it, with the faces it found: embedded, not decoded and detected again.
        const photo = (await prepareDetectedFrame(p.image, p.scale, p.faces, p.detector)) ?? submission.photo;
        return compareFaces(await card, [photo], { ...compare, minFrames: 1, ...inner() });
      });
      return [p.validation, m] as const;
    }),
  ]);
  // The first failure is the answer (the other chain's is then only ABORTED/cancelled).
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isCancellation(r.reason)) ?? results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const [, [liveness, videoMatch], [photo, photoMatch]] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as [
    unknown,
    readonly [ReadingVideoAnalysis, CompareFacesResult],
    readonly [PhotoValidation, CompareFacesResult],
  ];
  return { liveness, videoMatch, photo, photoMatch };
}

const isCancellation = (error: unknown) => (error as { details?: { reason?: string } } | undefined)?.details?.reason === 'cancelled';

/** The caller may pass its signal at the top or (as before) in `video`; either stops the whole call. */
function eitherSignal(...given: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const signals = given.filter((s) => s !== undefined);
  for (const s of signals) if (!(s instanceof AbortSignal)) throw invalidArgument('options.signal', 'an AbortSignal', s);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}
