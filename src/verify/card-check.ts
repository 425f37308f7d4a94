/**
 * The ID card read in verifyApplicant: which side was uploaded, whether its number holds, and whether
 * it is the registrant's (the number and name the host expects). A misread is not a fraud: a number
 * that differs from the expected one in a single character read unsurely, where the expected number is
 * valid and the read one is not, is taken as the expected number misread.
 */
import type { IdCardReading } from '../card/types.js';
import type { ReadChar } from '../models/ocr.js';
import { parseIdNumber } from '../card/id-number.js';
import type { Message } from '../core/result.js';
import type { ApplicantSubmission, VerifyReason, VerifyReasonCode } from './types.js';

/** A character read below this probability may be a misread. */
const UNSURE_CHAR = 0.9;

/** The card step's reason codes in verifyApplicant (the emblem side, the number, the name, a card that cannot be read). */
export type CardReasonCode = 'WRONG_CARD_SIDE' | 'ID_NUMBER_INVALID' | 'ID_NUMBER_MISMATCH' | 'NAME_MISMATCH' | 'NAME_UNVERIFIED' | 'CARD_UNREADABLE' | 'CARD_LAYOUT' | 'FACE_OUTSIDE_CARD' | 'CARD_PHOTOCOPY' | 'CARD_BLURRED' | 'CARD_GLARE' | 'CARD_CUT_OFF' | 'CARD_SCREEN' | 'CARD_FINGER';

// Without the recogniser's set (cardReasons called alone), every character counts as readable.
const EVERY_CHARACTER = { has: () => true };

const NAME_UNVERIFIED = {
  zh: '登记的姓名含有系统无法识别的生僻字，姓名未能自动核对，需人工核对；本次验证不因此失败。',
  en: "The registered name has characters the reader cannot recognise: it was not checked automatically and needs a person's check; the verification does not fail on it.",
};

/**
 * Names compared as printed: compatibility forms folded (NFKC: full-width letters, compatibility ideographs),
 * zero-width characters and spaces dropped, the dots between the parts of a transliterated name made one.
 */
export const normalizeName = (name: string) =>
  name
    .normalize('NFKC')
    .replace(/[\u200b-\u200f\u2060\ufeff\u00ad]/g, '')
    .replace(/[\s\u3000]+/g, '')
    .replace(/[·•・.．‧∙]/g, '·');

/**
 * How the name read agrees with the expected one. 'same'. 'unreadable': the expected name has characters
 * the recogniser cannot read (燊, 赟, 䶮: outside its 6,622), and the rest agree in order, each such
 * character read as one other character or none (何鸿燊 read 何鸿, 禤小燊 read 榻小); at least one
 * character the recogniser knows must be there to agree. 'different' otherwise.
 */
export function compareNames(read: string, expected: string, known: { has(c: string): boolean }): 'same' | 'unreadable' | 'different' {
  const [r, e] = [normalizeName(read), normalizeName(expected)];
  if (r === e) return 'same';
  const chars = [...e];
  const unknown = chars.filter((c) => !known.has(c));
  if (unknown.length === 0 || unknown.length === chars.length) return 'different';
  const pattern = chars.map((c) => (known.has(c) ? c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '.?')).join('');
  return new RegExp(`^${pattern}$`, 'u').test(r) ? 'unreadable' : 'different';
}

/** The card step's reasons. `numberChars`: the number's characters as read, for telling a misread from another number. */
export function cardReasons(reading: IdCardReading, expected: ApplicantSubmission['expected'], numberChars?: readonly ReadChar[], known: { has(c: string): boolean } = EVERY_CHARACTER): VerifyReason[] {
  const reasons: VerifyReason[] = [];
  const add = (id: CardReasonCode & VerifyReasonCode, severity: 'error' | 'warning', measured: Record<string, unknown>, limit: Record<string, unknown>, message: Message) =>
    reasons.push({ step: 'card', id, status: 'failed', passed: false, severity, measured, limit, message });

  if (reading.side === 'emblem') {
    add('WRONG_CARD_SIDE', 'error', { side: 'emblem' }, { side: 'portrait' }, {
      zh: '上传的是身份证国徽面，请上传身份证人像面（有照片的一面）。',
      en: 'The emblem side of the ID card was uploaded; upload the portrait side (the side with the photo).',
    });
    return reasons;
  }
  // Without expected data an unreadable card only warns: the faces are still compared.
  const unreadable = (what: string) =>
    add('CARD_UNREADABLE', expected ? 'error' : 'warning', { side: reading.side, missing: what, cardReasons: reading.reasons.map((r) => r.id) }, {}, {
      zh: '身份证文字无法识别。请在光线均匀处正对身份证人像面重新拍摄，避免反光和模糊。',
      en: "The ID card's text could not be read. Photograph its portrait side again, square on, in even light, without glare or blur.",
    });

  const number = reading.idNumber;
  if (!number) unreadable('idNumber');
  else {
    const misread = expected?.idNumber !== undefined && isMisreadOf(number.value, expected.idNumber, numberChars);
    if (!misread && (!number.valid || number.consistent === false)) {
      add('ID_NUMBER_INVALID', 'error', { idNumber: number.value, cardReasons: reading.reasons.filter((r) => r.id.startsWith('ID_NUMBER')).map((r) => r.id) }, { expectedCheckDigit: number.expectedCheckDigit }, {
        zh: '身份证号码无效（校验位、出生日期或与证件信息不符）。请核对证件。',
        en: "The ID card's number is not valid (its check character, its birth date, or it disagrees with the card's own data). Check the card.",
      });
    }
    if (expected?.idNumber !== undefined && !misread && number.value !== canonicalNumber(expected.idNumber)) {
      add('ID_NUMBER_MISMATCH', 'error', { idNumber: number.value }, { expected: canonicalNumber(expected.idNumber) }, {
        zh: '身份证号码与报名登记的号码不一致。',
        en: 'The number on the ID card is not the number the applicant registered with.',
      });
    }
  }
  if (expected?.name !== undefined) {
    const name = reading.fields.name?.value;
    const agree = name === undefined ? undefined : compareNames(name, expected.name, known);
    if (name === undefined) {
      // A name of characters the recogniser cannot read at all may be read as nothing: not the applicant's fault.
      if ([...normalizeName(expected.name)].some((c) => !known.has(c))) add('NAME_UNVERIFIED', 'warning', { name: null }, { expected: expected.name }, NAME_UNVERIFIED);
      else unreadable('name');
    } else if (agree === 'unreadable') {
      add('NAME_UNVERIFIED', 'warning', { name, unreadableCharacters: [...normalizeName(expected.name)].filter((c) => !known.has(c)) }, { expected: expected.name }, NAME_UNVERIFIED);
    } else if (agree === 'different') {
      add('NAME_MISMATCH', 'error', { name }, { expected: expected.name }, {
        zh: '身份证上的姓名与报名登记的姓名不一致。',
        en: 'The name on the ID card is not the name the applicant registered with.',
      });
    }
  }
  // The card's own: text that is not laid out as a card's (an error), a field not read, another face in the
  // picture, a grey copy, the photo's faults (warnings: the host decides, and may ask for a new photo first).
  for (const r of reading.reasons) {
    if (forwarded(r.id)) add(r.id, r.severity === 'error' ? 'error' : 'warning', r.measured, r.limit, r.message);
  }
  return reasons;
}

// readIdCard's reasons verifyApplicant passes on as they are.
const FORWARDED = ['CARD_LAYOUT', 'FACE_OUTSIDE_CARD', 'CARD_PHOTOCOPY', 'CARD_BLURRED', 'CARD_GLARE', 'CARD_CUT_OFF', 'CARD_SCREEN', 'CARD_FINGER'] as const;
const forwarded = (id: string): id is (typeof FORWARDED)[number] => (FORWARDED as readonly string[]).includes(id);

const canonicalNumber = (value: string) => parseIdNumber(value).value;

/**
 * The read number is the expected one misread: they differ in one character only, the expected number
 * is valid and the read one is not, and that character was read unsurely or its runner-up is the
 * expected character.
 */
function isMisreadOf(read: string, expected: string, chars?: readonly ReadChar[]): boolean {
  const want = parseIdNumber(expected);
  if (!want.valid || read.length !== want.value.length || parseIdNumber(read).valid) return false;
  const differ = [...read].flatMap((c, i) => (c === want.value[i] ? [] : [i]));
  if (differ.length !== 1 || !chars || chars.length !== read.length) return false;
  const at = chars[differ[0]!]!;
  return at.p < UNSURE_CHAR || at.alternative?.char.toUpperCase() === want.value[differ[0]!];
}
