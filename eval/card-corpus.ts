/**
 * A corpus of the card uploads readIdCard did not see in scripts/make-synthetic-cards.ts' clean set: the
 * attacks (a person holding another's card, paper with a card's words on it) and the real uploads' defects
 * (anti-copy stamps over the fields, names with characters outside the recogniser's set, every ethnic group
 * of GB 3304, a number line with more than 18 digits), each varied (size, tilt, colour, opacity, quality).
 * The holders are real people of ../shared/data (asia/asian_faces and the LFW subset, evaluation only); the
 * cards' portraits are the repo's fixtures, so a holder is never the card's person.
 *
 *   npx tsx eval/card-corpus.ts [--per-type 40] [--out eval/out/card-corpus] [--seed 11]
 *
 * Writes <type>/NNN.jpg and labels.json (gitignored, about a minute for 40 a type). Seed 11 is the one
 * reported (eval/results/read-id-card-corpus.md); the rules were developed on seed 7's first 4 a type and its
 * 56 ethnic groups, which seed 11 draws anew. Deterministic for a
 * given seed, sharp and fonts.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import {
  CARD_H,
  CARD_W,
  type CardPlan,
  PHOTO_H,
  PHOTO_W,
  type Rng,
  between,
  choosePhoto,
  deskBackground,
  cardSeed,
  chance,
  drawCard,
  int,
  jitterHex,
  makeCard,
  makePortraitFields,
  mulberry32,
  photograph,
  pick,
  stampOverlay,
  text,
} from '../scripts/make-synthetic-cards.js';
import { ETHNIC_GROUPS } from '../src/card/card-text.js';
import { homography, warp } from '../src/image/warp.js';
import { sniffFormat } from '../src/image/sniff.js';
import { decodeDataImage, readLabels, requireData } from './data.js';

export const CORPUS_TYPES = ['holder', 'paper', 'stamp', 'rare-name', 'ethnicity', 'long-number', 'both-sides', 'blur', 'glare', 'cut-off', 'perspective', 'screen', 'finger'] as const;
export type CorpusType = (typeof CORPUS_TYPES)[number];

/** One entry of labels.json. */
export interface CorpusLabel {
  file: string;
  type: CorpusType;
  /** The fields printed (portrait side); for paper, the lines typed. */
  fields: Record<string, string>;
  /** holder: the card's place in the picture (its bounding box, pixels) and the holder. */
  card?: { x: number; y: number; width: number; height: number };
  holder?: { identity: string; photo: string; otherPhoto: string };
  /** stamp: the phrase stamped; paper: the labels typed. */
  note?: string;
}

// Characters of real names that the recogniser's 6,622 do not hold (and WenQuanYi draws): 何鸿燊, 禤小燊, 芈赟.
const RARE_GIVEN = [...'燊赟翀旻昳韪嬛邶'];
const RARE_SURNAMES = [...'禤芈'];
const STAMPS = ['复印无效', '禁止复印', '仅供报名使用', '仅供自考报名使用', '再次复印无效', '本复印件仅供考试报名使用', '复印件无效'];

/** White or grey paper the size of a card with a card's words typed on it, and a face pasted at the right. */
async function paperFake(rng: Rng, i: number): Promise<{ png: Buffer; fields: Record<string, string>; note: string }> {
  const { fields } = makePortraitFields(rng, false, false);
  const ink = jitterHex(rng, [20, 20, 24], 10);
  const size = int(rng, 26, 34);
  // Two lines (a name and a number), or those and one to three more, in the card's order or not.
  const lines: Array<[string, string]> = [['姓名', fields.name], ['公民身份号码', fields.idNumber]];
  const more: Array<[string, string]> = [['性别', fields.sex], ['出生', fields.birthDate.replace(/^(\d+)-0?(\d+)-0?(\d+)$/, '$1年$2月$3日')], ['民族', fields.ethnicity], ['住址', fields.address.slice(0, 11)]];
  const extra = i % 3 === 0 ? 0 : int(rng, 1, 3);
  for (let k = 0; k < extra; k++) lines.splice(1 + k, 0, more[k]!);
  if (i % 5 === 4) lines.reverse();
  const rows = lines.map(([label, value], k) => text(between(rng, 30, 70), 80 + k * between(rng, 60, 80), `${label}  ${value}`, size, ink)).join('');
  const paper = jitterHex(rng, [246, 246, 242], 8);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_W}" height="${CARD_H}"><rect width="${CARD_W}" height="${CARD_H}" fill="${paper}"/>${rows}</svg>`;
  const face = await sharp(pick(rng, FACE_FILES)).resize(190, 240, { fit: 'cover' }).png().toBuffer();
  const png = await sharp(Buffer.from(svg)).composite([{ input: face, left: int(rng, 600, 640), top: int(rng, 40, 120) }]).png().toBuffer();
  return { png, fields: Object.fromEntries(lines), note: lines.map(([l]) => l).join(' ') };
}

const FACE_FILES = ['person-a.jpg', 'person-b.jpg', 'person-c.jpg'].map((f) => join(import.meta.dirname, '..', 'fixtures', 'faces', f));

/**
 * A page with both sides, as an office asks for it: the two cards one above the other on A4 (or side by side
 * on a landscape page), at 150 dpi, often photocopied grey, now and then stamped across, scanned a little askew.
 */
async function bothSidesPage(rng: Rng, i: number): Promise<{ jpeg: Buffer; fields: Record<string, string>; note: string }> {
  const front = await drawCard(rng, { side: 'portrait', rotation: 0, badCheck: false }, false);
  const back = await drawCard(rng, { side: 'emblem', rotation: 0 }, false);
  const stacked = i % 3 !== 2;
  const [W, H] = stacked ? [1240, 1754] : [1754, 1240];
  const width = Math.round((stacked ? W : W / 2) * between(rng, stacked ? 0.5 : 0.7, stacked ? 0.7 : 0.85));
  const [a, b] = [await sharp(front.png).resize(width).png().toBuffer(), await sharp(back.png).resize(width).png().toBuffer()];
  const height = Math.round((width * CARD_H) / CARD_W);
  const places = stacked
    ? [{ left: int(rng, 80, W - width - 80), top: int(rng, 120, 300) }, { left: int(rng, 80, W - width - 80), top: int(rng, 300 + height + 80, H - height - 100) }]
    : [{ left: int(rng, 40, W / 2 - width - 20), top: int(rng, 200, H - height - 200) }, { left: int(rng, W / 2 + 20, W - width - 40), top: int(rng, 200, H - height - 200) }];
  const grey = chance(rng, 0.6);
  const stamp = chance(rng, 0.3) ? pick(rng, STAMPS) : undefined;
  const layers: OverlayOptions[] = [{ input: a, ...places[0]! }, { input: b, ...places[1]! }];
  if (stamp) {
    const size = int(rng, 40, 70);
    const rows: string[] = [];
    for (let y = 0; y < H + W; y += size * 4) rows.push(text(-W / 2, y, `${stamp}　`.repeat(12), size, '#888888', `opacity="${between(rng, 0.25, 0.45).toFixed(2)}"`));
    layers.push({ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g transform="rotate(${between(rng, -35, -20).toFixed(1)} ${W / 2} ${H / 2})">${rows.join('')}</g></svg>`) });
  }
  let page = sharp({ create: { width: W, height: H, channels: 3, background: { r: 250, g: 250, b: 248 } } }).composite(layers);
  let buffer = await page.png().toBuffer();
  page = sharp(buffer);
  if (grey) page = page.greyscale().linear(between(rng, 1.1, 1.4), -between(rng, 10, 40));
  buffer = await page.rotate(between(rng, -2, 2), { background: { r: 250, g: 250, b: 248 } }).jpeg({ quality: int(rng, 70, 85) }).toBuffer();
  const fields = { ...(front.label.fields as unknown as Record<string, string>), ...(back.label.fields as unknown as Record<string, string>) };
  return { jpeg: buffer, fields, note: `${stacked ? 'stacked' : 'side by side'}${grey ? ', grey' : ''}${stamp ? `, stamped ${stamp}` : ''}` };
}

/**
 * A glare that washes the ink out: a white spot, solid at its core and fading at its rim, over the fields
 * (never the portrait, which is drawn over the card's contents), 100–300 px across on the 856-px card.
 */
function strongGlare(rng: Rng): string {
  const [cx, cy] = [between(rng, 90, 540), between(rng, 80, 470)];
  const [rx, ry] = [between(rng, 50, 150), between(rng, 30, 90)];
  const core = between(rng, 0.5, 0.8).toFixed(2);
  return `<defs><radialGradient id="strong-glare"><stop offset="0" stop-color="#fff" stop-opacity="1"/><stop offset="${core}" stop-color="#fff" stop-opacity="0.97"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>
  <ellipse cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" rx="${rx.toFixed(1)}" ry="${ry.toFixed(1)}" fill="url(#strong-glare)" transform="rotate(${between(rng, -40, 40).toFixed(1)} ${cx.toFixed(1)} ${cy.toFixed(1)})"/>`;
}

// Skin tones, light to dark (Fitzpatrick I–VI as commonly rendered).
const SKIN = [[255, 219, 172], [241, 194, 125], [224, 172, 105], [198, 134, 66], [141, 85, 36], [110, 68, 40]] as const;

/**
 * A finger over the card's fields: 14–20 mm wide, entering from the card's left, bottom or top edge and ending
 * 10–45 mm in, over the labels and values (not the portrait), in one of six skin tones, shaded darker at its
 * sides, with a lighter nail at its tip in half of them.
 */
function fingerOverlay(rng: Rng): { svg: string; note: string } {
  const from = pick(rng, ['left', 'bottom', 'top'] as const);
  const width = between(rng, 140, 200);
  const toneIndex = int(rng, 0, SKIN.length - 1);
  const tone = SKIN[toneIndex]!.map((c) => Math.max(0, Math.min(255, Math.round(c + between(rng, -12, 12)))));
  const dark = tone.map((c) => Math.round(c * 0.78));
  const hex = (c: readonly number[]) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  // The tip's place, over the text (x 40–520, y 80–500 of the 856 × 540 card), and the finger's axis from the edge to it.
  const tip = { x: between(rng, 120, 480), y: between(rng, 120, 460) };
  const start = from === 'left' ? { x: -40, y: tip.y + between(rng, -80, 80) } : { x: tip.x + between(rng, -120, 120), y: from === 'top' ? -40 : 580 };
  const angle = (Math.atan2(tip.y - start.y, tip.x - start.x) * 180) / Math.PI;
  const length = Math.hypot(tip.x - start.x, tip.y - start.y);
  const nail = chance(rng, 0.5) ? `<ellipse cx="${(length - 0.28 * width).toFixed(1)}" cy="0" rx="${(0.26 * width).toFixed(1)}" ry="${(0.3 * width).toFixed(1)}" fill="#fff" fill-opacity="0.28"/>` : '';
  const svg = `<defs><linearGradient id="finger-shade" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${hex(dark)}"/><stop offset="0.45" stop-color="${hex(tone)}"/><stop offset="1" stop-color="${hex(dark)}"/></linearGradient></defs>
  <g transform="translate(${start.x.toFixed(1)} ${start.y.toFixed(1)}) rotate(${angle.toFixed(1)})"><rect x="0" y="${(-width / 2).toFixed(1)}" width="${length.toFixed(1)}" height="${width.toFixed(1)}" rx="${(width / 2).toFixed(1)}" fill="url(#finger-shade)"/>${nail}</g>`;
  return { svg, note: `from the ${from}, ${(width / 10).toFixed(0)} mm wide, tone ${toneIndex + 1}` };
}

const CUTS = ['left', 'right', 'top', 'bottom', 'top-left', 'top-right', 'bottom-left', 'bottom-right'] as const;

/**
 * The card photographed with a side or a corner out of the frame: 2–25% of its width or height beyond the
 * photo's edge, the card large (70–95% of the width) and a little tilted, the photo turned a quarter at random.
 */
async function cutOffPhoto(rng: Rng, card: Buffer): Promise<{ jpeg: Buffer; note: string }> {
  const width = Math.round(PHOTO_W * between(rng, 0.7, 0.95));
  const scaled = await sharp(card).resize(width).png().toBuffer();
  const turned = await sharp(scaled).rotate(between(rng, -3, 3), { background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = turned.info;
  const cut = pick(rng, CUTS);
  const depth = between(rng, 0.02, 0.25);
  const free = (room: number, size: number) => (room - size > 40 ? int(rng, 20, room - size - 20) : Math.round((room - size) / 2));
  const left = cut.includes('left') ? -Math.round(depth * w) : cut.includes('right') ? PHOTO_W - w + Math.round(depth * w) : free(PHOTO_W, w);
  const top = cut.includes('top') ? -Math.round(depth * h) : cut.includes('bottom') ? PHOTO_H - h + Math.round(depth * h) : free(PHOTO_H, h);
  // The part of the card inside the frame, placed where it falls.
  const [x0, y0] = [Math.max(0, -left), Math.max(0, -top)];
  const [x1, y1] = [Math.min(w, PHOTO_W - left), Math.min(h, PHOTO_H - top)];
  const visible = await sharp(turned.data).extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 }).png().toBuffer();
  const scene = await sharp(deskBackground(rng), { raw: { width: PHOTO_W, height: PHOTO_H, channels: 3 } })
    .composite([{ input: visible, left: left + x0, top: top + y0 }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const rotation = pick(rng, [0, 0, 90, 180, 270] as const);
  const jpeg = await sharp(scene.data, { raw: { width: PHOTO_W, height: PHOTO_H, channels: 3 } }).rotate(rotation).jpeg({ quality: int(rng, 70, 85) }).toBuffer();
  return { jpeg, note: `${cut} ${(100 * depth).toFixed(0)}%` };
}

/**
 * The card as a camera at an angle sees it: its far edge (top, bottom, left or right) shorter by 10–35%, the
 * card foreshortened along that axis and turned up to 8°; then put on a desk like the clean cards.
 */
async function perspectiveCard(rng: Rng, card: Buffer): Promise<{ png: Buffer; note: string }> {
  const far = pick(rng, ['top', 'bottom', 'left', 'right'] as const);
  const k = between(rng, 0.1, 0.35);
  const [W, H] = [CARD_W, CARD_H];
  // The quad on a canvas twice the card (room for the turn), its far edge pulled in by k/2 at each end.
  let quad = [{ x: 0, y: 0 }, { x: W, y: 0 }, { x: W, y: H }, { x: 0, y: H }];
  const pull = (i: number, dx: number, dy: number) => (quad[i] = { x: quad[i]!.x + dx, y: quad[i]!.y + dy });
  const fore = 1 - k / 2;
  if (far === 'top') { pull(0, (k / 2) * W, (1 - fore) * H); pull(1, (-k / 2) * W, (1 - fore) * H); }
  if (far === 'bottom') { pull(3, (k / 2) * W, -(1 - fore) * H); pull(2, (-k / 2) * W, -(1 - fore) * H); }
  if (far === 'left') { pull(0, (1 - fore) * W, (k / 2) * H); pull(3, (1 - fore) * W, (-k / 2) * H); }
  if (far === 'right') { pull(1, -(1 - fore) * W, (k / 2) * H); pull(2, -(1 - fore) * W, (-k / 2) * H); }
  const t = (between(rng, -8, 8) * Math.PI) / 180;
  quad = quad.map((p) => ({ x: W + (p.x - W / 2) * Math.cos(t) - (p.y - H / 2) * Math.sin(t), y: H + (p.x - W / 2) * Math.sin(t) + (p.y - H / 2) * Math.cos(t) }));
  const [minX, minY] = [Math.floor(Math.min(...quad.map((p) => p.x))), Math.floor(Math.min(...quad.map((p) => p.y)))];
  const [maxX, maxY] = [Math.ceil(Math.max(...quad.map((p) => p.x))), Math.ceil(Math.max(...quad.map((p) => p.y)))];
  const placed = quad.map((p) => ({ x: p.x - minX, y: p.y - minY }));
  const toCard = homography(placed, [{ x: 0, y: 0 }, { x: W - 1, y: 0 }, { x: W - 1, y: H - 1 }, { x: 0, y: H - 1 }])!;
  const { data, info } = await sharp(card).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const warped = warp({ data, width: info.width, height: info.height, channels: 4 }, toCard, maxX - minX, maxY - minY, [0, 0, 0, 0]);
  const png = await sharp(warped.data, { raw: { width: warped.width, height: warped.height, channels: 4 } }).png().toBuffer();
  return { png, note: `far ${far} ${(100 * k).toFixed(0)}%` };
}

/**
 * The card shown on a screen and photographed: the card on an image viewer's background, each screen pixel drawn as
 * its red, green and blue stripes over two thirds of its height (the black matrix between rows). The camera sees
 * 1.5–4 of its pixels a screen pixel, through a lens blur of 0.4–1.2 px, sampled without anti-aliasing (a phone
 * camera's moiré), exposed for the panel, whose brightness and white point shift; the photo is then made the
 * upload's size (0.8–2 px a screen pixel), in a phone's bezel on a desk.
 */
async function screenPhoto(rng: Rng, card: Buffer): Promise<{ jpeg: Buffer; note: string }> {
  const cameraPitch = between(rng, 1.5, 4);
  const finalPitch = between(rng, 0.8, 2);
  const cardPx = between(rng, 0.55, 0.75) * PHOTO_W;
  const onScreen = Math.round(cardPx / finalPitch);
  const [sw, sh] = [Math.round(onScreen * 1.08), Math.round((onScreen * CARD_H * 1.2) / CARD_W)];
  const viewer = pick(rng, [0, 20, 245] as const);
  const shown = await sharp(card).resize(onScreen).png().toBuffer();
  const screen = await sharp({ create: { width: sw, height: sh, channels: 3, background: { r: viewer, g: viewer, b: viewer } } })
    .composite([{ input: shown, gravity: 'centre' }])
    .removeAlpha()
    .raw()
    .toBuffer();
  // The panel: its white point bluish or warm, its brightness 0.9–1.1.
  const gain = [between(rng, 0.88, 1.05), between(rng, 0.92, 1.05), between(rng, 0.95, 1.12)].map((g) => g * between(rng, 0.9, 1.1));
  const [W, H] = [sw * 3, sh * 3];
  const sub = Buffer.alloc(W * H * 3);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const i = (y * sw + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = Math.min(255, Math.round(screen[i + c]! * gain[c]!));
        // Stripe c of the pixel, rows 0 and 1 of its three.
        for (let r = 0; r < 2; r++) sub[((y * 3 + r) * W + x * 3 + c) * 3 + c] = v;
      }
    }
  }
  const turn = (between(rng, -5, 5) * Math.PI) / 180;
  const k = cameraPitch / 3;
  const lens = between(rng, 0.4, 1.2);
  // The camera exposes for the panel: its lit share of a pixel (a third of the stripes, two thirds of the rows) brought back to white.
  const exposure = 4.5 * between(rng, 0.85, 1.05);
  const seen = await sharp(sub, { raw: { width: W, height: H, channels: 3 } })
    .blur(Math.max(0.3, lens / k))
    .affine([k * Math.cos(turn), -k * Math.sin(turn), k * Math.sin(turn), k * Math.cos(turn)], { background: { r: 2, g: 2, b: 3 }, interpolator: sharp.interpolators.nearest })
    .linear(exposure, 0)
    .png()
    .toBuffer({ resolveWithObject: true });
  const down = finalPitch / cameraPitch;
  const small = await sharp(seen.data).resize(Math.round(seen.info.width * down)).png().toBuffer({ resolveWithObject: true });
  const { width: w } = small.info;
  // The phone's bezel around the screen, on a desk; the photo's JPEG.
  const bezel = Math.round(0.04 * w);
  const phone = await sharp(small.data).extend({ top: bezel, bottom: bezel, left: bezel, right: bezel, background: { r: 12, g: 12, b: 14 } }).png().toBuffer({ resolveWithObject: true });
  const scale = Math.min(1, (PHOTO_W - 40) / phone.info.width, (PHOTO_H - 40) / phone.info.height);
  const placed = scale < 1 ? await sharp(phone.data).resize(Math.round(phone.info.width * scale)).png().toBuffer({ resolveWithObject: true }) : phone;
  const left = int(rng, 10, Math.max(10, PHOTO_W - placed.info.width - 10));
  const top = int(rng, 10, Math.max(10, PHOTO_H - placed.info.height - 10));
  const jpeg = await sharp(deskBackground(rng), { raw: { width: PHOTO_W, height: PHOTO_H, channels: 3 } })
    .composite([{ input: placed.data, left, top }])
    .jpeg({ quality: int(rng, 72, 92) })
    .toBuffer();
  return { jpeg, note: `camera ${cameraPitch.toFixed(2)} px, photo ${(finalPitch * scale).toFixed(2)} px a screen pixel, lens ${lens.toFixed(2)} px, turned ${((turn * 180) / Math.PI).toFixed(1)}°` };
}

/** Holders: real people with at least two photos, one the scene and another the selfie the attacker sends. */
function holders(): Array<{ identity: string; photos: string[] }> {
  const byIdentity = new Map<string, string[]>();
  for (const r of readLabels()) {
    if (r.kind !== 'face' || r.dupOf || /DOUBTFUL/i.test(r.note)) continue;
    if (r.source !== 'asia/asian_faces' && r.source !== 'krasserm-face-recognition') continue;
    // A few of asian_faces' .jpg files are BMPs, which the prebuilt sharp cannot draw on.
    if (sniffFormat(readFileSync(r.path)) === 'bmp') continue;
    byIdentity.set(r.identity, [...(byIdentity.get(r.identity) ?? []), r.path]);
  }
  return [...byIdentity.entries()].filter(([, p]) => p.length >= 2).map(([identity, photos]) => ({ identity, photos: photos.sort() }));
}

/** A person (the scene, 960 × 1280) holding a card (38–60% of the width) below the chin, tilted. */
async function holderScene(rng: Rng, card: Buffer, scene: string): Promise<{ jpeg: Buffer; box: { x: number; y: number; width: number; height: number } }> {
  const [W, H] = [960, 1280];
  // Decoded as the evaluations decode ../shared/data (some of its files are not what their names say).
  const photo = await decodeDataImage(scene);
  const background = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } }).resize(W, H, { fit: 'cover', position: 'top' }).png().toBuffer();
  const width = Math.round(W * between(rng, 0.38, 0.6));
  const tilt = between(rng, -10, 10);
  const scaled = await sharp(card).resize(width).png().toBuffer();
  const turned = await sharp(scaled).rotate(tilt, { background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = turned.info;
  const left = int(rng, 0, W - w);
  const top = int(rng, Math.round(H * 0.5), H - h);
  const jpeg = await sharp(background)
    .composite([{ input: turned.data, left, top }])
    .blur(chance(rng, 0.3) ? between(rng, 0.3, 1) : 0.3)
    .jpeg({ quality: int(rng, 70, 90) })
    .toBuffer();
  return { jpeg, box: { x: left, y: top, width: w, height: h } };
}

export async function makeCorpus(out: string, perType: number, seed: number, only: readonly CorpusType[] = CORPUS_TYPES): Promise<CorpusLabel[]> {
  requireData();
  rmSync(out, { recursive: true, force: true });
  const labels: CorpusLabel[] = [];
  const people = holders();
  for (const [t, type] of CORPUS_TYPES.entries()) {
    if (!only.includes(type)) continue;
    mkdirSync(join(out, type), { recursive: true });
    // Every ethnic group once in a full corpus; a sample (CI) takes the first few.
    const count = type === 'ethnicity' && perType >= 40 ? Math.max(perType, ETHNIC_GROUPS.length) : type === 'long-number' ? Math.ceil(perType / 2) : perType;
    for (let i = 0; i < count; i++) {
      const rng = mulberry32(cardSeed(seed + 1000 * t, i));
      const file = join(type, `${String(i + 1).padStart(3, '0')}.jpg`);
      const write = (jpeg: Buffer, label: Omit<CorpusLabel, 'file' | 'type'>) => {
        writeFileSync(join(out, file), jpeg);
        labels.push({ file, type, ...label });
      };
      const plan: CardPlan = { side: 'portrait', rotation: 0, badCheck: false, glare: false };
      if (type === 'holder') {
        const person = people[i % people.length]!;
        const k = Math.floor(i / people.length) % person.photos.length;
        const card = await drawCard(rng, { ...plan, face: pick(rng, ['person-a.jpg', 'person-b.jpg', 'person-c.jpg']) }, false);
        const { jpeg, box } = await holderScene(rng, card.png, person.photos[k]!);
        write(jpeg, { fields: card.label.fields as unknown as Record<string, string>, card: box, holder: { identity: person.identity, photo: person.photos[k]!, otherPhoto: person.photos[(k + 1) % person.photos.length]! } });
        continue;
      }
      if (type === 'both-sides') {
        const { jpeg, fields, note } = await bothSidesPage(rng, i);
        write(jpeg, { fields, note });
        continue;
      }
      if (type === 'paper') {
        const { png, fields, note } = await paperFake(rng, i);
        const { jpeg } = await photographed(rng, png);
        write(jpeg, { fields, note });
        continue;
      }
      if (type === 'cut-off') {
        const card = await drawCard(rng, plan, false);
        const { jpeg, note } = await cutOffPhoto(rng, card.png);
        write(jpeg, { fields: card.label.fields as unknown as Record<string, string>, note });
        continue;
      }
      if (type === 'screen') {
        const card = await drawCard(rng, plan, false);
        const { jpeg, note } = await screenPhoto(rng, card.png);
        write(jpeg, { fields: card.label.fields as unknown as Record<string, string>, note });
        continue;
      }
      if (type === 'perspective') {
        const card = await drawCard(rng, plan, false);
        const { png, note } = await perspectiveCard(rng, card.png);
        const photo = { ...choosePhoto(rng, { ...plan, widthFrac: [0.6, 0.8] }), tiltDeg: 0, shear: 0, glare: false };
        const jpeg = await photograph(rng, png, { ...photo, widthFrac: (photo.widthFrac * CARD_W) / Math.max(CARD_W, (await sharp(png).metadata()).width!) }, pick(rng, [0, 0, 90, 180, 270] as const));
        write(jpeg, { fields: card.label.fields as unknown as Record<string, string>, note: `${note}${photo.blur ? `, blur ${photo.blur}` : ''}` });
        continue;
      }
      const rotation = pick(rng, [0, 0, 90, 180, 270] as const);
      const fields: CardPlan['fields'] = {};
      let note: string | undefined;
      if (type === 'rare-name') {
        const base = makePortraitFields(rng, false, false).fields.name;
        fields.name = i % 4 === 3 ? pick(rng, RARE_SURNAMES) + base.slice(1) : base.slice(0, Math.max(2, base.length - 1)) + pick(rng, RARE_GIVEN);
      }
      if (type === 'ethnicity') fields.ethnicity = ETHNIC_GROUPS[i % ETHNIC_GROUPS.length]!;
      const extra: Partial<CardPlan> = {};
      if (type === 'stamp') {
        note = pick(rng, STAMPS);
        extra.overlay = stampOverlay(note);
      }
      if (type === 'glare') {
        extra.overlay = strongGlare;
        extra.glare = false;
      }
      if (type === 'finger') {
        const finger = fingerOverlay(rng);
        extra.overlay = () => finger.svg;
        note = finger.note;
      }
      if (type === 'blur') {
        // Past reading (the name is lost from ~3 px), well beyond the clean cards' 0–1.2 px (at 1280 px; value lines ~25–36 px high).
        extra.blur = Number(between(rng, 2.5, 5).toFixed(2));
        note = `blur ${extra.blur}`;
      }
      const cardRng = mulberry32(cardSeed(seed + 1000 * t + 500, i));
      if (type === 'long-number') {
        // Drawn once to learn its number, then again from the same seed with the number line four digits longer.
        const probe = await makeCard(mulberry32(cardSeed(seed + 1000 * t + 500, i)), { ...plan, rotation });
        const longer = (probe.label.fields as { idNumber: string }).idNumber + String(int(rng, 1000, 9999));
        const again = await makeCard(cardRng, { ...plan, rotation, printedNumber: longer });
        write(again.jpeg, { fields: { ...(again.label.fields as unknown as Record<string, string>), idNumber: longer } });
        continue;
      }
      const made = await makeCard(cardRng, { ...plan, rotation, fields, ...extra });
      write(made.jpeg, { fields: made.label.fields as unknown as Record<string, string>, note });
    }
  }
  writeFileSync(join(out, 'labels.json'), JSON.stringify(labels, null, 1) + '\n');
  return labels;
}

/** The paper photographed on a desk as the clean cards are (tilt, shear, blur, JPEG). */
async function photographed(rng: Rng, png: Buffer) {
  const params = { tiltDeg: between(rng, -5, 5), shear: between(rng, -0.03, 0.03), blur: chance(rng, 0.4) ? between(rng, 0.3, 1) : 0, glare: false, quality: int(rng, 70, 85), widthFrac: between(rng, 0.55, 0.8) };
  return { jpeg: await photograph(rng, png, params, 0) };
}

if (process.argv[1] && import.meta.filename === (await import('node:path')).resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { 'per-type': { type: 'string', default: '40' }, out: { type: 'string', default: 'eval/out/card-corpus' }, seed: { type: 'string', default: '11' } } });
  const started = performance.now();
  const labels = await makeCorpus(values.out!, Number(values['per-type']), Number(values.seed));
  const counts = CORPUS_TYPES.map((t) => `${t} ${labels.filter((l) => l.type === t).length}`).join(', ');
  console.log(`${labels.length} images (${counts}) in ${((performance.now() - started) / 1000).toFixed(0)} s → ${values.out}`);
}
