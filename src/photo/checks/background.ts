/** The background: measured on the pixels that person segmentation says are not the person. */
import { type Rgb, deltaE, rgbToHsv, rgbToLab, toHex } from '../../image/color.js';
import type { RgbImage } from '../../image/decode.js';
import type { PersonMask } from '../../models/segment.js';
import type { PhotoSpec } from '../../core/spec.js';
import type { Check } from '../types.js';
import { result } from './check.js';
import { round } from '../../core/stats.js';

// A pixel is background when the person probability is below this: well clear of hair and shoulders,
// whose soft edges would tint the background mean.
export const BACKGROUND_PROBABILITY = 0.15;
// Sampling stride in pixels: 1/9 of the pixels give the same means within 0.5 levels on a 480×640 photo.
const STRIDE = 3;
// Below this share of the photo the background is too small to judge.
const MIN_BACKGROUND_SHARE = 0.03;

export interface BackgroundMeasure {
  /** Share 0–1 of the photo that is background. */
  areaShare: number;
  meanRgb: Rgb;
  hex: string;
  hueDeg: number;
  saturation: number;
  value: number;
  /** Share 0–1 of background pixels of the spec's colour. */
  colourShare: number;
  /** Largest CIE76 ΔE between the mean colours of the background's left/right/top/bottom halves. */
  unevennessDeltaE: number;
  /** The nearest reference colour of the spec and its ΔE. */
  nearest: { name: string; deltaE: number };
  /** Colour family of the mean, for messages: 'blue', 'white', 'grey', 'red', 'other'. */
  family: 'blue' | 'white' | 'grey' | 'red' | 'other';
}

export function measureBackground(image: RgbImage, mask: PersonMask, spec: PhotoSpec): BackgroundMeasure | undefined {
  const { width, height, data } = image;
  const { hueRange, minSaturation, minValue, referenceTolerance } = spec.background;
  const references = referenceTolerance > 0 ? spec.background.references.map((ref) => rgbToLab(...ref.rgb)) : [];
  const inHue = (h: number) => hueRange !== null && (hueRange[0] <= hueRange[1] ? h >= hueRange[0] && h <= hueRange[1] : h >= hueRange[0] || h <= hueRange[1]);
  const nearReference = (r: number, g: number, b: number) => {
    if (references.length === 0) return false;
    const [l, a, bb] = rgbToLab(r, g, b);
    return references.some((ref) => Math.hypot(l - ref[0], a - ref[1], bb - ref[2]) <= referenceTolerance);
  };
  const halves = Array.from({ length: 4 }, () => ({ r: 0, g: 0, b: 0, n: 0 })); // left, right, top, bottom
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  let coloured = 0;
  let total = 0;
  for (let y = 0; y < height; y += STRIDE) {
    for (let x = 0; x < width; x += STRIDE) {
      total++;
      const i = y * width + x;
      if (mask.data[i] >= BACKGROUND_PROBABILITY) continue;
      const pr = data[i * 3];
      const pg = data[i * 3 + 1];
      const pb = data[i * 3 + 2];
      r += pr;
      g += pg;
      b += pb;
      n++;
      const [h, s, v] = rgbToHsv(pr, pg, pb);
      if ((inHue(h) && s >= minSaturation && v >= minValue) || nearReference(pr, pg, pb)) coloured++;
      for (const k of [x < width / 2 ? 0 : 1, y < height / 2 ? 2 : 3]) {
        halves[k].r += pr;
        halves[k].g += pg;
        halves[k].b += pb;
        halves[k].n++;
      }
    }
  }
  if (n < total * MIN_BACKGROUND_SHARE) return undefined;
  const meanRgb: Rgb = [r / n, g / n, b / n];
  const means = halves.filter((h) => h.n >= n * 0.05).map((h) => [h.r / h.n, h.g / h.n, h.b / h.n] as const);
  let unevenness = 0;
  for (let i = 0; i < means.length; i++) for (let j = i + 1; j < means.length; j++) unevenness = Math.max(unevenness, deltaE(means[i], means[j]));
  const [hue, saturation, value] = rgbToHsv(...meanRgb);
  const nearest = spec.background.references
    .map((ref) => ({ name: ref.name, deltaE: deltaE(meanRgb, ref.rgb) }))
    .sort((p, q) => p.deltaE - q.deltaE)[0];
  return {
    areaShare: n / total,
    meanRgb: [Math.round(meanRgb[0]), Math.round(meanRgb[1]), Math.round(meanRgb[2])],
    hex: toHex(meanRgb),
    hueDeg: hue,
    saturation,
    value,
    colourShare: coloured / n,
    unevennessDeltaE: unevenness,
    nearest: nearest ?? { name: 'none', deltaE: Number.NaN },
    family: colourFamily(hue, saturation, value),
  };
}

function colourFamily(hue: number, saturation: number, value: number): BackgroundMeasure['family'] {
  if (saturation < 0.15) return value > 0.8 ? 'white' : 'grey';
  if (hue >= 180 && hue <= 260) return 'blue';
  if (hue < 25 || hue > 330) return 'red';
  return 'other';
}

const FAMILY_ZH = { blue: '蓝色', white: '白色', grey: '灰色', red: '红色', other: '其他颜色' } as const;
const FAMILY_EN = { blue: 'blue', white: 'white', grey: 'grey', red: 'red', other: 'another colour' } as const;

export function checkBackground(measure: BackgroundMeasure | undefined, spec: PhotoSpec): Check {
  const bg = spec.background;
  const limit = {
    hueRangeDeg: bg.hueRange,
    minSaturation: bg.minSaturation,
    minValue: bg.minValue,
    referenceToleranceDeltaE: bg.referenceTolerance,
    minColourShare: bg.minShare,
    maxUnevennessDeltaE: bg.maxUnevenness,
    maxReferenceDeltaE: bg.maxReferenceDeltaE,
    references: bg.references.map((ref) => ({ name: ref.name, rgb: ref.rgb, hex: toHex(ref.rgb) })),
  };
  if (!measure) {
    return result('background', 'error', false, { areaShare: 0 }, limit, {
      zh: '照片中几乎看不到背景，无法确认背景颜色：请让头部和肩膀周围留出背景。',
      en: 'Almost no background is visible, so its colour cannot be checked: leave background around the head and shoulders.',
    });
  }
  const measured = {
    areaShare: round(measure.areaShare, 3),
    meanRgb: measure.meanRgb,
    hex: measure.hex,
    hueDeg: round(measure.hueDeg, 1),
    saturation: round(measure.saturation, 3),
    value: round(measure.value, 3),
    colourShare: round(measure.colourShare, 3),
    unevennessDeltaE: round(measure.unevennessDeltaE, 1),
    nearestReference: { name: measure.nearest.name, deltaE: round(measure.nearest.deltaE, 1) },
  };
  const isColour = measure.colourShare >= bg.minShare;
  const even = measure.unevennessDeltaE <= bg.maxUnevenness;
  const nearEnough = measure.nearest.deltaE <= bg.maxReferenceDeltaE;
  const wanted = bg.references[0] ? colourFamily(...rgbToHsv(...bg.references[0].rgb)) : 'blue';
  if (isColour && even && nearEnough) {
    return result('background', 'error', true, measured, limit, {
      zh: `背景为${FAMILY_ZH[wanted]}（${measure.hex}）。`,
      en: `The background is ${FAMILY_EN[wanted]} (${measure.hex}).`,
    });
  }
  if (!isColour) {
    const pct = Math.round(measure.colourShare * 100);
    return result('background', 'error', false, measured, limit, {
      zh: `背景必须是${FAMILY_ZH[wanted]}，当前背景为${FAMILY_ZH[measure.family]}（${measure.hex}，符合要求的部分仅占${pct}%）。`,
      en: `The background must be ${FAMILY_EN[wanted]}; it is ${FAMILY_EN[measure.family]} (${measure.hex}, only ${pct}% of it ${FAMILY_EN[wanted]}).`,
    });
  }
  if (!nearEnough) {
    const near = measured.nearestReference;
    return result('background', 'error', false, measured, limit, {
      zh: `背景颜色与标准${FAMILY_ZH[wanted]}相差太大（${measure.hex}，色差ΔE ${near.deltaE}，上限${bg.maxReferenceDeltaE}），请使用标准证件照${FAMILY_ZH[wanted]}背景。`,
      en: `The background colour is too far from the standard ID-photo ${FAMILY_EN[wanted]} (${measure.hex}, ΔE ${near.deltaE} from ${near.name}, limit ${bg.maxReferenceDeltaE}): use the standard ${FAMILY_EN[wanted]}.`,
    });
  }
  return result('background', 'error', false, measured, limit, {
    zh: `背景颜色不均匀（色差ΔE ${measured.unevennessDeltaE}，上限${bg.maxUnevenness}），请使用单一颜色、光线均匀的${FAMILY_ZH[wanted]}背景。`,
    en: `The background is uneven (ΔE ${measured.unevennessDeltaE} between its parts, limit ${bg.maxUnevenness}): use a single, evenly lit ${FAMILY_EN[wanted]}.`,
  });
}
