import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DATA_DIR } from '../../eval/data.js';
import { cardFields } from '../../src/card/fields.js';
import { parseIdNumber } from '../../src/card/id-number.js';
import { readIdCard } from '../../src/card/read-id-card.js';
import { decodeRgb, readHeader } from '../../src/image/decode.js';
import { sniffFormat } from '../../src/image/sniff.js';
import { readText } from '../../src/models/ocr.js';

describe('OCR on the mock ID card of ../shared/data (asia/id-number-detect/test_imgs/sample.jpg)', () => {
  it('reads every field line exactly, and the number it reads has a wrong check digit (9 is right)', async () => {
    const path = join(DATA_DIR, 'asia/id-number-detect/test_imgs/sample.jpg');
    if (!existsSync(path)) throw new Error(`The evaluation data is missing: expected ${path}. Put ../shared/data beside the repository or set VERIFY_DATA_DIR.`);
    const bytes = readFileSync(path);
    const format = sniffFormat(bytes);
    const read = await readText(await decodeRgb(bytes, format, 64e6, 2048, await readHeader(bytes, format, 64e6)));
    const lines = read.map((l) => l.text.replace(/\s+/g, ''));
    for (const expected of ['刘小合', '性别女', '民族汉', '出生1995年6月6日', '住址上海市静安区万荣路1268号', '公民身份号码', '440305199506062561']) {
      expect(lines, expected).toContain(expected);
    }
    const number = parseIdNumber('440305199506062561', { now: new Date('2026-12-01') });
    expect(number).toMatchObject({ checksumValid: false, expectedCheckDigit: '9', birthDate: '1995-06-06', sex: '女' });
    // By layout, from what the OCR read: every field, and the number checked against the printed date and sex.
    const fields = cardFields(read, { now: new Date('2026-12-01') });
    expect(fields).toMatchObject({
      side: 'portrait',
      name: { value: '刘小合' },
      sex: { value: '女' },
      ethnicity: { value: '汉' },
      birthDate: { value: '1995-06-06' },
      address: { value: '上海市静安区万荣路1268号' },
      idNumber: { value: '440305199506062561' },
      idNumberCheck: { checksumValid: false, expectedCheckDigit: '9', consistent: true },
    });
  });

  // readIdCard on the mock card turned each way and tilted: every field, the wrong check character, the rotation back.
  it.each([0, 90, 180, 270, 4, -4])('readIdCard reads it turned %i°', async (degrees) => {
    const path = join(DATA_DIR, 'asia/id-number-detect/test_imgs/sample.jpg');
    if (!existsSync(path)) throw new Error(`The evaluation data is missing: expected ${path}. Put ../shared/data beside the repository or set VERIFY_DATA_DIR.`);
    const turned = await sharp(path).rotate(degrees, { background: '#e0e0e0' }).jpeg({ quality: 90 }).toBuffer();
    const r = await readIdCard(turned, { now: new Date('2026-12-01') });
    expect(r.side).toBe('portrait');
    expect(r.rotation).toBe((360 - Math.round(degrees / 90) * 90) % 360);
    expect(Object.fromEntries(Object.entries(r.fields).map(([k, v]) => [k, v.value]))).toEqual({
      name: '刘小合', sex: '女', ethnicity: '汉', birthDate: '1995-06-06', address: '上海市静安区万荣路1268号', idNumber: '440305199506062561',
    });
    expect(r.reasons.map((x) => x.id)).toEqual(['ID_NUMBER_CHECKSUM']);
    expect(r.idNumber).toMatchObject({ checksumValid: false, expectedCheckDigit: '9', consistent: true });
    expect(r.portrait!.score).toBeGreaterThan(0.6);
  });
});
