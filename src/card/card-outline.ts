/**
 * The card's outline in a photo: its four straight edges, each looked for near where the portrait side's
 * text block says it is, and the quadrilateral they make. A card photographed at an angle is a
 * quadrilateral, not a rectangle; its outline gives the homography that squares it (image/warp.ts).
 */
import { type Box, corners as boxCorners } from '../core/geometry.js';
import { type Homography, type Point, homography, project } from '../image/warp.js';
import type { RgbImage } from '../image/decode.js';

// The card and where its edges lie from the portrait side's text block (the block ~42 mm high, the card's
// left edge ~5 mm left of the labels, its right edge ~80.6 mm right of them, top and bottom ~6 mm away).
export const CARD_MM = { width: 85.6, height: 54 };
export const TEXT_HEIGHT_MM = 42;
export const TO_EDGE_MM = { left: 5, right: 80.6, top: 6, bottom: 6 };
// Each edge is looked for this far (mm) either side of where the text block puts it, at either end
// independently: a keystone of 35% moves a far corner ~15 mm, the text block's own height misjudges by ~10%.
const SEARCH_MM = 22;
// The edge is looked for on a view where the card is about this wide (px).
const VIEW_CARD_PX = 360;
// Points sampled along an edge, over this middle share of it (the card's corners are rounded).
const SAMPLES = 64;
const SPAN = [0.1, 0.9] as const;
const COARSE = 4;
// The card's lines lie at least this far (mm) inside its edges (the nearest, the number's end, ~4 mm from the right;
// the portrait's edge, the likeliest false edge, ~20 mm left of it).
const INSIDE_MM = 0.5;
// An edge: the median step in brightness across it (grey levels over 3 px), signed consistently along its
// length, at least this. A card's edge on a table or a hand steps by 20–100; its text and photo, which
// cover part of any line, and alternate in sign, give a median near 0.
const MIN_EDGE_STEP = 12;
// The share of an edge's samples that must lie in the image, its step taken both sides.
const SEEN_SHARE = 0.9;

/**
 * The card's four corners in the image (top left, top right, bottom right, bottom left of the upright card), or
 * undefined: from the portrait side's text block and its lines (levelled-crop pixels) and the map to the image.
 */
export function cardOutline(image: RgbImage, textBox: Box, lines: readonly Box[], toImage: (q: Point) => Point): Point[] | undefined {
  const mm = textBox.height / TEXT_HEIGHT_MM;
  const [left, right] = [textBox.x - TO_EDGE_MM.left * mm, textBox.x + TO_EDGE_MM.right * mm];
  const [top, bottom] = [textBox.y - TO_EDGE_MM.top * mm, textBox.y + textBox.height + TO_EDGE_MM.bottom * mm];
  const implied = [{ x: left, y: top }, { x: right, y: top }, { x: right, y: bottom }, { x: left, y: bottom }].map(toImage);
  // The lines' own corners: the text block's box, on a card at an angle, reaches past the card's slanted edges.
  const text = lines.flatMap(boxCorners).map(toImage);
  const widthPx = Math.hypot(implied[1]!.x - implied[0]!.x, implied[1]!.y - implied[0]!.y);
  const k = Math.min(1, VIEW_CARD_PX / widthPx);
  const view = greyView(image, k);
  const corners = implied.map((p) => ({ x: p.x * k, y: p.y * k }));
  const reach = (SEARCH_MM * VIEW_CARD_PX) / CARD_MM.width;
  const within = text.map((p) => ({ x: p.x * k, y: p.y * k }));
  const clear = (INSIDE_MM * VIEW_CARD_PX) / CARD_MM.width;
  const centre = { x: corners.reduce((a, p) => a + p.x, 0) / 4, y: corners.reduce((a, p) => a + p.y, 0) / 4 };
  const edges: Line[] = [];
  for (let i = 0; i < 4; i++) {
    const found = strongestEdge(view, corners[i]!, corners[(i + 1) % 4]!, centre, reach, within, clear);
    if (!found) return undefined;
    edges.push(found);
  }
  const quad: Point[] = [];
  for (let i = 0; i < 4; i++) {
    const p = intersect(edges[(i + 3) % 4]!, edges[i]!);
    if (!p || Math.hypot(p.x - corners[i]!.x, p.y - corners[i]!.y) > 2 * reach) return undefined;
    quad.push({ x: p.x / k, y: p.y / k });
  }
  return convex(quad) ? quad : undefined;
}

/**
 * How far the outline is from a rectangle: the largest angle (degrees) between opposite edges. A card
 * photographed square on: under 1°; at an angle: its keystone.
 */
export function keystoneDeg(quad: readonly Point[]): number {
  const angle = (a: Point, b: Point) => Math.atan2(b.y - a.y, b.x - a.x);
  const between = (a: number, b: number) => Math.abs((((a - b) * 180) / Math.PI + 540) % 360 - 180);
  const [p0, p1, p2, p3] = quad as [Point, Point, Point, Point];
  // Opposite edges run opposite ways round the quadrilateral: parallel ones differ by 180°.
  return Math.max(Math.abs(180 - between(angle(p0, p1), angle(p2, p3))), Math.abs(180 - between(angle(p1, p2), angle(p3, p0))));
}

/** A picture of the upright card squared from its outline: the homographies to and from the image, its size, the card's place in it. */
export interface Squaring {
  toImage: Homography;
  fromImage: Homography;
  width: number;
  height: number;
  /** Pixels a millimetre of the card, and the margin around it (px). */
  mmPx: number;
  margin: number;
}

/** The card squared: a picture cardWidthPx wide of the upright card, with `margin` of its width around it. Undefined for a degenerate outline. */
export function squaring(quad: readonly Point[], cardWidthPx: number, margin: number): Squaring | undefined {
  const w = Math.round(cardWidthPx);
  const h = Math.round((cardWidthPx * CARD_MM.height) / CARD_MM.width);
  const m = Math.round(margin * cardWidthPx);
  const target = [{ x: m, y: m }, { x: m + w, y: m }, { x: m + w, y: m + h }, { x: m, y: m + h }];
  const [toImage, fromImage] = [homography(target, quad), homography(quad, target)];
  return toImage && fromImage ? { toImage, fromImage, width: w + 2 * m, height: h + 2 * m, mmPx: w / CARD_MM.width, margin: m } : undefined;
}

// The text block's edges are where the card puts them (TO_EDGE_MM, TEXT_HEIGHT_MM) within this (mm) when the
// outline is the card's: its edges found on the card squared at an angle were within 1.1 mm; an outline on a
// hand or a sleeve put them 5–9 mm off.
const FIT_MM = 2.5;

/** Whether the text block (pixels of the squared picture) lies on the squared card where the portrait side puts it. */
export function fitsCard(block: Box, square: Squaring): boolean {
  const mm = (v: number) => (v - square.margin) / square.mmPx;
  const [left, top, bottom] = [mm(block.x), mm(block.y), mm(block.y + block.height)];
  return Math.abs(left - TO_EDGE_MM.left) <= FIT_MM && Math.abs(top - TO_EDGE_MM.top) <= FIT_MM && Math.abs(bottom - (TO_EDGE_MM.top + TEXT_HEIGHT_MM)) <= FIT_MM;
}

export { project };

interface Line {
  a: Point;
  b: Point;
}

interface Grey {
  data: Float32Array;
  width: number;
  height: number;
}

/** The image's luma at `k` times its size (box-averaged). */
function greyView(image: RgbImage, k: number): Grey {
  const [W, H] = [image.width, image.height];
  const [w, h] = [Math.max(1, Math.round(W * k)), Math.max(1, Math.round(H * k))];
  const sum = new Float32Array(w * h);
  const count = new Uint32Array(w * h);
  const d = image.data;
  for (let y = 0; y < H; y++) {
    const vy = Math.min(h - 1, Math.floor(y * k)) * w;
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      const v = vy + Math.min(w - 1, Math.floor(x * k));
      sum[v]! += 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
      count[v]!++;
    }
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= Math.max(1, count[i]!);
  return { data: sum, width: w, height: h };
}

function at(g: Grey, x: number, y: number): number {
  if (!(x >= 0 && y >= 0 && x <= g.width - 1 && y <= g.height - 1)) return Number.NaN;
  const [x0, y0] = [Math.min(g.width - 2, Math.floor(x)), Math.min(g.height - 2, Math.floor(y))];
  const [fx, fy] = [x - x0, y - y0];
  const i = y0 * g.width + x0;
  const t = g.data[i]! + fx * (g.data[i + 1]! - g.data[i]!);
  const b = g.data[i + g.width]! + fx * (g.data[i + g.width + 1]! - g.data[i + g.width]!);
  return t + fy * (b - t);
}

/**
 * The straightest strong edge near a → b: each end moved along the side's outward normal by up to `reach`
 * (a coarse grid, then refined), scored by the median signed brightness step across it; a line with the card's
 * text (`text`, its block's corners) less than `clear` inside it is no edge of the card. Undefined when no
 * candidate steps by MIN_EDGE_STEP (the card's edge outside the image, or a background like the card).
 */
function strongestEdge(g: Grey, a: Point, b: Point, centre: Point, reach: number, text: readonly Point[], clear: number): Line | undefined {
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  const len = Math.hypot(dx, dy);
  if (len < 8) return undefined;
  let n = { x: -dy / len, y: dx / len };
  const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  if (n.x * (mid.x - centre.x) + n.y * (mid.y - centre.y) < 0) n = { x: -n.x, y: -n.y };
  const steps = new Float32Array(SAMPLES);
  // `samples` points along the line, the step taken `half` px each way across it.
  const score = (d1: number, d2: number, samples: number, half: number): number => {
    // The card's edge has all its text inside: the photo's edge, or a line of text, has some of it outside.
    const [p, q] = [{ x: a.x + d1 * n.x, y: a.y + d1 * n.y }, { x: b.x + d2 * n.x, y: b.y + d2 * n.y }];
    const [lx, ly] = [q.x - p.x, q.y - p.y];
    const l = Math.hypot(lx, ly);
    let m = { x: -ly / l, y: lx / l };
    if (m.x * n.x + m.y * n.y < 0) m = { x: -m.x, y: -m.y };
    for (const t of text) if ((t.x - p.x) * m.x + (t.y - p.y) * m.y > -clear) return 0;
    let k = 0;
    for (let s = 0; s < samples; s++) {
      const t = SPAN[0] + ((SPAN[1] - SPAN[0]) * s) / (samples - 1);
      const d = d1 + t * (d2 - d1);
      const [x, y] = [a.x + t * dx + d * n.x, a.y + t * dy + d * n.y];
      // Inside minus outside: a light card on a dark table steps up inwards.
      const step = at(g, x - half * n.x, y - half * n.y) - at(g, x + half * n.x, y + half * n.y);
      if (!Number.isNaN(step)) steps[k++] = step;
    }
    // An edge is measured only where it is seen along nearly all its length: one that runs out of the image
    // (a card cut by the frame) is not the card's to square it by, and the frame's own border, the step
    // across it half measured, is no edge at all.
    if (k < SEEN_SHARE * samples) return 0;
    const sorted = steps.subarray(0, k).sort();
    return Math.abs(sorted[k >> 1]!);
  };
  // A coarse grid (every COARSE px, the step taken over ±COARSE/2 px, which any edge within the grid's reach
  // answers), then the best cell refined every half pixel with the 3-px step.
  let best = { d1: 0, d2: 0, s: -1 };
  const r = Math.ceil(reach / COARSE) * COARSE;
  for (let d1 = -r; d1 <= r; d1 += COARSE) {
    for (let d2 = -r; d2 <= r; d2 += COARSE) {
      const s = score(d1, d2, SAMPLES / 2, COARSE / 2 + 1);
      if (s > best.s) best = { d1, d2, s };
    }
  }
  const { d1: c1, d2: c2 } = best;
  best.s = -1;
  for (let d1 = c1 - COARSE; d1 <= c1 + COARSE; d1 += 0.5) {
    for (let d2 = c2 - COARSE; d2 <= c2 + COARSE; d2 += 0.5) {
      const s = score(d1, d2, SAMPLES, 1.5);
      if (s > best.s) best = { d1, d2, s };
    }
  }
  if (best.s < MIN_EDGE_STEP) return undefined;
  return { a: { x: a.x + best.d1 * n.x, y: a.y + best.d1 * n.y }, b: { x: b.x + best.d2 * n.x, y: b.y + best.d2 * n.y } };
}

/** Where two lines (each through two points) cross; undefined when nearly parallel. */
function intersect(l: Line, m: Line): Point | undefined {
  const [x1, y1, x2, y2] = [l.a.x, l.a.y, l.b.x, l.b.y];
  const [x3, y3, x4, y4] = [m.a.x, m.a.y, m.b.x, m.b.y];
  const den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4);
  if (Math.abs(den) < 1e-6) return undefined;
  const t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / den;
  return { x: x1 + t * (x2 - x1), y: y1 + t * (y2 - y1) };
}

/** Whether the four points, in order, make a convex quadrilateral. */
function convex(q: readonly Point[]): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const [p, r, s] = [q[i]!, q[(i + 1) % 4]!, q[(i + 2) % 4]!];
    const z = (r.x - p.x) * (s.y - r.y) - (r.y - p.y) * (s.x - r.x);
    if (z === 0) return false;
    if (sign === 0) sign = Math.sign(z);
    else if (Math.sign(z) !== sign) return false;
  }
  return true;
}
