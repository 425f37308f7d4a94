/** verifyApplicant's card step, pure: a reading and what the host expects in, reasons out. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { IdCardReading } from '../../src/card/types.js';
import { idNumberCheckDigit, parseIdNumber } from '../../src/card/id-number.js';
import { recognisedCharacters } from '../../src/models/ocr.js';
import { cardReasons, compareNames, normalizeName } from '../../src/verify/card-check.js';

const VALID = '11010519491231002X';
function reading(number: string, name = '张伟'): IdCardReading {
  const { reasons, ...parsed } = parseIdNumber(number, { now: new Date('2026-12-01') });
  return {
    side: 'portrait',
    rotation: 0,
    skewDeg: 0,
    fields: { name: { value: name, confidence: 0.99 }, idNumber: { value: number, confidence: 0.99 } },
    idNumber: { ...parsed, consistent: true },
    reasons,
    lines: [],
    timings: {},
  };
}
const chars = (number: string, unsureAt: number, p = 0.6, alternative?: string) =>
  [...number].map((char, i) => ({ char, p: i === unsureAt ? p : 0.999, ...(i === unsureAt && alternative ? { alternative: { char: alternative, p: 0.3 } } : {}) }));
const ids = (r: ReturnType<typeof cardReasons>) => r.map((x) => x.id);

describe('cardReasons', () => {
  it('nothing to say about a valid card of the expected person', () => {
    expect(cardReasons(reading(VALID), { idNumber: VALID, name: '张伟' })).toEqual([]);
    expect(cardReasons(reading(VALID), undefined)).toEqual([]);
  });

  it('another number, another name: ID_NUMBER_MISMATCH, NAME_MISMATCH', () => {
    const other = `11010519800101003${idNumberCheckDigit('11010519800101003')}`;
    expect(ids(cardReasons(reading(other), { idNumber: VALID, name: '李娜' }))).toEqual(['ID_NUMBER_MISMATCH', 'NAME_MISMATCH']);
  });

  it('a wrong check character printed and read surely is ID_NUMBER_INVALID, with or without an expected number', () => {
    const bad = '110105194912310021';
    expect(ids(cardReasons(reading(bad), undefined))).toEqual(['ID_NUMBER_INVALID']);
    expect(ids(cardReasons(reading(bad), { idNumber: VALID }, chars(bad, 17, 0.999)))).toEqual(['ID_NUMBER_INVALID', 'ID_NUMBER_MISMATCH']);
  });

  it('one character read unsurely, or whose runner-up is the expected one, is a misread of the expected number: no reason', () => {
    const misread = '110105194912810020'.slice(0, 17) + 'X';
    expect(parseIdNumber(misread).valid).toBe(false);
    expect(cardReasons(reading(misread), { idNumber: VALID }, chars(misread, 12, 0.6))).toEqual([]);
    expect(cardReasons(reading(misread), { idNumber: VALID }, chars(misread, 12, 0.95, '3'))).toEqual([]);
    // Read surely and not the runner-up: it is the number on the card.
    expect(ids(cardReasons(reading(misread), { idNumber: VALID }, chars(misread, 12, 0.99, '8')))).toEqual(['ID_NUMBER_INVALID', 'ID_NUMBER_MISMATCH']);
  });

  it('the emblem side is WRONG_CARD_SIDE and nothing else', () => {
    const emblem: IdCardReading = { side: 'emblem', rotation: 0, skewDeg: 0, fields: {}, reasons: [], lines: [], timings: {} };
    expect(ids(cardReasons(emblem, { idNumber: VALID }))).toEqual(['WRONG_CARD_SIDE']);
  });

  it('an unreadable card is an error when something is expected of it, a warning otherwise', () => {
    const blank: IdCardReading = { side: 'unknown', rotation: 0, skewDeg: 0, fields: {}, reasons: [], lines: [], timings: {} };
    expect(cardReasons(blank, { name: '张伟' }).map((x) => [x.id, x.severity])).toEqual([['CARD_UNREADABLE', 'error'], ['CARD_UNREADABLE', 'error']]);
    expect(cardReasons(blank, undefined).map((x) => [x.id, x.severity])).toEqual([['CARD_UNREADABLE', 'warning']]);
  });

  it('names compare without spaces, with the dots of transliterated names made one', () => {
    expect(normalizeName('买买提 · 艾力')).toBe(normalizeName('买买提•艾力'));
    expect(cardReasons(reading(VALID, '买买提·艾力'), { name: '买买提．艾力' })).toEqual([]);
  });

  it('normalises compatibility forms and zero-width characters on both sides', () => {
    expect(normalizeName('张\u200b伟')).toBe('张伟');
    expect(normalizeName('Ｌｉ\u3000Ｍｉｎｇ')).toBe('LiMing');
  });
});

describe('compareNames: a name with characters the recogniser cannot read never costs an attempt', () => {
  let known: ReadonlySet<string>;
  beforeAll(async () => {
    known = await recognisedCharacters();
  });

  it('the recogniser has none of the rare characters of the issue, and has the common ones', () => {
    for (const c of '燊赟翀旻䶮㛃韪嬛邶禤芈') expect(known.has(c), c).toBe(false);
    for (const c of '何鸿小华张伟') expect(known.has(c), c).toBe(true);
  });

  it('how the reads of 何鸿燊, 禤小燊 and 芈赟 compare', () => {
    expect(compareNames('何鸿', '何鸿燊', known)).toBe('unreadable');
    expect(compareNames('榻小', '禤小燊', known)).toBe('unreadable');
    expect(compareNames('何鸿', '何鸿', known)).toBe('same');
    // The characters it knows must agree, in their places.
    expect(compareNames('何红', '何鸿燊', known)).toBe('different');
    expect(compareNames('张伟', '何鸿燊', known)).toBe('different');
    // A name of only unreadable characters cannot be told from any other: not 'unreadable' by default.
    expect(compareNames('华', '芈赟', known)).toBe('different');
  });

  it('in cardReasons: NAME_UNVERIFIED, a warning, where NAME_MISMATCH was an error', () => {
    const r = cardReasons(reading(VALID, '何鸿'), { name: '何鸿燊' }, undefined, known);
    expect(r.map((x) => [x.id, x.severity])).toEqual([['NAME_UNVERIFIED', 'warning']]);
    expect(r[0]!.measured).toMatchObject({ unreadableCharacters: ['燊'] });
    expect(ids(cardReasons(reading(VALID, '何红'), { name: '何鸿燊' }, undefined, known))).toEqual(['NAME_MISMATCH']);
  });
});

describe("cardReasons: the card's own findings reach verifyApplicant", () => {
  it("CARD_LAYOUT as its severity; FACE_OUTSIDE_CARD, CARD_PHOTOCOPY and the photo's faults as warnings", () => {
    const r = reading(VALID);
    const finding = (id: IdCardReading['reasons'][number]['id'], severity: 'error' | 'warning') =>
      ({ id, severity, status: 'failed', passed: false, measured: {}, limit: {}, message: { zh: '', en: '' } }) as IdCardReading['reasons'][number];
    const faults = ['CARD_BLURRED', 'CARD_GLARE', 'CARD_CUT_OFF', 'CARD_SCREEN', 'CARD_FINGER'] as const;
    r.reasons = [finding('CARD_LAYOUT', 'error'), finding('FACE_OUTSIDE_CARD', 'warning'), finding('CARD_PHOTOCOPY', 'warning'), ...faults.map((id) => finding(id, 'warning'))];
    expect(cardReasons(r, { idNumber: VALID, name: '张伟' }).map((x) => [x.id, x.severity, x.step])).toEqual([
      ['CARD_LAYOUT', 'error', 'card'],
      ['FACE_OUTSIDE_CARD', 'warning', 'card'],
      ['CARD_PHOTOCOPY', 'warning', 'card'],
      ...faults.map((id) => [id, 'warning', 'card']),
    ]);
  });
});

