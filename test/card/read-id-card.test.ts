import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ErrorCode, readIdCard } from '../../src/index.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');

// fixtures/cards/synthetic-*.jpg and their labels: scripts/make-synthetic-cards.ts --fixtures.
interface Label {
  file: string;
  side: 'portrait' | 'emblem';
  rotation: 0 | 90 | 180 | 270;
  fields: Record<string, string>;
  checksumValid?: boolean;
}
const LABELS = JSON.parse(readFileSync(new URL('../../fixtures/cards/synthetic.json', import.meta.url), 'utf8')) as Label[];
const card = (file: string) => new URL(`../../fixtures/cards/${file}`, import.meta.url).pathname;
const label = (file: string) => LABELS.find((l) => l.file === file)!;
const NOW = new Date('2026-12-01');
const values = (fields: object) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, (v as { value: string }).value]));

describe('readIdCard', () => {
  for (const file of ['synthetic-portrait-0.jpg', 'synthetic-portrait-90.jpg', 'synthetic-portrait-180-bad-check.jpg']) {
    it(`reads every field of ${file}, turned upright from its text`, async () => {
      const l = label(file);
      const before = tf.memory().numTensors;
      const r = await readIdCard(card(file), { now: NOW });
      expect(tf.memory().numTensors).toBe(before);
      expect(r.side).toBe('portrait');
      // The photo was turned `l.rotation` clockwise; turning it back brings the card upright.
      expect(r.rotation).toBe((360 - l.rotation) % 360);
      expect(values(r.fields)).toEqual(l.fields);
      for (const field of Object.values(r.fields)) expect(field.confidence).toBeGreaterThan(0.5);
      expect(r.idNumber).toMatchObject({ value: l.fields.idNumber, checksumValid: l.checksumValid, birthDate: l.fields.birthDate, sex: l.fields.sex, regionCode: l.fields.idNumber!.slice(0, 6), consistent: true });
      expect(r.portrait!.score).toBeGreaterThan(0.5);
      // The portrait sits on the right half of the upright card (800 px wide, after `rotation`).
      expect(r.portrait!.box.x).toBeGreaterThan(800 * 0.45);
      for (const stage of ['decode', 'orient', 'detect', 'recognize', 'portrait'] as const) expect(r.timings[stage]).toBeGreaterThan(0);
    });
  }

  it('reports a wrong check character with the right one, as an error', async () => {
    const r = await readIdCard(card('synthetic-portrait-180-bad-check.jpg'), { now: NOW });
    const number = label('synthetic-portrait-180-bad-check.jpg').fields.idNumber!;
    expect(r.reasons.map((x) => x.id)).toEqual(['ID_NUMBER_CHECKSUM']);
    expect(r.reasons[0]).toMatchObject({ severity: 'error', measured: { checkDigit: number[17] } });
    expect(r.idNumber!.expectedCheckDigit).not.toBe(number[17]);
    expect(r.reasons[0]!.message.zh).toContain(r.idNumber!.expectedCheckDigit!);
  });

  it('a valid card has no reasons', async () => {
    const r = await readIdCard(card('synthetic-portrait-0.jpg'), { now: NOW });
    expect(r.reasons).toEqual([]);
    expect(r.idNumber!.valid).toBe(true);
  });

  it('a black-and-white copy of the card reads the same and warns CARD_PHOTOCOPY; the colour card does not', async () => {
    const grey = await sharp(card('synthetic-portrait-0.jpg')).greyscale().jpeg({ quality: 80 }).toBuffer();
    const r = await readIdCard(grey, { now: NOW });
    expect(r.fields.idNumber?.value).toBe(label('synthetic-portrait-0.jpg').fields.idNumber);
    expect(r.reasons.map((x) => [x.id, x.severity])).toEqual([['CARD_PHOTOCOPY', 'warning']]);
    expect((r.reasons[0]!.measured as { chroma: number }).chroma).toBeLessThan(2);
  });

  // Both cards read wrong before the stamp was taken away by its colour: the red one's stamp was read into the
  // name, the ethnicity and the address; the grey one's slant was taken for the card's (its number unread).
  for (const file of ['synthetic-portrait-stamp-red.jpg', 'synthetic-portrait-stamp-grey.jpg']) {
    it(`reads every field of ${file} under the anti-copy stamp printed across it`, async () => {
      const before = tf.memory().numTensors;
      const r = await readIdCard(card(file), { now: NOW });
      expect(tf.memory().numTensors).toBe(before);
      expect(r.side).toBe('portrait');
      expect(values(r.fields)).toEqual(label(file).fields);
      expect(r.reasons).toEqual([]);
    });
  }

  // A blue stamp at the corpus's darkest, slanted 12° (within DIRECTION_APART of the card's lines): before the dark
  // print was read, the lines were levelled at neither's angle and the card read as no side at all.
  it('reads every field under a blue stamp as dark as the labels; the labels the stamp covers are a warning, not missing', async () => {
    const file = 'synthetic-portrait-stamp-blue.jpg';
    const before = tf.memory().numTensors;
    const r = await readIdCard(card(file), { now: NOW });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.side).toBe('portrait');
    expect(values(r.fields)).toEqual(label(file).fields);
    expect(r.idNumber!.valid).toBe(true);
    const layout = r.reasons.find((x) => x.id === 'CARD_LAYOUT')!;
    expect(layout.severity).toBe('warning');
    const { missing, obscured } = layout.measured as { missing: string[]; obscured: string[] };
    expect(obscured).toEqual(missing);
    expect(missing.length).toBeLessThanOrEqual(2);
    expect(r.reasons.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('reads a grey page of both sides under a stamp that sets the lines\' only direction: both halves, from the dark print\'s two places', async () => {
    // fixtures/cards/synthetic-both-sides-grey.jpg (scripts/make-synthetic-cards.ts --fixtures): a photocopy as
    // offices ask for it, the two sides one above the other on a 150-dpi A4 page, 仅供报名使用 across it all at -25°, in grey.
    const page = JSON.parse(readFileSync(card('synthetic-both-sides-grey.json'), 'utf8')) as { fields: Record<string, string> };
    const r = await readIdCard(card('synthetic-both-sides-grey.jpg'), { now: NOW });
    expect(r.bothSides).toBe(true);
    for (const key of ['idNumber', 'authority', 'validTo'] as const) expect(r.fields[key]?.value).toBe(page.fields[key]);
    expect(r.reasons.map((x) => x.id)).toContain('CARD_PHOTOCOPY');
  });

  it('reads the emblem side: authority, validity, expired against `now`, no portrait searched', async () => {
    const l = label('synthetic-emblem-270.jpg');
    const r = await readIdCard(card('synthetic-emblem-270.jpg'), { now: NOW });
    expect(r.side).toBe('emblem');
    expect(r.rotation).toBe(90);
    expect(values(r.fields)).toEqual(l.fields);
    expect(r.portrait).toBeUndefined();
    expect(r.timings.portrait).toBeUndefined();
    // The fixture's card has an end date (scripts/make-synthetic-cards.ts --fixtures, seed 1), so expiry is tested every run.
    expect(l.fields.validTo).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const expired = await readIdCard(card('synthetic-emblem-270.jpg'), { now: new Date(`${Number(l.fields.validTo!.slice(0, 4)) + 1}-01-01`) });
    expect(expired.expired).toBe(true);
    expect(expired.reasons.map((x) => x.id)).toEqual(['CARD_EXPIRED']);
    const valid = await readIdCard(card('synthetic-emblem-270.jpg'), { now: new Date(l.fields.validFrom!) });
    expect(valid.expired).toBe(false);
    expect(valid.reasons).toEqual([]);
  });

  it('a blank image is no card: side unknown, CARD_NOT_FOUND, no crash', async () => {
    const blank = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#f4f4f4' } }).jpeg().toBuffer();
    const r = await readIdCard(blank, { now: NOW });
    expect(r).toMatchObject({ side: 'unknown', rotation: 0, fields: {}, lines: [] });
    expect(r.reasons.map((x) => x.id)).toEqual(['CARD_NOT_FOUND']);
    expect(r.reasons[0]!.message.en).toMatch(/No ID card/);
  });

  it('a face without text is a card that cannot be read: the portrait is found, CARD_UNREADABLE', async () => {
    const r = await readIdCard(new URL('../../fixtures/faces/card-no-portrait.jpg', import.meta.url).pathname, { now: NOW });
    expect(r.side).toBe('unknown');
    expect(r.reasons.map((x) => x.id)).toEqual(expect.arrayContaining([expect.stringMatching(/^CARD_(NOT_FOUND|UNREADABLE)$/)]));
    const face = await readIdCard(new URL('../../fixtures/faces/person-b.jpg', import.meta.url).pathname, { now: NOW });
    expect(face.side).toBe('unknown');
    expect(face.portrait).toBeDefined();
    expect(face.reasons.map((x) => x.id)).toEqual(['CARD_UNREADABLE']);
  });

  it('portrait: false skips the portrait search', async () => {
    const r = await readIdCard(card('synthetic-portrait-0.jpg'), { now: NOW, portrait: false });
    expect(r.portrait).toBeUndefined();
    expect(r.reasons).toEqual([]);
  });

  it('bad input is a typed error with a stable code', async () => {
    await expect(readIdCard(Buffer.alloc(0))).rejects.toMatchObject({ code: ErrorCode.INPUT_EMPTY });
    await expect(readIdCard(Buffer.from('not an image at all, just some words'))).rejects.toMatchObject({ code: ErrorCode.UNSUPPORTED_FORMAT });
    const jpeg = readFileSync(card('synthetic-portrait-0.jpg'));
    await expect(readIdCard(jpeg.subarray(0, 2000))).rejects.toMatchObject({ code: ErrorCode.CORRUPT_IMAGE });
    await expect(readIdCard(jpeg, { now: new Date('x') })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(readIdCard(jpeg, { portrait: 'yes' as never })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(readIdCard(jpeg, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    await expect(readIdCard(jpeg, { maxPixels: 1000 })).rejects.toMatchObject({ code: ErrorCode.IMAGE_TOO_LARGE });
  });
});

describe('readIdCard on pictures that are no card: bounded', () => {
  // A 1024-px page of ~50 printed lines: fixtures/cards/text-lines.png (drawn by scripts/make-card-fixtures.ts) tiled.
  async function pageOfText(): Promise<Buffer> {
    const tile = await sharp(card('text-lines.png')).resize(512, 170).toBuffer();
    const composite = [];
    for (let y = 0; y < 1024; y += 170) for (let x = 0; x < 1024; x += 512) composite.push({ input: tile, left: x, top: y });
    return sharp({ create: { width: 1024, height: 1024, channels: 3, background: '#ffffff' } }).composite(composite).jpeg().toBuffer();
  }

  it('stops at its timeoutMs and its signal between recognised lines, not seconds later', async () => {
    const page = await pageOfText();
    await readIdCard(page); // models loaded
    let t = performance.now();
    await expect(readIdCard(page, { timeoutMs: 150 })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(performance.now() - t).toBeLessThan(1500); // one model run past the deadline at most (was 3.9 s for 300 ms)
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 150);
    t = performance.now();
    await expect(readIdCard(page, { signal: stop.signal })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    expect(performance.now() - t).toBeLessThan(1500);
  });

  it('reads at most 40 of the lines of a page of text, and answers with a result', async () => {
    const r = await readIdCard(await pageOfText());
    expect(r.lines.length).toBeGreaterThan(0);
    expect(r.lines.length).toBeLessThanOrEqual(40);
    expect(r.timings.recognize).toBeDefined();
  });
});
