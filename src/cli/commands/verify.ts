import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { VerifyError } from '../../core/errors.js';
import { sniffFormat } from '../../image/sniff.js';
import type { LivenessSignal } from '../../liveness/types.js';
import type { ApplicantVerification, VerifyReason } from '../../verify/types.js';
import { verifyApplicant } from '../../verify/verify-applicant.js';
import { isInputError, sniffNetpbm } from '../errors.js';
import type { CliOptions } from '../options.js';
import { type Locale, SIGNAL_LABELS, STEP_LABELS, TEXT, checkLabel, jsonLine, labelled, parenthesised, withCode } from '../text.js';
import { compareReasons, compareSummary } from './compare.js';
import { InputFailure } from './input-failure.js';

/** Codes that can only be about the video. */
const VIDEO_CODES = new Set(['NOT_A_VIDEO', 'NO_VIDEO_STREAM', 'VIDEO_DURATION', 'VIDEO_TOO_LARGE', 'FFMPEG_FAILED', 'FFMPEG_TIMEOUT']);

/** verify --id-card F --video F --photo F [--digits D [--require-digits]] */
export async function verify(o: CliOptions): Promise<number> {
  const submission = { idCard: o.idCard!, video: o.video!, photo: o.photo! };
  let r: ApplicantVerification;
  try {
    const expected = o.idNumber !== undefined || o.name !== undefined ? { ...(o.idNumber && { idNumber: o.idNumber }), ...(o.name && { name: o.name }) } : undefined;
    r = await verifyApplicant({ ...submission, challengeDigits: o.digits, attempt: o.attempt, expected }, { photo: { spec: o.spec as never, detector: o.detector } });
  } catch (error) {
    if (!isInputError(error)) throw error;
    throw new InputFailure(error, culprit(error, submission));
  }
  // The CLI takes no speech recogniser: digits given are never checked, and the verdict says so.
  const digits = r.steps.liveness?.signals.digits;
  const digitsUnchecked = o.digits !== undefined && digits?.status === 'not-checked';
  if (digitsUnchecked && o.requireDigits) {
    const reason: VerifyReason = { step: 'liveness', id: 'DIGITS_NOT_CHECKED' as VerifyReason['id'], passed: false, status: 'not-checked', severity: 'error', measured: {}, limit: digits.limit, message: digits.message };
    r = { ...r, passed: false, reasons: [...r.reasons, reason] };
  }
  if (o.json) {
    // The frames' JPEG bytes are left out of the JSON.
    const { liveness, ...steps } = r.steps;
    const recording = liveness && { ...liveness.recording, frames: liveness.recording.frames.map(({ image: _, ...f }) => f) };
    console.log(jsonLine({ ...r, digitsChecked: digits !== undefined && digits.status !== 'not-checked', steps: { ...steps, liveness: liveness && { ...liveness, recording } } }));
  } else {
    for (const line of verifyLines(r, o.locale, digitsUnchecked, o.requireDigits)) console.log(line);
  }
  return r.passed ? 0 : 1;
}

/** The verdict, then each step: the liveness signals by name, the comparisons, the photo's failed checks. */
export function verifyLines(r: ApplicantVerification, locale: Locale, digitsUnchecked: boolean, requireDigits: boolean): string[] {
  const sep = locale === 'zh' ? '，' : ', ';
  const word = r.passed ? TEXT.passed[locale] : TEXT.failed[locale];
  const lines = [`${r.passed ? '✓' : '✗'} ${digitsUnchecked ? `${word}${sep}${TEXT.digitsNotChecked[locale]}` : word}${parenthesised(TEXT.attemptsLeft[locale](r.attemptsLeft), locale)}`];
  const { card, liveness, videoMatch, photo, photoMatch } = r.steps;
  const stepLine = (ok: boolean, step: keyof typeof STEP_LABELS, text: string) => `  ${ok ? '✓' : '✗'} ${labelled(STEP_LABELS[step][locale], text, locale)}`;
  if (card) {
    const reasons = r.reasons.filter((x) => x.step === 'card');
    const ok = !reasons.some((x) => x.severity === 'error');
    const f = card.fields;
    const summary = [f.name?.value, f.idNumber?.value].filter((v) => v !== undefined).join(' ');
    lines.push(stepLine(ok, 'card', summary || (ok ? TEXT.passed[locale] : TEXT.failed[locale])));
    for (const x of reasons) lines.push(`      ${x.severity === 'error' ? '' : TEXT.warning[locale]}${withCode(x.message[locale], x.id, locale)}`);
  }
  if (liveness) {
    const digitsFail = digitsUnchecked && requireDigits;
    lines.push(stepLine(liveness.passed && !digitsFail, 'liveness', liveness.passed && !digitsFail ? TEXT.passed[locale] : TEXT.failed[locale]));
    for (const s of Object.values(liveness.signals) as LivenessSignal[]) lines.push(`      ${signalLine(s, locale, s.id === 'digits' && digitsFail)}`);
  }
  if (videoMatch) lines.push(stepLine(videoMatch.match, 'videoMatch', compareSummary(videoMatch, locale)), ...compareReasons(videoMatch, locale, '      '));
  if (photo) {
    lines.push(stepLine(photo.passed, 'photo', photo.passed ? TEXT.passed[locale] : TEXT.failed[locale]));
    for (const c of photo.checks) {
      if (c.status === 'failed' && c.severity !== 'info') lines.push(`      ${c.severity === 'error' ? '' : TEXT.warning[locale]}${labelled(checkLabel(c.id, locale), c.message[locale], locale)}`);
    }
  }
  if (photoMatch) lines.push(stepLine(photoMatch.match, 'photoMatch', compareSummary(photoMatch, locale)), ...compareReasons(photoMatch, locale, '      '));
  for (const reason of r.reasons.filter((x) => x.step === 'attempts')) lines.push(stepLine(false, 'attempts', reason.message[locale]));
  return lines;
}

/** A signal by its name: ✓ passed, ✗ failed (why), – not measured or not checked (why), · reported only. */
function signalLine(s: LivenessSignal, locale: Locale, required: boolean): string {
  const label = SIGNAL_LABELS[s.id]?.[locale] ?? s.id;
  if (s.severity === 'info') {
    const score = s.id === 'presentationAttack' && s.measured.liveScore !== undefined ? `${TEXT.score[locale]} ${s.measured.liveScore}${locale === 'zh' ? '，' : ', '}` : '';
    return `· ${labelled(label, `${score}${TEXT.reportedOnly[locale]}`, locale)}`;
  }
  if (s.status === 'passed') return `✓ ${label}`;
  if (s.status === 'failed' || required) return `✗ ${labelled(label, s.message[locale], locale)}`;
  return `– ${labelled(label, s.message[locale], locale)}`;
}

/**
 * Which of the three files an error is about, when that can be told: a video code is the video's; a
 * file that cannot be read, or whose bytes are no image, is found by looking.
 */
function culprit(error: VerifyError, files: { idCard: string; video: string; photo: string }): string | undefined {
  if (VIDEO_CODES.has(error.code)) return files.video;
  const path = error.details.path;
  if (typeof path === 'string') return path;
  if (error.code === 'INPUT_EMPTY') {
    const empty = Object.values(files).filter((f) => size(f) === 0);
    if (empty.length === 1) return empty[0];
  }
  if (error.code === 'UNSUPPORTED_FORMAT') {
    const unknown = [files.idCard, files.photo].filter((f) => !isImage(f));
    if (unknown.length === 1) return unknown[0];
  }
  return undefined;
}

function size(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

function isImage(file: string): boolean {
  const head = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return sniffFormat(head) !== 'unknown' || sniffNetpbm(file) !== undefined;
}

