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
