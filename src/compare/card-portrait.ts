/** The portrait on an ID card photographed at any of the four right-angle rotations. */
import type { CallScope } from '../core/call-scope.js';
import type { Box } from '../core/geometry.js';
import { type RgbImage, cropRgb, fromRgb, toRgb } from '../image/decode.js';
import { type DetectedFace, type DetectorName, detectFaces } from '../models/detect.js';
import { alignFace, embedOne } from '../models/embed.js';
import { withLandmarks } from './face.js';

export interface CardPortrait {
  face: DetectedFace;
  rotation: 0 | 90 | 180 | 270;
  /** The aligned 112×112 crop. */
  crop: RgbImage;
  /** Length of the face's raw embedding: high for an upright face (embed.ts). */
  norm: number;
  /** Found where a card's layout, read, puts the portrait (readIdCard); false or absent: the image's most plausible face. */
  onCard?: boolean;
}

// Raw embedding length of an upright, aligned face: ~3.4–4.0; a face turned 90° or 180°: ~1.5–2.3.
const UPRIGHT_NORM = 3;
// The card portrait's face is under half the text area's height (a 26 × 32 mm photo on a 54 mm card, its
// text 40 mm tall); a face much larger than that, in the region, belongs to whoever holds the card.
const PORTRAIT_MAX_HEIGHT = 0.65;

/**
 * The portrait on a card photographed at any of the four right-angle rotations. Face detectors fire on
 * faces turned 90°, and landmark networks always return an upright-looking face, so neither tells the
 * right way up; the embedding's length does. The upright view is tried first and kept when its face
 * is confident and its embedding long; otherwise the four views are compared. Given `rotation` (the
 * card's text read that way up), that view is tried first and a face found there is taken.
 */
export async function findCardPortrait(
  image: RgbImage,
  // 'face-api' aligns from face-api's 68-point net as before fr_landmark, for eval/compare-faces.ts's comparison.
  o: {
    detector: DetectorName;
    landmarks?: 'fr_landmark' | 'face-api';
    scope?: CallScope;
    rotation?: 0 | 90 | 180 | 270;
    region?: Box;
    /**
     * With `region` and `rotation` (a card's layout read): the portrait is looked for there alone, by UltraFace
     * then SSD, and a face taller than PORTRAIT_MAX_HEIGHT of the region is not it. No face elsewhere is ever taken:
     * a person holding someone else's card is not that card's portrait.
     */
    strict?: boolean;
  },
): Promise<CardPortrait | undefined> {
  const faceApi = o.landmarks === 'face-api';
  let best: (CardPortrait & { plausibility: number }) | undefined;
  const consider = async (upright: RgbImage, faces: readonly DetectedFace[], rotation: CardPortrait['rotation'], detector: DetectorName) => {
    for (const candidate of faces.slice(0, 3)) {
      o.scope?.check();
      const refined = await refine(upright, candidate, detector, faceApi);
      const face = faceApi ? refined : await withLandmarks(upright, refined);
      const crop = await alignFace(upright, face.landmarks);
      const { norm } = await embedOne(crop);
      const plausibility = Math.min(1, face.score + 0.2) * norm;
      if (!best || plausibility > best.plausibility) best = { face, rotation, crop, norm, plausibility };
    }
  };
  // Where the card's layout puts the portrait (readIdCard: right of the text, at the rotation the text
  // gave): UltraFace on that region alone sees the face 2–3× larger than on the whole photo.
  const strict = o.strict === true && o.region !== undefined && o.rotation !== undefined;
  if (o.region && o.rotation !== undefined && !faceApi && (strict || (o.detector !== 'ssd' && o.detector !== 'tiny'))) {
    const upright = o.rotation === 0 ? image : await rotate(image, o.rotation);
    const left = Math.max(0, Math.floor(o.region.x));
    const top = Math.max(0, Math.floor(o.region.y));
    const width = Math.min(upright.width, Math.ceil(o.region.x + o.region.width)) - left;
    const height = Math.min(upright.height, Math.ceil(o.region.y + o.region.height)) - top;
    if (width >= 32 && height >= 32) {
      const crop = await cropRgb(upright, { left, top, width, height });
      const maxHeight = PORTRAIT_MAX_HEIGHT * o.region.height;
      // UltraFace (~10 ms) first; SSD (~0.3 s) on the region only when it finds nothing and the layout is sure.
      for (const detector of strict ? (['ultraface', 'ssd'] as const) : (['ultraface'] as const)) {
        const found = await detectFaces(crop, { detector, minConfidence: detector === 'ssd' ? 0.4 : 0.5, landmarks: false, maxSide: 1024 });
        const shifted = found
          .filter((f) => !strict || f.box.height <= maxHeight)
          .map((f) => ({ ...f, box: { ...f.box, x: f.box.x + left, y: f.box.y + top }, landmarks: f.landmarks.map((p) => ({ x: p.x + left, y: p.y + top })) }));
        await consider(upright, shifted, o.rotation, detector);
        if (best) {
          const { plausibility: _, ...portrait } = best;
          return portrait;
        }
      }
    }
    if (strict) return undefined;
  }
  // 'auto': UltraFace at every rotation first (~10 ms a view), SSD (~0.3–0.9 s a view) only when UltraFace
  // found no face at any. Given the text's rotation (readIdCard), SSD looks at that view alone, once (no
  // padded retry: the portrait never fills the card): the search's cost stays bounded on a page that is no card.
  const passes: DetectorName[] = o.detector === 'auto' ? ['ultraface', 'ssd'] : [o.detector];
  for (const detector of passes) {
    // The rotation the card's text gives (readIdCard) is tried first, and a face found there is kept.
    const all = [0, 90, 270, 180] as const;
    const order = o.rotation === undefined ? all : detector === 'ssd' ? [o.rotation] : [o.rotation, ...all.filter((r) => r !== o.rotation)];
    for (const rotation of order) {
      o.scope?.check();
      const upright = rotation === 0 ? image : await rotate(image, rotation);
      // The whole card at 1024 px: a portrait on a card that fills a 12 MP photo is ~90 px wide there.
      const faces = await detectFaces(upright, { detector, minConfidence: 0.4, maxSide: 1024, landmarks: faceApi, padded: o.rotation === undefined });
      await consider(upright, faces, rotation, detector);
      if (best && o.rotation !== undefined && best.rotation === o.rotation) break;
      if (best && best.rotation === 0 && best.face.score >= 0.7 && best.norm >= UPRIGHT_NORM) break;
    }
    if (best) break;
  }
  if (!best) return undefined;
  const { plausibility: _, ...portrait } = best;
  return portrait;
}

/** A small face found on a reduced view is found again on its own region at full resolution, for a tighter box. */
async function refine(image: RgbImage, face: DetectedFace, detector: DetectorName, landmarks: boolean): Promise<DetectedFace> {
  const side = Math.max(face.box.width, face.box.height);
  // The detector saw the card at 1024 px (SSD), or letterboxed into 320×240 (UltraFace).
  const scaleAtDetection = Math.min(1, (detector === 'ultraface' ? 320 : 1024) / Math.max(image.width, image.height));
  if (side * scaleAtDetection >= 160 || scaleAtDetection === 1) return face;
  const m = side * 0.8;
  const left = Math.max(0, Math.floor(face.box.x - m));
  const top = Math.max(0, Math.floor(face.box.y - m));
  const width = Math.min(image.width, Math.ceil(face.box.x + face.box.width + m)) - left;
  const height = Math.min(image.height, Math.ceil(face.box.y + face.box.height + m)) - top;
  const found = await detectFaces(await cropRgb(image, { left, top, width, height }), { detector, minConfidence: 0.3, landmarks });
  const again = found[0];
  if (!again) return face;
  return {
    box: { ...again.box, x: again.box.x + left, y: again.box.y + top },
    score: Math.max(again.score, face.score),
    landmarks: again.landmarks.map((p) => ({ x: p.x + left, y: p.y + top })),
  };
}

async function rotate(image: RgbImage, degrees: 90 | 180 | 270): Promise<RgbImage> {
  return toRgb(fromRgb(image).rotate(degrees));
}

