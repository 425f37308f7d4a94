/**
 * Head covering (hat, cap, hood, headscarf): a colour-and-shape heuristic, not a trained classifier.
 *
 * The part of the person above the estimated hairline (the "crown region") should be hair or skin.
 * Each of its pixels is classed as skin (close to the cheeks' colour), hair (dark, or a muted
 * brown/blond), or neither; a covering shows up as a large share of "neither" or as a head far
 * taller above the hairline than hair makes it. It catches light, bright and coloured coverings;
 * a black cap on black hair looks like hair to it. docs/limits.md has the measured rates.
 */
import type { DetectedFace } from '../../models/detect.js';
import type { FaceGeometry } from '../../models/face-geometry.js';
import type { PersonMask } from '../../models/segment.js';
import { type Rgb, rgbToHsv, rgbToLab } from '../../image/color.js';
import type { RgbImage } from '../../image/decode.js';
import type { PhotoSpec } from '../../core/spec.js';
import type { Check } from '../types.js';
import { SKIPPED_NO_FACE, result, skipped } from './check.js';
import { round } from '../../core/stats.js';

// Skin pixels lie within this CIE76 ΔE of the mean cheek colour.
const SKIN_DELTA_E = 20;
// Hair: dark (HSV value below this, whatever the hue), or muted in the brown–blond hues.
const DARK_HAIR_VALUE = 0.38;
// Above the hairline, hair stands up to about one brow-to-chin distance (long voluminous hair in the
// fixtures: 0.93–1.05; real ID photos in ../shared/data: 0.38–0.47). Far taller is a tall covering.
const MAX_HAIR_HEIGHT = 1.4;
// Warm-hued pixels up to this HSV saturation are hair (see isHair).
const HAIR_MAX_SATURATION = 0.85;

export interface HeadCoveringMeasure {
  /** 0–1: higher means more likely covered. */
  score: number;
  /** Share 0–1 of the crown region that is neither hair nor skin. */
  foreignShare: number;
  /** Height of the head above the estimated hairline, share of the brow-to-chin distance. */
  heightAboveHairline: number;
  /** Pixels of the crown region examined. */
  pixels: number;
}

export function measureHeadCovering(
  image: RgbImage,
  mask: PersonMask,
  face: DetectedFace,
  geometry: FaceGeometry,
  crownY: number,
  skin: Rgb,
): HeadCoveringMeasure {
  const browToChin = geometry.chin.y - geometry.browY;
  const hairline = geometry.browY - browToChin / 2;
  const heightAboveHairline = Math.max(0, (hairline - crownY) / browToChin);
  const x0 = Math.max(0, Math.round(face.landmarks[0].x));
  const x1 = Math.min(image.width, Math.round(face.landmarks[16].x));
  const y0 = Math.max(0, Math.round(crownY));
  const y1 = Math.min(image.height, Math.round(hairline));
  const skinLab = rgbToLab(...skin);
  let foreign = 0;
  let n = 0;
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const i = y * image.width + x;
      // Well inside the person: the soft edge of the mask lets background show through thin hair.
      if (mask.data[i] < 0.8) continue;
      const r = image.data[i * 3];
      const g = image.data[i * 3 + 1];
      const b = image.data[i * 3 + 2];
      n++;
      if (isHair(r, g, b)) continue;
      const [l, a, bb] = rgbToLab(r, g, b);
      if (Math.hypot(l - skinLab[0], a - skinLab[1], bb - skinLab[2]) < SKIN_DELTA_E) continue;
      foreign++;
    }
  }
  const foreignShare = n ? foreign / n : 0;
  const tallness = Math.min(1, Math.max(0, (heightAboveHairline - MAX_HAIR_HEIGHT) / 0.6));
  return { score: Math.max(foreignShare, tallness), foreignShare, heightAboveHairline, pixels: n };
}

function isHair(r: number, g: number, b: number): boolean {
  const [hue, saturation, value] = rgbToHsv(r, g, b);
  if (value < DARK_HAIR_VALUE) return true;
  // Grey and white hair (no hue), and brown, auburn and blond hair (warm hues). A white or grey
  // covering therefore passes as hair: accepting grey-haired applicants matters more. Golden blond and
  // thin hair in warm light reach saturation 0.6–0.85 (compressToSpec's outputs of person-nicole and
  // LFW Vladimir_Putin_0002 failed at 0.65), so the warm hues count as hair up to 0.85: a tan or orange
  // cap now passes too, a red, blue or green one still fails.
  return saturation < 0.15 || (hue >= 15 && hue <= 50 && saturation < HAIR_MAX_SATURATION && value < 0.97);
}

export function checkHeadCovering(measure: HeadCoveringMeasure | undefined, spec: PhotoSpec): Check {
  const limit = { maxScore: spec.maxHeadCoveringScore };
  if (!measure) return skipped('headCovering', 'error', limit, SKIPPED_NO_FACE);
  const measured = {
    score: round(measure.score, 3),
    foreignShare: round(measure.foreignShare, 3),
    heightAboveHairline: round(measure.heightAboveHairline, 3),
  };
  const passed = measure.score <= spec.maxHeadCoveringScore;
  return result('headCovering', 'error', passed, measured, limit, passed
    ? { zh: '未发现帽子或头巾。', en: 'No head covering was seen.' }
    : { zh: '照片须免冠：请摘下帽子、头巾或兜帽后重新拍摄。', en: 'The photo must be bareheaded: remove any hat, cap, hood or scarf.' });
}

/** Mean colour of a set of pixels, for the skin reference. */
export function meanColour(image: RgbImage, rects: Array<{ x0: number; y0: number; x1: number; y1: number }>): Rgb {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (const rect of rects) {
    for (let y = Math.max(0, Math.round(rect.y0)); y < Math.min(image.height, Math.round(rect.y1)); y++) {
      for (let x = Math.max(0, Math.round(rect.x0)); x < Math.min(image.width, Math.round(rect.x1)); x++) {
        const i = (y * image.width + x) * 3;
        r += image.data[i];
        g += image.data[i + 1];
        b += image.data[i + 2];
        n++;
      }
    }
  }
  return n ? [r / n, g / n, b / n] : [0, 0, 0];
}

