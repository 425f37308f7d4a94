/** The photos the photo evaluations share, and how each is made into a compliant 480×640 upload. */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { HUBEI_EXAM_PHOTO as SPEC } from '../src/core/spec.js';
import { decodeRgb } from '../src/image/decode.js';
import { encodeJpegInBand } from '../src/image/encode.js';
import { sniffFormat } from '../src/image/sniff.js';
import { detectFaces } from '../src/models/detect.js';
import type { CheckId } from '../src/photo/types.js';
import { readLabels } from './data.js';

// Set B of eval:validate: photos whose labels (notes in asia/labels.csv) name a defect, and the check that must catch it.
export const KNOWN_DEFECTS: Record<string, CheckId> = {
  'asia/insightface/cpp-package/inspireface/test_res/data/reaction/close_eyes.jpeg': 'eyesOpen',
  'asia/insightface/cpp-package/inspireface/test_res/data/reaction/close_open_eyes.jpeg': 'eyesOpen',
  'asia/insightface/cpp-package/inspireface/test_res/data/pose/left_face.jpeg': 'pose',
  'asia/insightface/cpp-package/inspireface/test_res/data/pose/right_face.png': 'pose',
  'asia/insightface/cpp-package/inspireface/test_res/data/pose/lower_face.jpeg': 'pose',
  'asia/insightface/cpp-package/inspireface/test_res/data/pose/left_wryneck.png': 'pose',
  'asia/insightface/cpp-package/inspireface/test_res/data/bulk/blur.jpg': 'sharpness',
};
export const REAL_ID_PHOTOS = [
  'asia/ID_photo_background_color/test.jpg',
  'asia/IDPhotos/figures/image.jpg',
  'asia/IDPhotos/figures/blue.jpg',
  'asia/IDPhotos/figures/white.jpg',
  'asia/IDPhotos/figures/red.jpg',
];
// faces/hivision/assets/demoImage.jpg holds four ID photos side by side (red, blue gradient, white, grey).
export const HIVISION_STRIP = 'faces/hivision/assets/demoImage.jpg';

/**
 * The ordinary single-face photos of the data (set A of eval:validate): faces and singles, no copies, no
 * AT&T crops, no spoofs, none with a known defect and none of the real ID photos; the first `limit`.
 */
export function ordinaryPhotos(limit = Infinity) {
  const ordinary = readLabels()
    .filter(
      (r) =>
        (r.kind === 'face' || r.kind === 'single') &&
        !r.dupOf &&
        r.source !== 'att_faces' && // 92×112 greyscale crops: nothing to frame at 480×640
        !/spoof|near-duplicate/i.test(r.note) &&
        !(r.relative in KNOWN_DEFECTS) &&
        !REAL_ID_PHOTOS.includes(r.relative),
    )
    .slice(0, limit);
  return { ordinary, REAL_ID_PHOTOS, HIVISION_STRIP, KNOWN_DEFECTS };
}

/** Frames the photo around its largest face (3:4, head about half the height) and encodes it to spec. */
export async function makeCompliant(path: string): Promise<Buffer | undefined> {
  const bytes = readFileSync(path);
  const image = await decodeRgb(bytes, sniffFormat(bytes), 1e8);
  const [face] = await detectFaces(image, { detector: 'ssd', maxSide: 800, minConfidence: 0.5 });
  let h: number;
  let top: number;
  let cx: number;
  if (face) {
    h = Math.min(image.height, (image.width * 4) / 3, face.box.height * 2.9);
    cx = face.box.x + face.box.width / 2;
    top = face.box.y - 0.35 * face.box.height - 0.1 * h;
  } else {
    h = Math.min(image.height, (image.width * 4) / 3);
    cx = image.width / 2;
    top = (image.height - h) / 2;
  }
  const w = Math.round((h * 3) / 4);
  h = Math.round(h);
  const left = Math.round(Math.min(Math.max(0, cx - w / 2), image.width - w));
  top = Math.round(Math.min(Math.max(0, top), image.height - h));
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width: w, height: h })
    .resize(SPEC.width, SPEC.height, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const encoded = await encodeJpegInBand({ data, width: SPEC.width, height: SPEC.height }, { minBytes: 24 * 1024, maxBytes: 36 * 1024, dpi: 300 });
  return encoded?.buffer;
}

export async function resizedAsIs(bytes: Buffer, extract?: { left: number; top: number; width: number; height: number }): Promise<Buffer | undefined> {
  let pipeline = sharp(bytes).rotate();
  if (extract) pipeline = pipeline.extract(extract);
  const { data, info } = await pipeline.resize(SPEC.width, SPEC.height, { fit: 'cover', position: 'centre' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return (await encodeJpegInBand({ data, width: info.width, height: info.height }, { minBytes: 24 * 1024, maxBytes: 36 * 1024, dpi: 300 }))?.buffer;
}

