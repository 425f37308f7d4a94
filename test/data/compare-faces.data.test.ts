/**
 * compareFaces on the real photos of ../shared/data: the same person across different photos matches,
 * different people do not (Western LFW news photos and East-Asian web photos), and the portrait on real
 * specimen documents and on a mock Chinese ID card is found at all four rotations.
 * The full figures are in `npm run eval:compare`; these pin floors under them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, dataAvailable, readLabels } from '../../eval/data.js';
import { compareFaces } from '../../src/index.js';

beforeAll(() => {
  if (!dataAvailable()) throw new Error(`The evaluation data is missing: expected labels.csv in ${DATA_DIR}. Put ../shared/data beside the repository or set VERIFY_DATA_DIR.`);
});

const lfw = (name: string, i: number) => join(DATA_DIR, 'faces/krasserm-face-recognition/images', name, `${name}_${String(i).padStart(4, '0')}.jpg`);

describe('compareFaces on real photos', () => {
  it("LFW: each person's first photo matches their next three and not three photos of someone else", async () => {
    const people = ['Tony_Blair', 'Colin_Powell', 'Vladimir_Putin', 'Hugo_Chavez', 'Gerhard_Schroeder'];
    for (const [k, name] of people.entries()) {
      const other = people[(k + 1) % people.length]!;
      const same = await compareFaces(lfw(name, 1), [2, 3, 4].map((i) => lfw(name, i)));
      expect(same.match, `${name} vs ${name}: ${same.similarity}`).toBe(true);
      const different = await compareFaces(lfw(name, 1), [2, 3, 4].map((i) => lfw(other, i)));
      expect(different.match, `${name} vs ${other}: ${different.similarity}`).toBe(false);
    }
  }, 900_000);

  it('East-Asian web photos: at least 9 of the 10 people match their other photos; no one matches another person', async () => {
    const rows = readLabels().filter((r) => r.source === 'asia/asian_faces' && r.kind === 'face' && !/DOUBTFUL/.test(r.note));
    const byId = new Map<string, string[]>();
    // Some files named .jpg are BMPs, which the prebuilt sharp does not decode.
    for (const r of rows) if (readFileSync(r.path).subarray(0, 2).toString() !== 'BM') byId.set(r.identity, [...(byId.get(r.identity) ?? []), r.path]);
    const ids = [...byId.keys()];
    let matched = 0;
    for (const [k, id] of ids.entries()) {
      const [card, ...frames] = byId.get(id)!;
      const same = await compareFaces(card!, frames);
      if (same.match) matched++;
      const other = byId.get(ids[(k + 1) % ids.length]!)!;
      const different = await compareFaces(card!, other.slice(0, 3));
      expect(different.match, `${id} vs ${ids[(k + 1) % ids.length]}: ${different.similarity}`).toBe(false);
    }
    expect(matched).toBeGreaterThanOrEqual(9);
  }, 900_000);
});

describe('the portrait on real documents, at every rotation', () => {
  const turn = async (path: string, degrees: number) => sharp(path).rotate(degrees).png().toBuffer();

  it('the mock second-generation Chinese ID card: found and turned back upright at 0/90/180/270', async () => {
    const card = join(DATA_DIR, 'asia/id-number-detect/test_imgs/sample.jpg');
    for (const degrees of [0, 90, 180, 270]) {
      const r = await compareFaces(await turn(card, degrees), [card], { minFrames: 1 });
      expect(r.idCardFace, `turned ${degrees}°`).not.toBeNull();
      expect((degrees + r.idCardFace!.rotation) % 360, `turned ${degrees}°`).toBe(0);
      // The card's own portrait, upright, compared with the card as given (which finds it too).
      expect(r.match).toBe(true);
    }
  }, 900_000);

  const specimen = (f: string) => join(DATA_DIR, 'documents/passporteye/passporteye/mrz/testdata', f);

  it('specimen passports with a portrait: found the right way up in at least 85% of 4 × 8 views', async () => {
    // Documents whose portrait is visible (others in the folder are back sides or have it pixelated).
    const docs = ['100_pass-chn.jpg', '100_pass-cze.jpg', '43_pass-twn.jpg', '79_pass-can.jpg', '98_pass-nld.jpg', '43_pass-fra.jpg', '24_pass-egy.jpg', '100_pass-ltu.jpg'].map(specimen);
    let upright = 0;
    for (const doc of docs) {
      for (const degrees of [0, 90, 180, 270]) {
        const r = await compareFaces(await turn(doc, degrees), [doc], { minFrames: 1 });
        if (r.idCardFace && (degrees + r.idCardFace.rotation) % 360 === 0) upright++;
      }
    }
    expect(upright / (docs.length * 4)).toBeGreaterThanOrEqual(0.85);
  }, 900_000);

  it("the back side of a German ID card (no portrait): NO_FACE_ON_CARD at every rotation", async () => {
    for (const degrees of [0, 90, 180, 270]) {
      const r = await compareFaces(await turn(specimen('53_id-d.jpg'), degrees), [lfw('Tony_Blair', 2)], { minFrames: 1 });
      expect(r.reasons.map((x) => x.id), `turned ${degrees}°`).toEqual(['NO_FACE_ON_CARD']);
    }
  }, 900_000);
});
