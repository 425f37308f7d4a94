/**
 * The photo's faults that commercial card readers warn of beside the fields, measured on the levelled card:
 * blur (how wide the ink's edges are against the lines' height), glare (near-white blobs brighter than the
 * card's paper), a finger (solid blobs of skin), a screen's pixel grid, and a border out of the frame (the card's
 * extent, from its own text block, beyond the image).
 */
import type { Box } from '../core/geometry.js';
import { median } from '../core/stats.js';
import type { RgbImage } from '../image/decode.js';
import { peakProminence, powerSpectrum } from '../image/spectrum.js';

/**
 * Blur as the median width of the ink's edges over the lines' height (Marziliano et al. 2002, "A no-reference
 * perceptual blur metric": an edge's width is the distance between the intensity's extrema either side of it,
 * along the row). Sharp print is ~0.05–0.1 of a DB line box; a card blurred past reading, 0.2 or more.
 * Undefined without a line to measure (a card blurred so far that only its number is read keeps that one).
 */
export function edgeBlur(card: RgbImage, boxes: readonly Box[]): number | undefined {
  const { width: W, height: H, data } = card;
  const luma = (x: number, y: number) => {
    const i = 3 * (y * W + x);
    return 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
  };
  const perLine: number[] = [];
  for (const b of boxes) {
    const [x0, x1] = [Math.max(1, Math.floor(b.x)), Math.min(W - 2, Math.ceil(b.x + b.width))];
    const [y0, y1] = [Math.max(0, Math.floor(b.y + 0.25 * b.height)), Math.min(H - 1, Math.ceil(b.y + 0.75 * b.height))];
    if (x1 - x0 < 3 * b.height || y1 <= y0) continue;
    // Strong edges only: a gradient over a quarter of the line's ink-to-paper range.
    const values: number[] = [];
    for (let y = y0; y <= y1; y += 2) for (let x = x0; x <= x1; x += 2) values.push(luma(x, y));
    values.sort((a, c) => a - c);
    const range = values[Math.floor(0.97 * (values.length - 1))]! - values[Math.floor(0.03 * (values.length - 1))]!;
    if (range < 40) continue;
    const widths: number[] = [];
    const reach = Math.ceil(b.height / 2);
    const row = new Float32Array(x1 - x0 + 3);
    for (let y = y0; y <= y1; y += 2) {
      for (let k = 0; k < row.length; k++) row[k] = luma(x0 - 1 + k, y);
      for (let k = 2; k < row.length - 2; k++) {
        const g = row[k + 1]! - row[k - 1]!;
        if (Math.abs(g) < 0.25 * range) continue;
        if (Math.abs(g) < Math.abs(row[k]! - row[k - 2]!) || Math.abs(g) < Math.abs(row[k + 2]! - row[k]!)) continue;
        const up = g > 0;
        let [l, r] = [k, k];
        while (l > 0 && k - l < reach && (up ? row[l - 1]! < row[l]! : row[l - 1]! > row[l]!)) l--;
        while (r < row.length - 1 && r - k < reach && (up ? row[r + 1]! > row[r]! : row[r + 1]! < row[r]!)) r++;
        widths.push(r - l);
      }
    }
    if (widths.length >= 8) perLine.push(median(widths) / b.height);
  }
  return perLine.length >= 1 ? median(perLine) : undefined;
}

// The portrait side's text block (the labels' left edge to the number's end, the name's top to the number's
// bottom) is about 42 mm high on the 85.6 × 54 mm card, and lies ~5 mm from the card's left edge, ~80 mm from
// its right, ~6 mm from its top and bottom. The image must hold the card to within SLACK of those edges: a
// tight crop on the card's outline passes, and one that cuts into the card by more than SLACK does not.
const TEXT_HEIGHT_MM = 42;
const TO_EDGE_MM = { left: 5, right: 80.6, top: 6, bottom: 6 };
const SLACK_MM = 2.5;
// Lines up to this far left of the text block read are its own too: where a cut took the labels' column, the
// block read may start at a label further right (民族 at ~25 mm), with the values and the labels' remains left of it.
const LEFT_OF_BLOCK_MM = 20;
// The text block's rows (fields.ts' layout: 姓名's row and the pitch): 5.64 mm apart (the block is 7.45 pitches
// high on seed 7's cards), 姓名's row 2 mm below the block's top; the block 65 mm wide (the labels' column to the
// number's end: the squared cards' blocks ended 69.8–70.6 mm from the card's left edge, 4.3–4.9 mm from it).
const PITCH_MM = 5.64;
const ORIGIN_MM = 2;
const TEXT_WIDTH_MM = 65;
// A text block under this height (mm, by its width) is one row: the rows are 5.64 mm apart, a line ~4 mm high.
const ONE_ROW_MM = 8;

/**
 * The portrait side's text block as the card prints it: the block read, reaching as far as its rows say it does
 * (from 姓名's row to the number's, 42 mm; from the labels to the number's end, 65 mm). A cut through the number, or glare over the name, shortens the block
 * read but not the rows' place, so the card's extent (CARD_CUT_OFF) and the portrait's region stay the card's.
 */
export function impliedTextBox(textBox: Box, rows: { origin: number; pitch: number } | undefined): Box {
  if (!rows) {
    // The number's row alone read with its label (a finger or glare over the labels above it): the row is the
    // block's width, 65 mm from the labels' column to the number's end, and the block reaches 42 mm up from it.
    const mm = textBox.width / TEXT_WIDTH_MM;
    if (textBox.height >= ONE_ROW_MM * mm) return textBox;
    return { x: textBox.x, y: textBox.y + textBox.height - TEXT_HEIGHT_MM * mm, width: textBox.width, height: TEXT_HEIGHT_MM * mm };
  }
  const mm = rows.pitch / PITCH_MM;
  const top = Math.min(textBox.y, rows.origin - ORIGIN_MM * mm);
  const bottom = Math.max(textBox.y + textBox.height, rows.origin + (TEXT_HEIGHT_MM - ORIGIN_MM) * mm);
  return { x: textBox.x, y: top, width: Math.max(textBox.width, TEXT_WIDTH_MM * mm), height: bottom - top };
}

/**
 * The card within SLACK_MM of its edges, from its text block (impliedTextBox; `mm` px a millimetre): where a finger
 * over it is looked for. A finger from the card's edge covers the border before the fields, and a finger over
 * the number reaches past the block's foot.
 */
export function cardArea(block: Box, mm: number): Box {
  const [left, top] = [block.x - (TO_EDGE_MM.left - SLACK_MM) * mm, block.y - (TO_EDGE_MM.top - SLACK_MM) * mm];
  return { x: left, y: top, width: block.x + (TO_EDGE_MM.right - SLACK_MM) * mm - left, height: block.y + block.height + (TO_EDGE_MM.bottom - SLACK_MM) * mm - top };
}

/**
 * The card's sides out of the frame: the rectangle the portrait side's text block (impliedTextBox) says the card covers (less
 * SLACK_MM), mapped to the image, against the image's bounds. Sides in the card's own terms (its top is the
 * name's side), each with how far beyond (mm).
 */
export function sidesOutOfFrame(
  textBox: Box,
  lines: readonly Box[],
  toImage: (q: { x: number; y: number }) => { x: number; y: number },
  image: { width: number; height: number },
): Array<{ side: 'left' | 'right' | 'top' | 'bottom'; mm: number }> {
  const mm = textBox.height / TEXT_HEIGHT_MM;
  // The card's own lines, each at least (TO_EDGE_MM.left − SLACK_MM) from the card's edge: a side cut through
  // the labels leaves the values' lines at the frame's edge, and the text block narrower than the card's.
  const reach = (TO_EDGE_MM.left - SLACK_MM) * mm;
  const own = lines.filter((b) => b.x + b.width > textBox.x - LEFT_OF_BLOCK_MM * mm && b.x < textBox.x + textBox.width && b.y + b.height > textBox.y && b.y < textBox.y + textBox.height);
  const [left, right] = [Math.min(textBox.x - reach, ...own.map((b) => b.x - reach)), Math.max(textBox.x + (TO_EDGE_MM.right - SLACK_MM) * mm, ...own.map((b) => b.x + b.width + reach))];
  const [top, bottom] = [textBox.y - (TO_EDGE_MM.top - SLACK_MM) * mm, textBox.y + textBox.height + (TO_EDGE_MM.bottom - SLACK_MM) * mm];
  // How far a point of the card lies outside the image, in mm (0 inside).
  const imageMm = mm * scaleOf(toImage);
  const outside = (q: { x: number; y: number }) => {
    const p = toImage(q);
    return Math.max(0, -p.x, p.x - image.width, -p.y, p.y - image.height) / imageMm;
  };
  const sides: Array<{ side: 'left' | 'right' | 'top' | 'bottom'; mm: number }> = [];
  // An edge's inner points (its corners are its neighbours' too).
  const along = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.max(...[0.1, 0.3, 0.5, 0.7, 0.9].map((t) => outside({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) })));
  const edges = {
    left: along({ x: left, y: top }, { x: left, y: bottom }),
    right: along({ x: right, y: top }, { x: right, y: bottom }),
    top: along({ x: left, y: top }, { x: right, y: top }),
    bottom: along({ x: left, y: bottom }, { x: right, y: bottom }),
  };
  for (const side of ['left', 'right', 'top', 'bottom'] as const) if (edges[side] > 0) sides.push({ side, mm: Math.round(edges[side] * 10) / 10 });
  return sides;
}

/** Image pixels per levelled-card pixel of the map. */
function scaleOf(toImage: (q: { x: number; y: number }) => { x: number; y: number }): number {
  const [a, b] = [toImage({ x: 0, y: 0 }), toImage({ x: 100, y: 0 })];
  return Math.hypot(b.x - a.x, b.y - a.y) / 100;
}

// A line of text within this share of the photo's shorter side (at least EDGE_PX) of its border is cut by it.
const EDGE_SHARE = 0.004;
const EDGE_PX = 2;

/**
 * The photo's edges that cut a line of text: a line's box (levelled-crop pixels, mapped by `toImage`) reaching
 * within EDGE_SHARE of the border. A card's print is at least 4 mm inside its edge, so a card cropped to its own
 * outline keeps its text clear of the frame; a line at the frame goes on past it. For a card whose side or layout
 * was not read, where sidesOutOfFrame has no rows to place the card by. The photo's own edges, not the card's.
 */
export function textAtEdge(
  lines: readonly Box[],
  toImage: (q: { x: number; y: number }) => { x: number; y: number },
  image: { width: number; height: number },
): Array<'left' | 'right' | 'top' | 'bottom'> {
  const near = Math.max(EDGE_PX, EDGE_SHARE * Math.min(image.width, image.height));
  const cut = new Set<'left' | 'right' | 'top' | 'bottom'>();
  for (const b of lines) {
    for (const q of [{ x: b.x, y: b.y }, { x: b.x + b.width, y: b.y }, { x: b.x + b.width, y: b.y + b.height }, { x: b.x, y: b.y + b.height }]) {
      const p = toImage(q);
      if (p.x <= near) cut.add('left');
      if (p.x >= image.width - near) cut.add('right');
      if (p.y <= near) cut.add('top');
      if (p.y >= image.height - near) cut.add('bottom');
    }
  }
  return (['left', 'right', 'top', 'bottom'] as const).filter((side) => cut.has(side));
}

// A screen's pattern is looked for in this many patches of PATCH px across the text block (a 4 × 2 grid over its
// middle), at frequencies from MIN_FREQUENCY: a screen's pixels seen at 1.3–3.2 camera px each, aliased or not,
// lie at 0.2–0.5 cycles a pixel; the card's text and guilloche are mostly lower.
const PATCH = 64;
const MIN_FREQUENCY = 0.15;

/**
 * How periodic the photo is over a region of it (four corners: the card's text block, or its lines' extent):
 * the prominence of the strongest peak (image/spectrum.ts) of the patches' mean spectrum, in luma and in the
 * red-minus-blue difference (a screen's stripes are coloured), whichever stands out more. Undefined when no patch
 * fits in the image.
 */
export function screenPattern(photo: RgbImage, corners: ReadonlyArray<{ x: number; y: number }>): number | undefined {
  const { width: W, height: H, data } = photo;
  const [a, b, c, d] = corners as [{ x: number; y: number }, { x: number; y: number }, { x: number; y: number }, { x: number; y: number }];
  // A point of the region by its share across (fx) and down (fy).
  const within = (fx: number, fy: number) => ({
    x: (1 - fy) * ((1 - fx) * a.x + fx * b.x) + fy * ((1 - fx) * d.x + fx * c.x),
    y: (1 - fy) * ((1 - fx) * a.y + fx * b.y) + fy * ((1 - fx) * d.y + fx * c.y),
  });
  // Welch's average of the patches' spectra: a screen's grid, at one frequency across the card, adds up; the
  // chance peaks of print and texture, each patch's own, average away.
  const [lumaPower, chromaPower] = [new Float64Array(PATCH * PATCH), new Float64Array(PATCH * PATCH)];
  let patches = 0;
  const luma = new Float32Array(PATCH * PATCH);
  const chroma = new Float32Array(PATCH * PATCH);
  for (const fy of [0.3, 0.7]) {
    for (const fx of [0.2, 0.4, 0.6, 0.8]) {
      const p = within(fx, fy);
      const [x0, y0] = [Math.round(p.x - PATCH / 2), Math.round(p.y - PATCH / 2)];
      if (x0 < 0 || y0 < 0 || x0 + PATCH > W || y0 + PATCH > H) continue;
      for (let y = 0; y < PATCH; y++) {
        for (let x = 0; x < PATCH; x++) {
          const i = 3 * ((y0 + y) * W + x0 + x);
          luma[y * PATCH + x] = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
          chroma[y * PATCH + x] = data[i]! - data[i + 2]!;
        }
      }
      // Each patch's spectrum over its own total: a patch over the portrait or the number, far stronger, does not
      // outweigh the rest.
      const [l, c] = [powerSpectrum(luma, PATCH), powerSpectrum(chroma, PATCH)];
      const [lt, ct] = [l.reduce((a, v) => a + v, 0) || 1, c.reduce((a, v) => a + v, 0) || 1];
      for (let i = 0; i < l.length; i++) [lumaPower[i], chromaPower[i]] = [lumaPower[i]! + l[i]! / lt, chromaPower[i]! + c[i]! / ct];
      patches++;
    }
  }
  return patches === 0 ? undefined : Math.max(peakProminence(lumaPower, PATCH, MIN_FREQUENCY), peakProminence(chromaPower, PATCH, MIN_FREQUENCY));
}

// Skin in YCbCr (Chai & Ngan 1999, "Face segmentation using skin-color map": Cr 133–173, Cb 77–127), its Cb
// bound drawn in to 120: the card's light pink tint (Cr ~140) has Cb ~126, near neutral, where every skin tone,
// lightest to darkest and shaded, lies at 98–112. The black ink and blue labels are not skin; a red stamp is,
// stroke by stroke, and is left out by the blob test.
const SKIN_CR = [133, 173] as const;
const SKIN_CB = [77, 120] as const;
// A cell (1 mm square) is skin when this share of its pixels are; a finger is skin cells that hold a solid
// square BLOB_MM across (a finger is 14–20 mm wide; a stamp's strokes ~1 mm, with gaps between).
const SKIN_CELL = 0.6;
const BLOB_MM = 5;
// Where the portrait was not found, its photo's place (from 55 mm right of the labels' column, to 33 mm below the
// block's top) is not looked at, with a margin: cells more than this far right and less than this far down (mm).
const PORTRAIT_AREA_MM = { x: 50, y: 35 };

/** Whether a point of the text block (`mm` px a millimetre) lies where the layout puts the portrait's photo. */
export const portraitPlace = (block: Box, mm: number) => (x: number, y: number) => (x - block.x) / mm > PORTRAIT_AREA_MM.x && (y - block.y) / mm < PORTRAIT_AREA_MM.y;

/**
 * The share of the text block (levelled-crop pixels) covered by a solid blob of skin: a finger over the fields.
 * The block is cut into 1-mm cells (`mm` px each); skin cells are kept where a BLOB_MM square of them is whole
 * (an opening: erosion, then dilation), so a red stamp's strokes do not count. Cells `ignore` says to leave out
 * (the portrait's photo, the crop's fill past the photo) are not counted.
 */
export function skinShare(card: RgbImage, block: Box, mm: number, ignore: (x: number, y: number) => boolean = portraitPlace(block, mm)): number {
  const grid = cellGrid(card, block, mm, ignore, (r, g, b) => {
    const cr = 128 + 0.5 * r - 0.4187 * g - 0.0813 * b;
    const cb = 128 - 0.1687 * r - 0.3313 * g + 0.5 * b;
    return cr >= SKIN_CR[0] && cr <= SKIN_CR[1] && cb >= SKIN_CB[0] && cb <= SKIN_CB[1] ? 1 : 0;
  });
  return grid ? openedShare(grid, (v) => v >= SKIN_CELL, BLOB_MM) : 0;
}

// Glare: a cell (1 mm square) is washed out when the mean of its least channel is near white (at least WHITE: the
// card's print, its tint at ~230–251, is under it; a spot that saturates the sensor is over it) and at least half
// of the way from the card's paper to white (a card lit brighter as a whole is not glare). The paper is the level
// of the cells' brightest tenth (PAPER_QUANTILE), where neither ink nor a stamp is: ink touches about half of the
// cells, a stamp over the whole card most of the rest (seed 7's glare spots cover 1–8% of the card; one over more
// than a tenth of it would be taken for the paper). A glare is such cells that hold a solid square GLARE_BLOB_MM
// across, so a stroke's gap or a row of bright cells along the card's edge does not count.
const WHITE = 251;
const GLARE_BLOB_MM = 3;
const PAPER_QUANTILE = 0.9;

/**
 * The share of the card (levelled-crop pixels inside `area`, `mm` px a millimetre) washed out by glare: solid
 * blobs of near-white cells brighter than the card's own paper, where the ink and the card's print are gone.
 * Cells `ignore` says to leave out (the portrait's photo, the table past the card's outline, the crop's fill
 * past the photo) are not counted.
 */
export function glareShare(card: RgbImage, area: Box, mm: number, ignore: (x: number, y: number) => boolean): number {
  const grid = cellGrid(card, area, mm, ignore, (r, g, b) => Math.min(r, g, b));
  if (!grid) return 0;
  const cells = [...grid.value].filter((_, i) => grid.counted[i]).sort((a, b) => a - b);
  const paper = cells[Math.floor(PAPER_QUANTILE * (cells.length - 1))]!;
  // Strictly brighter than the halfway mark: on a card whose paper is clipped white, nothing is.
  const half = paper + 0.5 * (255 - paper);
  return openedShare(grid, (v) => v >= WHITE && v > half, GLARE_BLOB_MM);
}

/** Cells of 1 mm over `area`: each counted cell's mean of `value` over its pixels. */
interface CellGrid {
  value: Float32Array;
  counted: Uint8Array;
  cw: number;
  ch: number;
}

function cellGrid(card: RgbImage, area: Box, mm: number, ignore: (x: number, y: number) => boolean, value: (r: number, g: number, b: number) => number): CellGrid | undefined {
  const { width: W, height: H, data } = card;
  const cell = Math.max(1, Math.round(mm));
  const [x0, y0] = [Math.max(0, Math.floor(area.x)), Math.max(0, Math.floor(area.y))];
  const [x1, y1] = [Math.min(W, Math.ceil(area.x + area.width)), Math.min(H, Math.ceil(area.y + area.height))];
  const [cw, ch] = [Math.floor((x1 - x0) / cell), Math.floor((y1 - y0) / cell)];
  if (cw < BLOB_MM || ch < BLOB_MM) return undefined;
  const grid: CellGrid = { value: new Float32Array(cw * ch), counted: new Uint8Array(cw * ch), cw, ch };
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      const [px, py] = [x0 + cx * cell, y0 + cy * cell];
      if (ignore(px + cell / 2, py + cell / 2)) continue;
      grid.counted[cy * cw + cx] = 1;
      let sum = 0;
      for (let y = py; y < py + cell; y++) {
        for (let x = px; x < px + cell; x++) {
          const i = 3 * (y * W + x);
          sum += value(data[i]!, data[i + 1]!, data[i + 2]!);
        }
      }
      grid.value[cy * cw + cx] = sum / (cell * cell);
    }
  }
  return grid;
}

/** The share of the counted cells in an opening of the cells `on` by a `size`-cell square: solid blobs only. */
function openedShare({ value, counted, cw, ch }: CellGrid, on: (v: number) => boolean, size: number): number {
  const r = Math.floor(size / 2);
  const mask = value.map((v, i) => (counted[i] && on(v) ? 1 : 0));
  const opened = new Uint8Array(cw * ch);
  for (let cy = r; cy < ch - r; cy++) {
    for (let cx = r; cx < cw - r; cx++) {
      let whole = true;
      for (let dy = -r; dy <= r && whole; dy++) for (let dx = -r; dx <= r; dx++) if (!mask[(cy + dy) * cw + cx + dx]) { whole = false; break; }
      if (whole) for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) opened[(cy + dy) * cw + cx + dx] = 1;
    }
  }
  let [covered, total] = [0, 0];
  for (let i = 0; i < cw * ch; i++) {
    if (!counted[i]) continue;
    total++;
    if (opened[i]) covered++;
  }
  return total ? covered / total : 0;
}
