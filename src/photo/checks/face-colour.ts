/**
 * faceColour: is the person in colour? The file's channels say nothing of it: a black-and-white portrait
 * pasted on a blue background is a three-channel JPEG, and so is a sepia print scanned in colour.
 *
 * Two measures of the face itself, in CIE L*a*b*:
 * - the skin's chroma: C*ab of the cheeks' median a*, b*. A grey face has none. (Its hue is reported, not
 *   decided on: a sepia toner's, 85–107°, lies next to warm-lit skin's, 81° on the compliant fixture.)
 * - the tone spread: how far the face's colours leave a single tone. In a monochrome photo, toned in any
 *   colour, every pixel's a* and b* follow from its lightness alone; in a colour photo the lips, the
 *   cheeks, the eyes' whites and the brows differ in colour at the same lightness. It is the RMS, over the
 *   face inside its jaw and brows, of a* and b* about their mean among the pixels of the same lightness.
 */
import type { Point } from '../../core/geometry.js';
import { rgbToLab } from '../../image/color.js';
import type { RgbImage } from '../../image/decode.js';
import type { PhotoSpec } from '../../core/spec.js';
import { median, round } from '../../core/stats.js';
import type { Check } from '../types.js';
import { SKIPPED_NO_FACE, result, skipped } from './check.js';
import { cheekRects } from './quality.js';

// Width of the lightness bands the tone spread is taken in, L* units, and the fewest pixels a band counts with.
const TONE_BAND = 2;
const MIN_BAND = 8;
// Side of the blocks the face is averaged in for the tone spread, pixels.
const BLOCK = 4;

export interface FaceColourMeasure {
  /** C*ab of the cheeks' median a*, b*. */
  chroma: number;
  /** Hue angle h_ab of the same, degrees −180…180 (skin ~20–80; reported only). */
  hueDeg: number;
  /** RMS distance (ΔE) of the face's a*, b* from the single tone its lightness predicts. */
  toneSpread: number;
}

export function measureFaceColour(image: RgbImage, landmarks: readonly Point[]): FaceColourMeasure | undefined {
  const as: number[] = [];
  const bs: number[] = [];
  for (const rect of cheekRects(landmarks as Point[])) {
    for (let y = Math.max(0, Math.round(rect.y0)); y < Math.min(image.height, Math.round(rect.y1)); y++) {
      for (let x = Math.max(0, Math.round(rect.x0)); x < Math.min(image.width, Math.round(rect.x1)); x++) {
        const i = (y * image.width + x) * 3;
        const [, a, b] = rgbToLab(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!);
        as.push(a);
        bs.push(b);
      }
    }
  }
  const face = faceLab(image, landmarks);
  if (as.length < 16 || face.length < 32) return undefined;
  const a = median(as);
  const b = median(bs);
  return { chroma: Math.hypot(a, b), hueDeg: (Math.atan2(b, a) * 180) / Math.PI, toneSpread: Math.hypot(residual(face, 1), residual(face, 2)) };
}

export function checkFaceColour(measure: FaceColourMeasure | undefined, spec: PhotoSpec): Check {
  const c = spec.faceColour;
  const limit = { minChroma: c.minChroma, minToneSpread: c.minToneSpread };
  if (!measure) return skipped('faceColour', 'error', limit, SKIPPED_NO_FACE);
  const measured = { chroma: round(measure.chroma, 1), hueDeg: round(measure.hueDeg, 1), toneSpread: round(measure.toneSpread, 2) };
  const grey = measure.chroma < c.minChroma;
  const toned = measure.toneSpread < c.minToneSpread;
  if (!grey && !toned) return result('faceColour', 'error', true, measured, limit, { zh: '人像为彩色。', en: 'The person is in colour.' });
  return result('faceColour', 'error', false, measured, limit, grey
    ? { zh: '人像为黑白照片：须使用彩色照片。', en: 'The person is in black and white: a colour photo is required.' }
    : { zh: '人像为单色（如棕褐色）照片：须使用彩色照片。', en: 'The person is in a single tone (sepia or tinted), not in colour: a colour photo is required.' });
}

/**
 * L*, a*, b* of the face inside the jaw line and the brows, in blocks of BLOCK × BLOCK pixels (their mean
 * RGB; blocks on the even grid, the one JPEG's 4:2:0 chroma is stored on). JPEG keeps colour at half the
 * resolution of lightness: pixel by pixel, the colour of an eyelid's or a nostril's light side lies over
 * its dark side, and a toned photo's colour no longer follows its lightness there (tone spread 2–3 on
 * sepia uploads against 1–1.5 in blocks).
 */
function faceLab(image: RgbImage, l: readonly Point[]): Array<[number, number, number]> {
  const outline = [...l.slice(0, 17), ...l.slice(17, 27).reverse()];
  const ys = outline.map((p) => p.y);
  const out: Array<[number, number, number]> = [];
  const y0 = Math.max(0, Math.floor(Math.min(...ys) / BLOCK) * BLOCK);
  const y1 = Math.min(image.height, Math.ceil((Math.max(...ys) + 1) / BLOCK) * BLOCK);
  for (let by = y0; by + BLOCK <= y1; by += BLOCK) {
    // The outline's crossings of the block row's middle, even-odd.
    const y = by + BLOCK / 2;
    const xs: number[] = [];
    for (let i = 0, j = outline.length - 1; i < outline.length; j = i++) {
      const p = outline[i]!;
      const q = outline[j]!;
      if ((p.y > y) !== (q.y > y)) xs.push(p.x + ((y - p.y) * (q.x - p.x)) / (q.y - p.y));
    }
    xs.sort((u, v) => u - v);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let bx = Math.max(0, Math.ceil(xs[k]! / BLOCK) * BLOCK); bx + BLOCK <= Math.min(image.width, xs[k + 1]!); bx += BLOCK) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let dy = 0; dy < BLOCK; dy++) {
          for (let dx = 0; dx < BLOCK; dx++) {
            const i = ((by + dy) * image.width + bx + dx) * 3;
            r += image.data[i]!;
            g += image.data[i + 1]!;
            b += image.data[i + 2]!;
          }
        }
        const n = BLOCK * BLOCK;
        out.push(rgbToLab(r / n, g / n, b / n));
      }
    }
  }
  return out;
}

/**
 * RMS of channel `k` (1: a*, 2: b*) about its mean at the same lightness: pixels grouped in bands of L*
 * TONE_BAND wide, each pixel's distance from its band's mean. A toned photo's colour is a function of its
 * lightness, whatever the curve (a sepia's knee where red clips included); the bands leave out only what
 * lightness does not explain. Bands with fewer than MIN_BAND pixels are left out.
 */
function residual(lab: ReadonlyArray<readonly [number, number, number]>, k: 1 | 2): number {
  const bands = new Map<number, { n: number; sum: number; squares: number }>();
  for (const p of lab) {
    const key = Math.floor(p[0] / TONE_BAND);
    const band = bands.get(key) ?? { n: 0, sum: 0, squares: 0 };
    band.n++;
    band.sum += p[k];
    band.squares += p[k] * p[k];
    bands.set(key, band);
  }
  let n = 0;
  let within = 0;
  for (const band of bands.values()) {
    if (band.n < MIN_BAND) continue;
    n += band.n;
    within += band.squares - (band.sum * band.sum) / band.n;
  }
  return n ? Math.sqrt(Math.max(0, within) / n) : 0;
}
