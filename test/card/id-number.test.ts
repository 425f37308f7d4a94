import { describe, expect, it } from 'vitest';
import { idNumberCheckDigit, parseIdNumber, recoverIdNumber } from '../../src/card/id-number.js';

const now = new Date('2026-12-01T12:00:00Z');

describe('parseIdNumber (GB 11643-1999)', () => {
  it("reports the mock card's wrong check digit (440305199506062561: the first 17 digits give 9)", () => {
    const r = parseIdNumber('440305199506062561', { now });
    expect(r).toMatchObject({ valid: false, checksumValid: false, expectedCheckDigit: '9', birthDate: '1995-06-06', sex: '女', regionCode: '440305' });
    expect(r.reasons.map((x) => x.id)).toEqual(['ID_NUMBER_CHECKSUM']);
    expect(r.reasons[0]!.message.zh).toContain('校验位');
  });

  it('accepts the corrected number, and X as a check character (any case, full-width digits, spaces)', () => {
    expect(parseIdNumber('440305199506062569', { now })).toMatchObject({ valid: true, reasons: [] });
    // The standard's own example: 11010519491231002X.
    expect(parseIdNumber('11010519491231002x', { now })).toMatchObject({ value: '11010519491231002X', valid: true, sex: '女', birthDate: '1949-12-31' });
    expect(parseIdNumber('１１０１０５ １９４９１２３１ ００２Ｘ', { now })).toMatchObject({ value: '11010519491231002X', valid: true });
  });

  it.each([
    ['17 digits', '44030519950606256', 'ID_NUMBER_FORMAT'],
    ['19 digits', '4403051995060625699', 'ID_NUMBER_FORMAT'],
    ['a letter inside', '44030519950606A569', 'ID_NUMBER_FORMAT'],
    ['no province 99', '990305199506062562', 'ID_NUMBER_FORMAT'],
    ['30 February', `44030519950230${'256'}${idNumberCheckDigit('44030519950230256')}`, 'ID_NUMBER_DATE'],
    ['born tomorrow', `44030520261202${'256'}${idNumberCheckDigit('44030520261202256')}`, 'ID_NUMBER_DATE'],
    ['born in 1850', `44030518500101${'256'}${idNumberCheckDigit('44030518500101256')}`, 'ID_NUMBER_DATE'],
  ])('%s → %s', (_, value, code) => {
    const r = parseIdNumber(value, { now });
    expect(r.valid).toBe(false);
    expect(r.reasons.map((x) => x.id)).toContain(code);
    for (const reason of r.reasons) expect(reason.message.en.length).toBeGreaterThan(0);
  });

  it('sex from the 17th digit: odd men, even women', () => {
    const male = `1101051949123100${1}`;
    expect(parseIdNumber(male + idNumberCheckDigit(male), { now }).sex).toBe('男');
  });

  it('every check digit of 1,000 generated numbers is the one the rule gives, and one changed digit is caught', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 1000; i++) {
      const body = `42${String(Math.floor(rand() * 1e4)).padStart(4, '0')}19${String(50 + Math.floor(rand() * 50))}0${1 + Math.floor(rand() * 9)}1${Math.floor(rand() * 9)}${String(Math.floor(rand() * 1000)).padStart(3, '0')}`;
      const good = body + idNumberCheckDigit(body);
      expect(parseIdNumber(good, { now }).valid, good).toBe(true);
      const k = Math.floor(rand() * 17);
      const changed = good.slice(0, k) + ((Number(good[k]) + 1 + Math.floor(rand() * 9)) % 10) + good.slice(k + 1);
      expect(parseIdNumber(changed, { now }).checksumValid, changed).toBe(false);
    }
  });

  it('a non-string is misuse', () => {
    expect(() => parseIdNumber(123 as never)).toThrow(/Expected string for idNumber/);
  });
});

describe('recoverIdNumber: a misread number recovered from the reading, or left', () => {
  const now = new Date('2026-12-01');
  const VALID = '420111199003071239';
  const asRead = (value: string, unsure: Record<number, [string, number]> = {}) =>
    [...value].map((char, i) => (unsure[i] ? { char, p: unsure[i]![1], alternative: { char: unsure[i]![0], p: 1 - unsure[i]![1] } } : { char, p: 0.999 }));
  it('the runner-up at the one unsure character, when it makes the only valid number', () => {
    const misread = `${VALID.slice(0, 15)}5${VALID.slice(16)}`; // …1239 read …1539
    expect(parseIdNumber(misread, { now }).valid).toBe(false);
    expect(recoverIdNumber(asRead(misread, { 15: ['2', 0.55] }), { birthDate: '1990-03-07', sex: '男' }, { now })).toEqual({ value: VALID, positions: [15] });
  });
  it("a birth-date digit from the printed birth date (…255… read as …225…)", () => {
    const misread = `${VALID.slice(0, 10)}08${VALID.slice(12)}`;
    expect(recoverIdNumber(asRead(misread, { 11: ['6', 0.6] }), { birthDate: '1990-03-07' }, { now })).toEqual({ value: VALID, positions: [11] });
  });
  it('a number read surely is never changed: a card printed with a wrong check character stays wrong', () => {
    const wrong = `${VALID.slice(0, 17)}5`;
    expect(recoverIdNumber(asRead(wrong), { birthDate: '1990-03-07', sex: '男' }, { now })).toBeUndefined();
  });
  it('no recovery where the change would contradict the printed sex, or where two numbers are possible', () => {
    const misread = `${VALID.slice(0, 15)}5${VALID.slice(16)}`;
    expect(recoverIdNumber(asRead(misread, { 15: ['2', 0.55] }), { sex: '女' }, { now })).toBeUndefined();
    expect(recoverIdNumber(asRead(VALID), {}, { now })).toBeUndefined();
  });
});
