import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readIdCard } from '../../src/index.js';
import { homography, project, warp } from '../../src/image/warp.js';

// fixtures/cards/synthetic-portrait-0.jpg: a clean card (scripts/make-synthetic-cards.ts --fixtures), upright.
const CARD = new URL('../../fixtures/cards/synthetic-portrait-0.jpg', import.meta.url).pathname;
const NOW = new Date('2026-12-01');
const ids = async (input: Buffer | string) => (await readIdCard(input, { now: NOW })).reasons.map((r) => r.id);
/** The clean card with a finger drawn over it: 110 px (16 mm) wide, shaded at its sides, its tip at (x, y), reaching down past the picture. */
async function withFinger(x: number, y: number): Promise<Buffer> {
  const { width, height } = await sharp(CARD).metadata();
  const finger = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="s" x1="0" x2="1"><stop offset="0" stop-color="#b08650"/><stop offset="0.5" stop-color="#e0ac69"/><stop offset="1" stop-color="#b08650"/></linearGradient></defs><rect x="${x}" y="${y}" width="110" height="260" rx="55" fill="url(#s)"/></svg>`;
  return sharp(CARD).composite([{ input: Buffer.from(finger) }]).jpeg({ quality: 88 }).toBuffer();
}

describe('perspective', () => {
  it('takes four points to four others, and resamples through the map', () => {
    const from = [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 50 }, { x: 0, y: 50 }];
    const to = [{ x: 10, y: 5 }, { x: 90, y: 0 }, { x: 110, y: 60 }, { x: 0, y: 55 }];
    const h = homography(from, to)!;
    for (let i = 0; i < 4; i++) {
      expect(project(h, from[i]!).x).toBeCloseTo(to[i]!.x, 6);
      expect(project(h, from[i]!).y).toBeCloseTo(to[i]!.y, 6);
    }
    expect(homography(from, [to[0]!, to[0]!, to[0]!, to[1]!])).toBeUndefined();
    // A 2 × 2 checker, stretched to 4 × 4 by the identity's double: each source pixel becomes a 2 × 2 block (bilinear between).
    const source = { data: Buffer.from([0, 255, 255, 0]), width: 2, height: 2, channels: 1 };
    const half = homography([{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 2, y: 2 }, { x: 0, y: 2 }], [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }])!;
    const out = warp(source, half, 3, 3, [7]);
    expect([...out.data]).toEqual([0, 128, 255, 128, 128, 128, 255, 128, 0]);
    expect(warp(source, [1, 0, 5, 0, 1, 5, 0, 0, 1], 1, 1, [7]).data[0]).toBe(7);
  });
});

describe("the card photo's faults", () => {
  it('measures a clean card and warns of none', async () => {
    const r = await readIdCard(CARD, { now: NOW });
    expect(r.quality!.blur!).toBeLessThan(0.16);
    expect(r.quality!.glare!).toBeLessThan(0.0065);
    expect(r.quality!.outOfFrame).toEqual([]);
    expect(r.quality!.screen!).toBeLessThan(8);
    for (const id of ['CARD_BLURRED', 'CARD_GLARE', 'CARD_CUT_OFF', 'CARD_SCREEN', 'CARD_FINGER']) expect(r.reasons.map((x) => x.id)).not.toContain(id);
  });

  it('warns of a blurred card (CARD_BLURRED), with the measure and its limit', async () => {
    // σ 2 px on the 800-px fixture: its lines still found, its layout no longer read whole.
    const blurred = await sharp(CARD).blur(2).jpeg({ quality: 85 }).toBuffer();
    const r = await readIdCard(blurred, { now: NOW });
    const reason = r.reasons.find((x) => x.id === 'CARD_BLURRED')!;
    expect(reason.severity).toBe('warning');
    expect(reason.measured.blur as number).toBeGreaterThan(reason.limit.maxBlur as number);
    expect(reason.message.zh).toMatch(/模糊/);
  });

  it('warns of glare that washes out the fields (CARD_GLARE)', async () => {
    const { width, height } = await sharp(CARD).metadata();
    // A solid white spot with a soft rim over the address, a third of the card's width.
    const spot = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="g"><stop offset="0.6" stop-color="#fff" stop-opacity="1"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs><ellipse cx="${0.35 * width!}" cy="${0.52 * height!}" rx="${0.12 * width!}" ry="${0.07 * height!}" fill="url(#g)"/></svg>`;
    const glared = await sharp(CARD).composite([{ input: Buffer.from(spot) }]).jpeg({ quality: 85 }).toBuffer();
    expect(await ids(glared)).toContain('CARD_GLARE');
  });

  it('warns of glare that washes the number out without clipping it, and not of a card lit brighter as a whole', async () => {
    const { width, height } = await sharp(CARD).metadata();
    // A spot 97% white at its core (the ink under it at ~250, never 255), 12 mm across, over the number's middle.
    const spot = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="0.97"/><stop offset="0.6" stop-color="#fff" stop-opacity="0.97"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs><ellipse cx="520" cy="488" rx="48" ry="30" fill="url(#g)"/></svg>`;
    const glared = await readIdCard(await sharp(CARD).composite([{ input: Buffer.from(spot) }]).jpeg({ quality: 85 }).toBuffer(), { now: NOW });
    expect(glared.reasons.map((x) => x.id)).toContain('CARD_GLARE');
    // The whole picture 6% and 12% brighter: the paper nears or reaches white, and is still the paper.
    for (const gain of [1.06, 1.12]) {
      const lit = await readIdCard(await sharp(CARD).linear(gain, 0).jpeg({ quality: 85 }).toBuffer(), { now: NOW });
      expect(lit.quality!.glare!).toBeLessThan(0.0065);
      expect(lit.reasons.map((x) => x.id)).not.toContain('CARD_GLARE');
    }
  });

  it("warns of a side out of the frame (CARD_CUT_OFF), in the card's own terms", async () => {
    const { width, height } = await sharp(CARD).metadata();
    // The card fills 72–80% of the fixture's width: cut the photo at a quarter of it from the right.
    const cut = await sharp(CARD).extract({ left: 0, top: 0, width: Math.round(0.75 * width!), height: height! }).jpeg({ quality: 90 }).toBuffer();
    const r = await readIdCard(cut, { now: NOW });
    expect(r.reasons.map((x) => x.id)).toContain('CARD_CUT_OFF');
    expect(r.quality!.outOfFrame!.map((s) => s.side)).toContain('right');
  });

  it("warns of a cut through the labels' column: the values left of the block read (from 民族) are the card's too", async () => {
    const { width, height } = await sharp(CARD).metadata();
    // The card's left edge at x ~140 and its labels at ~175–235: a cut at 220 leaves 姓名, 性别, 出生 and 住址 in halves.
    const cut = await sharp(CARD).extract({ left: 220, top: 0, width: width! - 220, height: height! }).jpeg({ quality: 90 }).toBuffer();
    const r = await readIdCard(cut, { now: NOW });
    expect(r.reasons.map((x) => x.id)).toContain('CARD_CUT_OFF');
    expect(r.quality!.outOfFrame!.map((s) => s.side)).toEqual(['left']);
  });

  it('warns of a card cut so deep that no side is read: the frame cuts its lines (textAtEdge, in the photo\'s terms)', async () => {
    const { width, height } = await sharp(CARD).metadata();
    // The labels' column and the values' first characters cut at x 300, the number's row cut off below: no label
    // and no number read, so no rows place the card, but its lines run into the photo's left edge.
    const cut = await sharp(CARD).extract({ left: 300, top: 0, width: width! - 300, height: Math.round(0.8 * height!) }).jpeg({ quality: 90 }).toBuffer();
    const r = await readIdCard(cut, { now: NOW });
    expect(r.side).toBe('unknown');
    const reason = r.reasons.find((x) => x.id === 'CARD_CUT_OFF')!;
    expect(reason).toMatchObject({ severity: 'warning', measured: { textAtEdge: ['left'] }, limit: { textAtEdge: [] } });
    expect(r.reasons.map((x) => x.id)).toContain('CARD_UNREADABLE');
    // A whole card read with no portrait-side text block (the emblem side, measured by its lines alone): its text
    // clear of the frame, nothing raised.
    const whole = await readIdCard(new URL('../../fixtures/cards/synthetic-emblem-270.jpg', import.meta.url).pathname, { now: NOW });
    expect(whole.side).toBe('emblem');
    expect(whole.quality!.blur).toBeDefined();
    expect(whole.quality!.textAtEdge).toBeUndefined();
    expect(whole.reasons.map((x) => x.id)).not.toContain('CARD_CUT_OFF');
  });

  it("a cut through the number: the card's rows still say where its bottom is, and its portrait is still found", async () => {
    const { width, height } = await sharp(CARD).metadata();
    // The card spans ~25–95% of the fixture's height: 80% keeps its rows down to the address, not the number.
    const cut = await sharp(CARD).extract({ left: 0, top: 0, width: width!, height: Math.round(0.8 * height!) }).jpeg({ quality: 90 }).toBuffer();
    const r = await readIdCard(cut, { now: NOW });
    const ids = r.reasons.map((x) => x.id);
    expect(ids).toContain('CARD_CUT_OFF');
    expect(r.quality!.outOfFrame!.map((s) => s.side)).toContain('bottom');
    // Not a second face (the portrait itself, had its region been cut short with the text), nor glare (the crop's white fill).
    expect(ids).not.toContain('FACE_OUTSIDE_CARD');
    expect(ids).not.toContain('CARD_GLARE');
    expect(r.portrait).toBeDefined();
  });

  it('warns of a finger over the fields (CARD_FINGER), and not of the portrait\'s own face', async () => {
    // A finger 16 mm wide (the card is ~6.9 px a mm in the fixture) from below the card up over its address.
    const r = await readIdCard(await withFinger(310, 395), { now: NOW });
    const reason = r.reasons.find((x) => x.id === 'CARD_FINGER')!;
    expect(reason.severity).toBe('warning');
    expect(reason.measured.finger as number).toBeGreaterThan(reason.limit.maxFinger as number);
    const clean = await readIdCard(CARD, { now: NOW });
    expect(clean.quality!.finger!).toBeLessThan(reason.limit.maxFinger as number);
  });

  it("a finger over every row above the number: the block is the number's row's, the portrait still the card's and the finger raised", async () => {
    const { width, height } = await sharp(CARD).metadata();
    // A thumb laid across from the left, 170 px (~24 mm) thick, over 姓名 to 住址, labels and values: only 公民身份号码's row is read.
    const thumb = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="s" x1="0" x2="0" y1="0" y2="1"><stop offset="0" stop-color="#b08650"/><stop offset="0.5" stop-color="#e0ac69"/><stop offset="1" stop-color="#b08650"/></linearGradient></defs><rect x="-100" y="225" width="560" height="170" rx="85" fill="url(#s)"/></svg>`;
    const r = await readIdCard(await sharp(CARD).composite([{ input: Buffer.from(thumb) }]).jpeg({ quality: 88 }).toBuffer(), { now: NOW });
    const ids = r.reasons.map((x) => x.id);
    expect(r.portrait).toBeDefined();
    expect(ids).not.toContain('PORTRAIT_NOT_FOUND');
    expect(ids).not.toContain('FACE_OUTSIDE_CARD');
    expect(ids).toContain('CARD_FINGER');
  });

  it("warns of a finger from the card's foot whose tip only reaches the number: the card's border is looked at too", async () => {
    // The tip ~2 mm into the number's row: before, only the text block (to the number's foot) was looked at, and it held no 5-mm square of skin.
    const r = await readIdCard(await withFinger(330, 485), { now: NOW });
    const reason = r.reasons.find((x) => x.id === 'CARD_FINGER')!;
    expect(reason.severity).toBe('warning');
    expect(reason.measured.finger as number).toBeGreaterThan(reason.limit.maxFinger as number);
  });

  it('warns of a photo of a screen (CARD_SCREEN): its pixel grid, whatever the card reads', async () => {
    // The fixture shown on a panel: each pixel its red, green and blue stripes over two of its three rows, seen
    // at 1.8 camera px a screen pixel (sampled without anti-aliasing), the exposure brought back to white.
    const { data, info } = await sharp(CARD).resize(560).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const [W, H] = [info.width * 3, info.height * 3];
    const sub = Buffer.alloc(W * H * 3);
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        for (let c = 0; c < 3; c++) for (let r = 0; r < 2; r++) sub[((y * 3 + r) * W + x * 3 + c) * 3 + c] = data[(y * info.width + x) * 3 + c]!;
      }
    }
    const k = 1.8 / 3;
    const photo = await sharp(sub, { raw: { width: W, height: H, channels: 3 } })
      .blur(0.8)
      .affine([k, 0, 0, k], { interpolator: sharp.interpolators.nearest })
      .linear(4.2, 0)
      .jpeg({ quality: 85 })
      .toBuffer();
    const r = await readIdCard(photo, { now: NOW });
    const reason = r.reasons.find((x) => x.id === 'CARD_SCREEN')!;
    expect(reason.severity).toBe('warning');
    expect(reason.measured.screen as number).toBeGreaterThan(reason.limit.maxScreen as number);
    expect(r.quality!.screen).toBe(reason.measured.screen);
  });
});
