/**
 * The citizen identity number of GB 11643-1999: a 6-digit region code, the birth date (YYYYMMDD), a
 * 3-digit sequence whose last digit is odd for men and even for women, and a check character by
 * ISO 7064 MOD 11-2 (0–9 or X). Pure: no model, no I/O.
 */
import { invalidArgument } from '../core/errors.js';
import { type Finding, type Message, measuredFinding } from '../core/result.js';

/** Why an identity number is not valid. */
export type IdNumberReasonCode = 'ID_NUMBER_FORMAT' | 'ID_NUMBER_CHECKSUM' | 'ID_NUMBER_DATE';

/** One reason an identity number is not valid, in the Finding shape. */
export type IdNumberReason = Finding<IdNumberReasonCode, Record<string, unknown>, Record<string, unknown>>;

/** parseIdNumber's result: the number, whether it is valid, and what it says (birth date, sex, region). */
export interface ParsedIdNumber {
  /** The number as read, normalised: full-width digits and spaces folded, x as X. */
  value: string;
  /** Every rule holds: format, region shape, check character, a real birth date not in the future. */
  valid: boolean;
  /** The check character is the one the other 17 digits give (false when the format is wrong). */
  checksumValid: boolean;
  /** The check character the first 17 digits give, or null when they are not 17 digits. */
  expectedCheckDigit: string | null;
  /** 'YYYY-MM-DD' when the date digits form a real date, else null. */
  birthDate: string | null;
  sex: '男' | '女' | null;
  /** The first six digits (province, prefecture, county), or null. */
  regionCode: string | null;
  /** Why it is not valid; empty when valid. */
  reasons: IdNumberReason[];
}

// ISO 7064 MOD 11-2: weight of digit i is 2^(17−i) mod 11; the check character for sum mod 11.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
// Province-level codes of GB/T 2260, and 81–83 for the residence permits of Hong Kong, Macao and Taiwan residents.
const PROVINCES = new Set([11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]);
// The oldest birth year accepted: the standard dates from 1999, and nobody born before 1900 registers.
const MIN_YEAR = 1900;

/** The check character (0–9 or X) of the first 17 digits. */
export function idNumberCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw invalidArgument('first17', 'string of 17 digits', first17);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** Reads an 18-character identity number and checks it. `now` is the date a birth date may not pass (default: today). */
export function parseIdNumber(input: string, options: { now?: Date } = {}): ParsedIdNumber {
  if (typeof input !== 'string') throw invalidArgument('idNumber', 'string', input);
  const now = options.now ?? new Date();
  const value = input
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[xｘＸ]/g, 'X')
    .replace(/[\s\u3000]/g, '');
  const reasons: IdNumberReason[] = [];
  const fail = (id: IdNumberReasonCode, measured: Record<string, unknown>, limit: Record<string, unknown>, message: Message) =>
    reasons.push(measuredFinding(id, 'error', false, measured, limit, message));

  const shaped = /^\d{17}[\dX]$/.test(value);
  const region = shaped ? value.slice(0, 6) : null;
  if (!shaped || !PROVINCES.has(Number(value.slice(0, 2)))) {
    fail('ID_NUMBER_FORMAT', { value, length: value.length }, { pattern: '17 digits and a check character 0–9 or X; a province code first' }, {
      zh: `身份证号码格式不正确（${value.length}位），应为18位，前17位为数字，最后一位为数字或X。`,
      en: `The ID number is malformed (${value.length} characters): it has 18, the first 17 digits and the last a digit or X.`,
    });
  }
  const expectedCheckDigit = /^\d{17}/.test(value) ? idNumberCheckDigit(value.slice(0, 17)) : null;
  const checksumValid = shaped && expectedCheckDigit === value[17];
  if (shaped && !checksumValid) {
    fail('ID_NUMBER_CHECKSUM', { checkDigit: value[17] }, { expectedCheckDigit }, {
      zh: `身份证号码校验位错误：最后一位是${value[17]}，按前17位应为${expectedCheckDigit}。请核对号码。`,
      en: `The ID number's check character is ${value[17]}; the first 17 digits give ${expectedCheckDigit}. Check the number.`,
    });
  }
  let birthDate: string | null = null;
  if (/^\d{14}/.test(value)) {
    const [y, m, d] = [Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14))];
    const date = new Date(Date.UTC(y, m - 1, d));
    const real = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
    const iso = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
    const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
    if (real && y >= MIN_YEAR && date.getTime() <= today) birthDate = iso;
    else if (shaped) {
      fail('ID_NUMBER_DATE', { birthDigits: value.slice(6, 14) }, { from: `${MIN_YEAR}-01-01`, to: new Date(today).toISOString().slice(0, 10) }, {
        zh: `身份证号码中的出生日期（${value.slice(6, 14)}）不是有效日期。请核对号码。`,
        en: `The birth date in the ID number (${value.slice(6, 14)}) is not a real date up to today. Check the number.`,
      });
    }
  }
  const sex = /^\d{17}/.test(value) ? (Number(value[16]) % 2 === 1 ? '男' : '女') : null;
  return { value, valid: reasons.length === 0, checksumValid, expectedCheckDigit, birthDate, sex, regionCode: region, reasons };
}

/** A character as the recogniser read it: its probability, and the runner-up at that step. */
export interface ReadNumberChar {
  char: string;
  p: number;
  alternative?: { char: string; p: number };
}

/** recoverIdNumber's result: the one valid number the reading allows, and the positions changed. */
export interface RecoveredIdNumber {
  value: string;
  /** Indexes (0–17) whose character was replaced by the recogniser's runner-up or the printed birth date's digit. */
  positions: number[];
}

// A character read below this probability may be a misread; at most this many of the least sure are
// reconsidered, and at most two changed: a number with more doubt than that is left as read.
const UNSURE = 0.9;
const MOST_UNSURE = 4;
const MOST_CHANGES = 2;

/**
 * The number a misread card carries, when its reading allows exactly one valid number: the characters read
 * below UNSURE replaced by the recogniser's runner-up, and the birth-date digits (positions 6–13) by the
 * printed birth date's, one or two at a time, the result valid (check character, date) and agreeing with
 * the printed birth date and sex where they were read. Undefined when the number is valid as read, when
 * nothing was read unsurely, or when two valid numbers are possible: then the reading's reason stands. A
 * number read surely is never changed, so a card that truly carries a wrong check character is reported.
 */
export function recoverIdNumber(chars: readonly ReadNumberChar[], printed: { birthDate?: string; sex?: '男' | '女' }, options: { now?: Date } = {}): RecoveredIdNumber | undefined {
  if (chars.length !== 18) return undefined;
  const read = chars.map((c) => c.char.toUpperCase());
  if (parseIdNumber(read.join(''), options).valid) return undefined;
  const dateDigits = printed.birthDate?.replace(/-/g, '');
  const options_: Array<{ at: number; char: string; p: number }> = [];
  chars.forEach((c, at) => {
    const alt = c.alternative?.char.toUpperCase();
    if (c.p < UNSURE && alt && alt !== read[at] && (/\d/.test(alt) || (alt === 'X' && at === 17))) options_.push({ at, char: alt, p: c.p });
    const printedDigit = dateDigits && at >= 6 && at < 14 ? dateDigits[at - 6] : undefined;
    if (printedDigit && printedDigit !== read[at] && printedDigit !== alt && c.p < UNSURE) options_.push({ at, char: printedDigit, p: c.p });
  });
  const unsureAt = [...new Set(options_.sort((a, b) => a.p - b.p).map((o) => o.at))].slice(0, MOST_UNSURE);
  const candidates = options_.filter((o) => unsureAt.includes(o.at));
  const found = new Map<string, number[]>();
  const tryChanges = (changes: typeof candidates) => {
    const next = [...read];
    for (const c of changes) next[c.at] = c.char;
    const value = next.join('');
    const parsed = parseIdNumber(value, options);
    if (!parsed.valid) return;
    if (printed.birthDate && parsed.birthDate !== printed.birthDate) return;
    if (printed.sex && parsed.sex !== printed.sex) return;
    if (!found.has(value)) found.set(value, changes.map((c) => c.at).sort((a, b) => a - b));
  };
  for (let i = 0; i < candidates.length; i++) {
    tryChanges([candidates[i]!]);
    if (MOST_CHANGES < 2) continue;
    for (let j = i + 1; j < candidates.length; j++) if (candidates[j]!.at !== candidates[i]!.at) tryChanges([candidates[i]!, candidates[j]!]);
  }
  // The fewest changes win; two numbers at the fewest are a guess.
  const fewest = Math.min(...[...found.values()].map((p) => p.length));
  const best = [...found.entries()].filter(([, p]) => p.length === fewest);
  if (best.length !== 1) return undefined;
  return { value: best[0]![0], positions: best[0]![1] };
}
