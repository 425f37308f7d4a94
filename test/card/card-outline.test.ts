import { createRequire } from 'node:module';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { keystoneDeg } from '../../src/card/card-outline.js';
import { toRgb } from '../../src/image/decode.js';
import { homography, project, warp } from '../../src/image/warp.js';
import { compareFaces, readIdCard } from '../../src/index.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
const FRAME = new URL('../../fixtures/faces/person-a-frame-1.jpg', import.meta.url).pathname;

// fixtures/cards/synthetic-portrait-0.jpg: a clean card (scripts/make-synthetic-cards.ts --fixtures) on a plain
// background, upright, turned a few degrees.
const CARD = new URL('../../fixtures/cards/synthetic-portrait-0.jpg', import.meta.url).pathname;
const NOW = new Date('2026-12-01');

/** The fixture photographed at an angle: its top edge `k` narrower than its bottom, and foreshortened, on a dark table. */
async function atAnAngle(k: number): Promise<{ jpeg: Buffer; map: (p: { x: number; y: number }) => { x: number; y: number } }> {
  const image = await toRgb(sharp(CARD));
  const [W, H] = [image.width, image.height];
  const pad = 0.1 * W;
  const quad = [{ x: pad + (k / 2) * W, y: pad + (k / 2) * H }, { x: pad + (1 - k / 2) * W, y: pad + (k / 2) * H }, { x: pad + W, y: pad + H }, { x: pad, y: pad + H }];
  const corners = [{ x: 0, y: 0 }, { x: W, y: 0 }, { x: W, y: H }, { x: 0, y: H }];
  const toSource = homography(quad, corners)!;
  const raster = warp({ data: image.data, width: W, height: H, channels: 3 }, toSource, Math.round(W + 2 * pad), Math.round(H + 2 * pad), [40, 38, 36]);
  const jpeg = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  return { jpeg, map: (p) => project(homography(corners, quad)!, p) };
}

describe("the card's outline", () => {
  it('measures how far four corners are from a rectangle', () => {
    expect(keystoneDeg([{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 60 }, { x: 0, y: 60 }])).toBeCloseTo(0, 6);
    // Each slanted side leans 10 px over 60: atan(10/60) = 9.46° from its opposite's mirror, 2 × 9.46 between them.
    expect(keystoneDeg([{ x: 10, y: 0 }, { x: 90, y: 0 }, { x: 100, y: 60 }, { x: 0, y: 60 }])).toBeCloseTo(18.92, 1);
  });

  it('finds a card photographed square on, and does not square it', async () => {
    const r = await readIdCard(CARD, { now: NOW });
    expect(r.outline!.squared).toBe(false);
    expect(r.outline!.keystoneDeg).toBeLessThan(1);
    // The fixture's card fills 72–80% of its width.
    const [a, b] = [r.outline!.corners[0]!, r.outline!.corners[1]!];
    const { width } = await sharp(CARD).metadata();
    expect(Math.hypot(b.x - a.x, b.y - a.y) / width!).toBeGreaterThan(0.7);
  });

  it("takes no edge from the photo's border: a card cut by the frame is not squared by it, and is CARD_CUT_OFF", async () => {
    // The fixture's right 90 px cut away: the card's right edge (x ~725–760, turned a few degrees) is out of the
    // frame. An edge half measured along the photo's border once made an outline 3.9° from a rectangle, squared.
    const { width, height } = await sharp(CARD).metadata();
    const cut = await sharp(CARD).extract({ left: 0, top: 0, width: width! - 90, height: height! }).jpeg({ quality: 90 }).toBuffer();
    const r = await readIdCard(cut, { now: NOW });
    expect(r.outline).toBeUndefined();
    expect(r.reasons.find((x) => x.id === 'CARD_CUT_OFF')!.measured.outOfFrame).toEqual([{ side: 'right', mm: expect.any(Number) }]);
    expect(r.idNumber!.valid).toBe(true);
  });

  it('squares a card photographed at an angle and reads it as the card it is', async () => {
    const flat = await readIdCard(CARD, { now: NOW });
    const { jpeg, map } = await atAnAngle(0.3);
    const r = await readIdCard(jpeg, { now: NOW });
    expect(r.outline!.squared).toBe(true);
    expect(r.outline!.keystoneDeg).toBeGreaterThan(10);
    expect(r.reasons.filter((x) => x.severity === 'error')).toEqual([]);
    expect(r.reasons.map((x) => x.id)).not.toContain('CARD_LAYOUT');
    for (const key of ['name', 'idNumber', 'birthDate', 'address'] as const) expect(r.fields[key]?.value).toBe(flat.fields[key]?.value);
    // The outline found on the flat fixture, carried through the same map, is the one found at an angle (within 2% of the card's width).
    const width = Math.hypot(flat.outline!.corners[1]!.x - flat.outline!.corners[0]!.x, flat.outline!.corners[1]!.y - flat.outline!.corners[0]!.y);
    for (let i = 0; i < 4; i++) {
      const want = map(flat.outline!.corners[i]!);
      expect(Math.hypot(r.outline!.corners[i]!.x - want.x, r.outline!.corners[i]!.y - want.y)).toBeLessThan(0.02 * width);
    }
    // The portrait is found on the squared card and given in the photo: inside the card's outline, in its right half.
    const box = r.portrait!.box;
    expect(box.x).toBeGreaterThan((r.outline!.corners[0]!.x + r.outline!.corners[1]!.x) / 2 - box.width);
  });

  it("compareFaces takes the squared card's portrait as the card's, and leaks no tensor", async () => {
    const { jpeg } = await atAnAngle(0.3);
    const first = await compareFaces(jpeg, [FRAME], { minFrames: 1 });
    expect(first.idCardFace?.onCard).toBe(true);
    const before = tf.memory().numTensors;
    await compareFaces(jpeg, [FRAME], { minFrames: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
