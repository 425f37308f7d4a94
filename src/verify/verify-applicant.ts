/**
 * verifyApplicant: the whole online verification of one applicant in one call — the reading video's
 * liveness, the ID card against the video, the uploaded photo against the spec and against the card.
 */
import { CARD_MAX_SIDE, CARD_READ_SCHEMA, readDecoded } from '../card/read-id-card.js';
import { recognisedCharacters } from '../models/ocr.js';
import { COMPARE_SCHEMA, compareFaces, prepareCard, preparedFromPortrait } from '../compare/compare-faces.js';
import { decodeImage } from '../compare/frames.js';
import type { PreparedCard } from '../compare/types.js';
import { prepareDetectedFrame } from '../compare/frames.js';
import type { CompareFacesResult } from '../compare/types.js';
import { CALL_SCHEMA, type CallScope, scoped } from '../core/call-scope.js';
import { DEFAULTS } from '../core/defaults.js';
import { invalidArgument } from '../core/errors.js';
import { checkOptions, is } from '../core/options.js';
import type { Message } from '../core/result.js';
import { LIVENESS_SCHEMA, analyzeReadingVideo } from '../liveness/analyze-reading-video.js';
import type { ReadingVideoAnalysis } from '../liveness/types.js';
import type { PhotoValidation } from '../photo/types.js';
import { PHOTO_SCHEMA, validatePhotoAndFaces } from '../photo/validate-photo.js';
import { cardReasons } from './card-check.js';
import { type ApplicantSubmission, type ApplicantVerification, PHOTO_REASON_CODES, type VerifyApplicantOptions, type VerifyReason, type VerifyStage } from './types.js';

const { challengeDigits: _c, transcribe: _t, ...videoRules } = LIVENESS_SCHEMA;
/** verifyApplicant's options; `photo` and `video` are checked by the steps' own rules. */
export const VERIFY_SCHEMA = {
  ...CALL_SCHEMA,
  far: COMPARE_SCHEMA.far,
  maxAttempts: is.positiveInteger,
  transcribe: is.function,
  readCard: is.boolean,
  now: CARD_READ_SCHEMA.now,
  photo: is.object,
  video: is.object,
} as const;
const EXPECTED_SCHEMA = { idNumber: is.string, name: is.string } as const;
const SUBMISSION_SCHEMA = { idCard: is.any, video: is.any, photo: is.any, challengeDigits: LIVENESS_SCHEMA.challengeDigits, attempt: is.positiveInteger, expected: is.object } as const;

/**
 * The attempt policy, pure: an applicant has `maxAttempts` verifications; after attempt n (from 1),
 * maxAttempts − n are left, whatever its outcome. A failure with none left sends the applicant to an
 * office (ATTEMPTS_EXHAUSTED). The library keeps no state: the host counts attempts.
 */
export function attemptsLeft(attempt: number, maxAttempts: number = DEFAULTS.verify.maxAttempts): number {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw invalidArgument('maxAttempts', 'an integer ≥ 1', maxAttempts);
  if (!Number.isInteger(attempt) || attempt < 1) throw invalidArgument('attempt', 'an integer ≥ 1', attempt);
  return Math.max(0, maxAttempts - attempt);
}

function exhausted(attempt: number, maxAttempts: number): VerifyReason {
  return {
    step: 'attempts',
    id: 'ATTEMPTS_EXHAUSTED',
    status: 'failed',
    passed: false,
    severity: 'error',
    measured: { attempt },
    limit: { maxAttempts },
    message: {
      en: 'No verification attempts are left. Please verify in person at an exam office.',
      zh: '在线验证次数已用完，请本人到考试机构现场核验。',
    },
  };
}
const MISMATCH: Record<'videoMatch' | 'photoMatch', Message> = {
  videoMatch: { en: 'The person in the video does not match the ID card.', zh: '视频中的人与身份证不一致。' },
  photoMatch: { en: 'The uploaded photo does not match the ID card.', zh: '上传的照片与身份证不一致。' },
};

/** The whole online verification of one applicant: liveness, the card against the video and the photo, the photo against the spec. */
export async function verifyApplicant(submission: ApplicantSubmission, options: VerifyApplicantOptions = {}): Promise<ApplicantVerification> {
  if (submission === null || typeof submission !== 'object') throw invalidArgument('submission', 'object { idCard, video, photo }', submission);
  checkOptions(submission, SUBMISSION_SCHEMA, 'submission.');
  checkOptions(submission.expected, EXPECTED_SCHEMA, 'submission.expected.');
  options = checkOptions(options, VERIFY_SCHEMA);
  checkOptions(options.photo, PHOTO_SCHEMA, 'photo.');
  checkOptions(options.video, videoRules, 'video.');
  const attempt = submission.attempt ?? 1;
  const maxAttempts = options.maxAttempts ?? DEFAULTS.verify.maxAttempts;
  const left = attemptsLeft(attempt, maxAttempts);
  const started = performance.now();
  const timings: ApplicantVerification['timings'] = {};
  if (attempt > maxAttempts) {
    return { passed: false, steps: {}, reasons: [exhausted(attempt, maxAttempts)], attemptsLeft: 0, timings };
  }
  const signal = eitherSignal(options.signal, options.video?.signal);
  const { card, liveness, videoMatch, photo, photoMatch } = await scoped('verifyApplicant', { signal, timeoutMs: options.timeoutMs }, DEFAULTS.verify.timeoutMs, (scope) => runSteps(submission, options, scope, timings));
  timings.total = Math.round(performance.now() - started);

  const reasons: VerifyReason[] = card ? cardReasons(card.reading, submission.expected, card.numberChars, await recognisedCharacters()) : [];
  const failed = { status: 'failed', passed: false } as const;
  for (const s of Object.values(liveness.signals)) {
    for (const id of s.codes) reasons.push({ ...failed, step: 'liveness', id, severity: s.severity, measured: s.measured, limit: s.limit, message: s.message });
  }
  for (const [step, result] of [['videoMatch', videoMatch], ['photoMatch', photoMatch]] as const) {
    for (const r of result.reasons) reasons.push({ ...r, step });
    if (!result.match && result.usedFrames > 0 && result.idCardFace) {
      reasons.push({ ...failed, step, id: 'FACE_MISMATCH', severity: 'error', measured: { similarity: result.similarity }, limit: { threshold: result.threshold, far: result.far }, message: MISMATCH[step] });
    }
  }
  for (const c of photo.checks) {
    if (c.status === 'failed' && c.severity === 'error') reasons.push({ ...c, step: 'photo', id: PHOTO_REASON_CODES[c.id] });
  }
  const cardPassed = !reasons.some((r) => r.step === 'card' && r.severity === 'error');
  const passed = cardPassed && liveness.passed && videoMatch.match && photo.passed && photoMatch.match;
  if (!passed && left === 0) reasons.push(exhausted(attempt, maxAttempts));
  const steps = card ? { card: card.reading, liveness, videoMatch, photo, photoMatch } : { liveness, videoMatch, photo, photoMatch };
  return { passed, steps, reasons, attemptsLeft: left, timings };
}

/**
 * The two independent chains, video (ffmpeg runs beside the models) and photo, in one scope: when one
 * fails the other is cancelled, and the call settles only once both have stopped, so no ffmpeg, temp
 * folder or model run outlives the answer (in a pool worker the next call would overlap it).
 */
async function runSteps(submission: ApplicantSubmission, options: VerifyApplicantOptions, scope: CallScope, timings: ApplicantVerification['timings']) {
  const timed = async <T>(step: VerifyStage, work: () => Promise<T>): Promise<T> => {
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
  // The card is read (its portrait found at the rotation its text gave) once, beside the video's decoding, for both comparisons.
  const read = options.readCard === false ? undefined : chain(() => timed('card', () => readCard(submission.idCard, { now: options.now }, inner())));
  const prepared = read ? read.then((r) => r.prepared) : chain(() => timed('card', () => prepareCard(submission.idCard, inner())));
  // Its failure is read's, settled below; the chains that await it may have stopped first.
  prepared.catch(() => undefined);
  const results = await Promise.allSettled([
    read ?? prepared,
    chain(async () => {
      const l = await timed('liveness', () =>
        analyzeReadingVideo(submission.video, { ...options.video, ...inner(options.video?.timeoutMs), challengeDigits: submission.challengeDigits, transcribe: options.transcribe }),
      );
      const m = await timed('videoMatch', async () => compareFaces(await prepared, l.recording.frames, { ...compare, ...inner() }));
      return [l, m] as const;
    }),
    chain(async () => {
      const p = await timed('photo', () => validatePhotoAndFaces(submission.photo, { ...options.photo, ...inner(options.photo?.timeoutMs) }));
      const m = await timed('photoMatch', async () => {
        // The photo as validatePhoto decoded it, with the faces it found: embedded, not decoded and detected again.
        const photo = (await prepareDetectedFrame(p.image, p.scale, p.faces, p.detector)) ?? submission.photo;
        return compareFaces(await prepared, [photo], { ...compare, minFrames: 1, ...inner() });
      });
      return [p.validation, m] as const;
    }),
  ]);
  // The first failure is the answer (the other chain's is then only ABORTED/cancelled).
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isCancellation(r.reason)) ?? results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const [cardRead, [liveness, videoMatch], [photo, photoMatch]] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as [
    Awaited<ReturnType<typeof readCard>> | PreparedCard,
    readonly [ReadingVideoAnalysis, CompareFacesResult],
    readonly [PhotoValidation, CompareFacesResult],
  ];
  const card = read ? (cardRead as Awaited<ReturnType<typeof readCard>>) : undefined;
  return { card, liveness, videoMatch, photo, photoMatch };
}

/** The card decoded once, read, and its portrait (found at the text's rotation) embedded for the comparisons. */
async function readCard(input: ApplicantSubmission['idCard'], o: { now?: Date }, control: { signal: AbortSignal; timeoutMs: number }) {
  return scoped('readIdCard', control, DEFAULTS.card.timeoutMs, async (scope) => {
    const decoded = await decodeImage(input, CARD_MAX_SIDE, DEFAULTS.image);
    const { reading, portrait, numberChars } = await readDecoded(decoded.image, decoded.scale, { now: o.now }, scope);
    const prepared = await preparedFromPortrait(portrait, decoded.scale);
    return { reading, numberChars, prepared };
  });
}

const isCancellation = (error: unknown) => (error as { details?: { reason?: string } } | undefined)?.details?.reason === 'cancelled';

/** The caller may pass its signal at the top or (as before) in `video`; either stops the whole call. */
function eitherSignal(...given: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const signals = given.filter((s) => s !== undefined);
  for (const s of signals) if (!(s instanceof AbortSignal)) throw invalidArgument('options.signal', 'an AbortSignal', s);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}
