/** idphoto-verify card: the real reader on the synthetic card fixtures (scripts/make-synthetic-cards.ts --fixtures). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { capture } from './capture.js';

afterEach(() => vi.restoreAllMocks());

const card = (file: string) => fileURLToPath(new URL(`../../fixtures/cards/${file}`, import.meta.url));
const LABELS = JSON.parse(readFileSync(card('synthetic.json'), 'utf8')) as Array<{ file: string; fields: Record<string, string> }>;
const fields = (file: string) => LABELS.find((l) => l.file === file)!.fields;

describe('idphoto-verify card', () => {
  it('prints the side and every field read, and exits 0 for a card without errors', async () => {
    const c = capture();
    expect(await main(['card', card('synthetic-portrait-90.jpg'), '--locale', 'zh'])).toBe(0);
    const out = c.out.join('\n').split('\n');
    const f = fields('synthetic-portrait-90.jpg');
    expect(out[0]).toBe(`✓ ${card('synthetic-portrait-90.jpg')}：人像面`);
    expect(out).toContain(`    姓名：${f.name}`);
    expect(out).toContain(`    公民身份号码：${f.idNumber}`);
    expect(out.at(-1)).toBe('共识别 1 张身份证照片：1 张无误，0 张有误');
  });

  it('--csv: a header and one row per card; a wrong check character fails the card (exit 1)', async () => {
    const { out, err } = capture();
    expect(await main(['card', card('synthetic-portrait-0.jpg'), card('synthetic-portrait-180-bad-check.jpg'), card('synthetic-emblem-270.jpg'), '--csv'])).toBe(1);
    expect(out[0]).toBe('file,passed,side,rotation,name,sex,ethnicity,birthDate,address,idNumber,checksumValid,consistent,authority,validFrom,validTo,expired,reasons,error');
    const rows = out.slice(1).map((line) => line.split(','));
    expect(rows).toHaveLength(3);
    expect(rows[0]!.slice(1, 4)).toEqual(['true', 'portrait', '0']);
    expect(rows[0]![9]).toBe(fields('synthetic-portrait-0.jpg').idNumber);
    expect(rows[1]!.slice(1, 4)).toEqual(['false', 'portrait', '180']);
    expect(rows[1]![10]).toBe('false');
    expect(rows[1]![16]).toBe('ID_NUMBER_CHECKSUM');
    expect(rows[2]!.slice(2, 4)).toEqual(['emblem', '90']);
    expect(rows[2]![12]).toBe(fields('synthetic-emblem-270.jpg').authority);
    expect(err.at(-1)).toMatch(/^3 ID card photos read: 2 without errors, 1 with errors$/);
  });

  it('--json: one object per card; an unreadable file is its row with a code, not the end of the run', async () => {
    const { out } = capture();
    expect(await main(['card', card('synthetic-emblem-270.jpg'), card('synthetic.json'), '--json'])).toBe(1);
    const [emblem, json] = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emblem).toMatchObject({ passed: true, side: 'emblem', rotation: 90, fields: { authority: { value: fields('synthetic-emblem-270.jpg').authority } } });
    expect(json).toMatchObject({ passed: false, error: { code: 'UNSUPPORTED_FORMAT' } });
  });

  it('needs files', async () => {
    const { err } = capture();
    expect(await main(['card'])).toBe(2);
    expect(err[0]).toMatch(/card needs ID card photos/);
  });
});
