import sharp from 'sharp';
import { type DetectedFace, type DetectorName, detectFaces, peopleInView } from '../models/detect.js';
import { faceGeometry } from '../models/face-geometry.js';
import { type PersonMask, segmentPerson } from '../models/segment.js';
import { toHex } from '../image/color.js';
import { type RgbImage, cropRgb, decodeRgb, fromRgb, readHeader, toRgb } from '../image/decode.js';
import { encodeJpegInBand } from '../image/encode.js';
import { type ImageInput, loadInput } from '../image/input.js';
import { sniffFormat } from '../image/sniff.js';
import { ErrorCode, VerifyError, invalidArgument } from '../core/errors.js';
import { DEFAULTS } from '../core/defaults.js';
import { checkOptions, is } from '../core/options.js';
import type { DeepPartial, PhotoSpec } from '../core/spec.js';
import { stageTimer } from '../core/timing.js';
import { round } from '../core/stats.js';
import type { Box, Point } from '../core/geometry.js';
import { type CallScope, scoped } from '../core/call-scope.js';
import type { CheckId, CompressStage, CompressToSpecOptions, CompressToSpecResult, PhotoValidation, RetakeCode, RetakeFinding } from './types.js';
import { BACKGROUND_PROBABILITY, measureBackground } from './checks/background.js';
import { shoulderRollDeg } from './checks/shoulders.js';
import { findCrown } from './checks/face.js';
import { cheekRects } from './checks/quality.js';
import { lumaStats } from '../image/measures.js';
import { resolveCommon } from './options.js';
import { PHOTO_SCHEMA, validatePhoto } from './validate-photo.js';


/** compressToSpec's options: validatePhoto's and its own. */
export const COMPRESS_SCHEMA = {
  ...PHOTO_SCHEMA,
  background: is.oneOf(['auto', 'replace', 'keep'] as const),
  backgroundColor: is.either(is.matching(/^#[0-9a-f]{6}$/i, "'#rrggbb'"), { expected: '[r, g, b] with 0–255 channels', test: (v) => Array.isArray(v) && v.length === 3 && v.every((c) => typeof c === 'number' && c >= 0 && c <= 255) }),
  maxUpscale: is.number(1),
  bothKilobyteReadings: is.boolean,
} as const;

// Eyes out of level by this much or more (degrees) are levelled before framing; less is noise of the landmarks.
const LEVEL_FROM_DEG = 2;
// How far a head is levelled when the shoulders do not both show: a photo turned as a whole (the
// tilted-head fixture, 14°, measured 15–17° by the eyes) is; a head lying on the shoulders at 44–49°
// (person-a.jpg, face-api's sample1) is not.
const LEVEL_BLIND_DEG = 25;
// The source is decoded at most this large (longer side): ample for a 480×640 photo, bounded memory.
const WORK_MAX_SIDE = 2560;
// Person probability mapped to alpha: below 0.2 background, above 0.8 person, a soft ramp between
// (the model's probability is itself soft at hair; a hard threshold would cut strands off).
const ALPHA_LOW = 0.2;
const ALPHA_HIGH = 0.8;

/**
 * Turns an ordinary photo into one that passes validatePhoto: one face found, framed by its landmarks
 * and crown so that every head-position measure lands mid-limit, background replaced where needed,
 * encoded to the spec's size, dpi and byte band. A face that cannot be fixed by editing (closed eyes,
 * a turned head) comes back with a report that says so.
 */
export async function compressToSpec(input: ImageInput, options: CompressToSpecOptions = {}): Promise<CompressToSpecResult> {
  options = checkOptions(options, COMPRESS_SCHEMA);
  const { spec, maxPixels, maxInputBytes } = resolveCommon(options);
  const detector = options.detector ?? DEFAULTS.compress.detector;
  const mode = options.background ?? DEFAULTS.compress.background;
  const colour = parseColour(options.backgroundColor ?? spec.background.references[0]?.rgb ?? [67, 142, 219]);
  const maxUpscale = options.maxUpscale ?? DEFAULTS.compress.maxUpscale;
  return scoped('compressToSpec', options, DEFAULTS.compress.timeoutMs, (scope) => compress(input, options, { spec, maxPixels, maxInputBytes, detector, mode, colour, maxUpscale }, scope));
}

interface Settings extends ReturnType<typeof resolveCommon> {
  mode: 'auto' | 'replace' | 'keep';
  colour: [number, number, number];
  maxUpscale: number;
}

async function compress(input: ImageInput, options: CompressToSpecOptions, { spec, maxPixels, maxInputBytes, detector, mode, colour, maxUpscale }: Settings, scope: CallScope): Promise<CompressToSpecResult> {
  const { timings, lap } = stageTimer<CompressStage>(scope);

  const { bytes } = await loadInput(input, { filename: options.filename, maxInputBytes });
  const format = sniffFormat(bytes);
  const header = await readHeader(bytes, format, maxPixels);
  lap('read');
  const decoded = await decodeRgb(bytes, format, maxPixels, WORK_MAX_SIDE, header, toHex(colour));
  const rotated = decoded.width > decoded.height !== header.width > header.height;
  // Source pixels per original pixel, along the width: framing and levelling keep this scale.
  const decodeScale = decoded.width / (rotated ? header.height : header.width);
  lap('decode');

  const detect = async (image: RgbImage) => theOneFace(await detectFaces(image, { detector, minConfidence: spec.minFaceConfidence, maxSide: 1280 }));
  let source = decoded;
  let face = await detect(source);
  // A head tilted in the picture's plane is levelled (the eyes made horizontal) before framing: the
  // pose check allows ±8° of roll, and real portraits lean up to ~35°. Turned or nodded heads cannot be.
  const roll = eyeRollDeg(face.landmarks);
  let levelledDeg = 0;
  // The person as the model sees them in the photo as it was, turned with it (below).
  let turnedMask: RgbImage | undefined;
  const sourceMask = Math.abs(roll) >= LEVEL_FROM_DEG ? await segmentPerson(source) : undefined;
  // Levelling the head turns the shoulders with it: only as far as they stay within spec.pose.maxShoulderRoll.
  // Shoulders that lean with the head (a photo taken askew) come out level; a head leaning on level
  // shoulders is not levelled past the limit, and the report's pose says to take the photo again
  // (person-a.jpg, 44°: turned whole, she lay across a diamond). Where the shoulders do not both show,
  // the head is levelled up to LEVEL_BLIND_DEG.
  const shoulders = sourceMask ? shoulderRollDeg(sourceMask, face) : undefined;
  const levels = shoulders === undefined ? Math.abs(roll) <= LEVEL_BLIND_DEG : Math.abs(shoulders - roll) <= spec.pose.maxShoulderRoll;
  if (sourceMask && levels) {
    const turned = await toRgb(fromRgb(source).rotate(-roll, { background: { r: colour[0], g: colour[1], b: colour[2] } }));
    turnedMask = await toRgb(fromRgb(asImage(sourceMask)).rotate(-roll, { background: { r: 0, g: 0, b: 0 } }));
    // The face turns with the picture: its points are turned the same way, not detected again (SSD ~0.6 s).
    face = turnFace(face, -roll, source, turned);
    source = turned;
    levelledDeg = round(-roll, 1);
  }
  lap('detect');

  // Crown: segment a generous window around the face, at a resolution the model can see hair in.
  const crownY = await locateCrown(source, face);
  if (crownY < 1) {
    throw new VerifyError(ErrorCode.HEAD_CUT_OFF, 'The top of the head touches the top edge of the photo: the head may be cut off, and the photo cannot be framed. Take it again with space above the head.', {
      details: { crownYPx: crownY },
    });
  }
  lap('segment');

  const W = spec.width;
  const H = spec.height;
  const chinY = faceGeometry(face.landmarks).chin.y;
  const centreX = (face.landmarks[0].x + face.landmarks[16].x) / 2;
  const headTarget = clamp(H - mid(spec.head.crownMarginPx) - mid(spec.head.chinMarginPx), spec.head.heightRatio[0] * H, spec.head.heightRatio[1] * H);
  const crownTarget = ((H - headTarget) * mid(spec.head.crownMarginPx)) / (mid(spec.head.crownMarginPx) + mid(spec.head.chinMarginPx));
  let scale = headTarget / Math.max(1, chinY - crownY);
  let box = { x: centreX - W / scale / 2, y: crownY - crownTarget / scale, width: W / scale, height: H / scale };
  // A frame that reaches past the source would be filled (a torso cut off straight above a band of
  // colour, a hard edge at one side): the framing that stays inside, within the limits, is taken instead.
  if (outside(box, source) > 0) ({ scale, box } = frameInside(source, crownY, chinY, centreX, spec, maxUpscale / decodeScale, { scale, box }));
  const kept = framingAlreadyFits(source, crownY, chinY, centreX, spec);
  if (kept) {
    scale = W / source.width;
    box = { x: 0, y: 0, width: source.width, height: source.height };
  }
  const upscale = scale * decodeScale;
  if (upscale > maxUpscale) {
    throw new VerifyError(
      ErrorCode.FACE_TOO_SMALL,
      `The face is too small in this photo: it would have to be enlarged ${upscale.toFixed(2)}× (at most ${maxUpscale}×) to fill ${W}×${H}. Take the photo closer, or use a larger original.`,
      { details: { upscale, maxUpscale, headHeightPx: (chinY - crownY) / decodeScale } },
    );
  }
  // The part of the frame that lies inside the source, at output scale. Segmentation runs on it
  // alone: a padded frame would show the model a photo-shaped rectangle, which it takes for a person.
  const inside = intersect(box, source);
  const part = await cut(source, inside, box, scale, W, H);
  lap('crop');

  // A levelled photo is segmented as it was taken, and the mask turned and cut with it: shown the turned
  // picture, its filled corners make a diamond the model takes for a person, room and all (person-a.jpg,
  // levelled 44°: only the corners were replaced, and validatePhoto passed the dark room as background).
  const mask = turnedMask ? asMask((await cut(turnedMask, inside, box, scale, W, H)).image) : await segmentPerson(part.image);
  let background: CompressToSpecResult['background'];
  let framed: RgbImage;
  let personMask: PersonMask | undefined;
  const measured = measureBackground(part.image, mask, spec);
  const passes =
    measured !== undefined &&
    measured.colourShare >= spec.background.minShare &&
    measured.unevennessDeltaE <= spec.background.maxUnevenness &&
    measured.nearest.deltaE <= spec.background.maxReferenceDeltaE;
  // A levelled photo's turned-in corners are filled with the colour: measured with the background they
  // make it look compliant, kept they show as wedges. It is replaced.
  if (mode === 'keep' || (mode === 'auto' && passes && levelledDeg === 0)) {
    background = { action: 'kept', reason: mode === 'keep' ? "option background: 'keep'" : `it already passes (${measured!.hex})`, colour: measured?.hex ?? 'unknown' };
    framed = part.padded ? await extendEdges(part.image, part.at, W, H) : part.image;
  } else {
    const person = personShare(mask, face, inside, scale);
    if (person < 0.3) {
      throw new VerifyError(ErrorCode.SEGMENTATION_FAILED, 'The person could not be separated from the background (the photo may be too dark or too flat). Take the photo in good, even light in front of a plain wall.', {
        details: { personShareInFace: person },
      });
    }
    replaceBackground(part.image, mask, colour, true);
    framed = part.padded ? paste(part.image, part.at, W, H, colour) : part.image;
    // Second pass on the composed photo, as validatePhoto will see it: whatever the model now calls
    // background (a neighbour's shoulder cut off at the frame, a halo) goes to the colour too.
    personMask = await segmentPerson(framed);
    replaceBackground(framed, personMask, colour);
    background = {
      action: 'replaced',
      reason: mode === 'replace' ? "option background: 'replace'" : levelledDeg !== 0 ? 'the photo was levelled: its corners are filled' : measured ? `it did not pass (${measured.hex}, ${Math.round(measured.colourShare * 100)}% of the spec's colour)` : 'no background was visible',
      colour: toHex(colour),
    };
  }
  // The light on the face, evened out where the exposure check would fail it (the person only: the
  // background keeps its colour). Landmarks follow the face into the frame.
  const inFrame = face.landmarks.map((p) => ({ x: (p.x - box.x) * scale, y: (p.y - box.y) * scale }));
  const light = relight(framed, inFrame, personMask ?? (await segmentPerson(framed)), spec);
  lap('background');

  const kb = options.bothKilobyteReadings ?? DEFAULTS.compress.bothKilobyteReadings ? [1000, 1024] : [spec.fileSize.kilobyte];
  const minBytes = Math.max(...kb.map((k) => spec.fileSize.minKB * k));
  const maxBytes = Math.min(...kb.map((k) => spec.fileSize.maxKB * k));
  const encoded = await encodeJpegInBand(framed, { minBytes, maxBytes, dpi: spec.dpi, progressive: false });
  if (!encoded) {
    throw new VerifyError(ErrorCode.SIZE_UNREACHABLE, `No JPEG quality puts this photo between ${minBytes} and ${maxBytes} bytes.`, { details: { minBytes, maxBytes } });
  }
  lap('encode');

  const report = await validatePhoto(encoded.buffer, { spec, filename: options.filename ?? `photo${spec.extensions[0] ?? '.jpg'}`, detector, signal: scope.signal, timeoutMs: scope.remainingMs() || 1 });
  lap('validate');
  return {
    retake: retakeReasons(report),
    light,
    buffer: encoded.buffer,
    report,
    quality: encoded.quality,
    encodes: encoded.encodes,
    background,
    framing: {
      sourceBox: { x: round(box.x, 1), y: round(box.y, 1), width: round(box.width, 1), height: round(box.height, 1) },
      scale: Math.round(upscale * 1000) / 1000,
      padded: part.padded,
      kept,
      levelledDeg,
    },
    timings,
  };
}

// Light corrections a retoucher would make and no more: a side made at most this much brighter or
// darker, the whole face at most this much. Beyond them the photo must be taken again (retake).
const MAX_SIDE_GAIN = 1.6;
const MAX_FACE_GAIN = 1.8;

/**
 * Evens the light on the person where the exposure check would fail it: the two cheeks brought towards
 * their mean along a horizontal ramp across the face (a fill light on the darker side), then the whole
 * face towards the middle of the spec's luma band when it lies near an end. Multiplies RGB (hue kept),
 * weighted by the person mask. Returns the gains used (1: none).
 */
function relight(image: RgbImage, landmarks: readonly Point[], mask: PersonMask, spec: PhotoSpec): CompressToSpecResult['light'] {
  const e = spec.exposure;
  const [leftRect, rightRect] = cheekRects(landmarks as Point[]);
  const left = lumaStats(image, leftRect);
  const right = lumaStats(image, rightRect);
  if (!left.pixels || !right.pixels || !(left.mean > 0) || !(right.mean > 0)) return { leftGain: 1, rightGain: 1, gain: 1 };
  let leftGain = 1;
  let rightGain = 1;
  // Corrected when past 60% of the limit: a photo at the limit's edge fails on the next encode's noise.
  if (Math.abs(left.mean - right.mean) > 0.6 * e.maxSideDifference) {
    const target = (left.mean + right.mean) / 2;
    leftGain = clamp(target / left.mean, 1 / MAX_SIDE_GAIN, MAX_SIDE_GAIN);
    rightGain = clamp(target / right.mean, 1 / MAX_SIDE_GAIN, MAX_SIDE_GAIN);
  }
  const mean = (left.mean * leftGain + right.mean * rightGain) / 2;
  const middle = (e.minFaceLuma + e.maxFaceLuma) / 2;
  const margin = 0.15 * (e.maxFaceLuma - e.minFaceLuma);
  const gain = mean < e.minFaceLuma + margin || mean > e.maxFaceLuma - margin ? clamp(middle / mean, 1 / MAX_FACE_GAIN, MAX_FACE_GAIN) : 1;
  if (leftGain === 1 && rightGain === 1 && gain === 1) return { leftGain, rightGain, gain };
  const x0 = (leftRect.x0 + leftRect.x1) / 2;
  const x1 = (rightRect.x0 + rightRect.x1) / 2;
  // The head and shoulders only: full within 1.5 face heights of the face's centre, none past 3. Whatever
  // the mask calls person further off (a neighbour, the frame's filled edge) keeps its light.
  const xs = landmarks.map((p) => p.x);
  const ys = landmarks.map((p) => p.y);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const faceHeight = Math.max(1, Math.max(...ys) - Math.min(...ys));
  const { data, width } = image;
  for (let i = 0; i < mask.data.length; i++) {
    const near = clamp((3 - Math.hypot((i % width) - cx, Math.floor(i / width) - cy) / faceHeight) / 1.5, 0, 1);
    const alpha = near * clamp((mask.data[i]! - ALPHA_LOW) / (ALPHA_HIGH - ALPHA_LOW), 0, 1);
    if (alpha === 0) continue;
    const t = clamp(((i % width) - x0) / Math.max(1, x1 - x0), 0, 1);
    const k = 1 + ((leftGain + (rightGain - leftGain) * t) * gain - 1) * alpha;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.min(255, Math.round(data[i * 3 + c]! * k));
  }
  return { leftGain: round(leftGain, 3), rightGain: round(rightGain, 3), gain: round(gain, 3) };
}

/** Area of `box` outside the source, as a share of the box. */
function outside(box: Box, source: { width: number; height: number }): number {
  const inside = intersect(box, source as RgbImage);
  return 1 - (inside.width * inside.height) / (box.width * box.height);
}

/**
 * The framing with the least of its area outside the source, searched within the inner 70% of each
 * head-position band (head height, crown margin, chin margin) and a third of the centring tolerance:
 * a larger head and a frame moved up or aside often keep the whole frame inside a tight source. The
 * given framing (mid-limit) wins ties, so what changes is only what had to.
 */
function frameInside(source: RgbImage, crownY: number, chinY: number, centreX: number, spec: PhotoSpec, maxScale: number, given: { scale: number; box: Box }): { scale: number; box: Box } {
  const W = spec.width;
  const H = spec.height;
  const inner = ([lo, hi]: readonly [number, number]) => [lo + 0.15 * (hi - lo), hi - 0.15 * (hi - lo)] as const;
  const [hMin, hMax] = inner([spec.head.heightRatio[0] * H, spec.head.heightRatio[1] * H]);
  const [cMin, cMax] = inner(spec.head.crownMarginPx);
  const [chMin, chMax] = inner(spec.head.chinMarginPx);
  const shiftMax = (spec.head.maxCentreOffset * W) / 3;
  const head = Math.max(1, chinY - crownY);
  let best = { ...given, cost: outside(given.box, source), distance: 0 };
  for (let i = 0; i <= 12; i++) {
    const hh = hMin + ((hMax - hMin) * i) / 12;
    const scale = hh / head;
    if (scale > maxScale) continue;
    for (let j = 0; j <= 12; j++) {
      const crown = cMin + ((cMax - cMin) * j) / 12;
      const chin = H - crown - hh;
      if (chin < chMin || chin > chMax) continue;
      // Moved aside towards the source's centre as far as the tolerance allows, where that helps.
      const width = W / scale;
      const centred = centreX - width / 2;
      const room = Math.min(Math.max(0, -centred), shiftMax / scale) - Math.min(Math.max(0, centred + width - source.width), shiftMax / scale);
      const box = { x: centred + room, y: crownY - crown / scale, width, height: H / scale };
      const cost = outside(box, source);
      const distance = Math.abs(hh - given.scale * head) + Math.abs(crown - (crownY - given.box.y) * given.scale);
      if (cost < best.cost - 0.002 || (Math.abs(cost - best.cost) <= 0.002 && distance < best.distance)) best = { scale, box, cost, distance };
    }
  }
  return { scale: best.scale, box: best.box };
}

/**
 * The face as it lies in the picture turned `degrees` clockwise about its centre onto the larger canvas
 * `to` (sharp's rotate): landmarks turned exactly, the box around its turned corners.
 */
function turnFace(face: DetectedFace, degrees: number, from: { width: number; height: number }, to: { width: number; height: number }): DetectedFace {
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const turn = (p: Point): Point => {
    const x = p.x - from.width / 2;
    const y = p.y - from.height / 2;
    return { x: x * cos - y * sin + to.width / 2, y: x * sin + y * cos + to.height / 2 };
  };
  const b = face.box;
  const corners = [turn({ x: b.x, y: b.y }), turn({ x: b.x + b.width, y: b.y }), turn({ x: b.x, y: b.y + b.height }), turn({ x: b.x + b.width, y: b.y + b.height })];
  const xs = corners.map((p) => p.x);
  const ys = corners.map((p) => p.y);
  // The box keeps its size (a turned box's bounding box is larger than the face), centred where the face went.
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  return { ...face, box: { x: cx - b.width / 2, y: cy - b.height / 2, width: b.width, height: b.height }, landmarks: face.landmarks.map(turn) };
}

/** Roll of the eye line, degrees: + when the right eye (image right) sits lower. */
function eyeRollDeg(landmarks: readonly Point[]): number {
  const centre = (from: number, to: number) => {
    const eye = landmarks.slice(from, to);
    return { x: eye.reduce((s, p) => s + p.x, 0) / eye.length, y: eye.reduce((s, p) => s + p.y, 0) / eye.length };
  };
  const left = centre(36, 42);
  const right = centre(42, 48);
  return (Math.atan2(right.y - left.y, right.x - left.x) * 180) / Math.PI;
}

const RETAKE: Partial<Record<CheckId, { id: RetakeCode; zh: string; en: string }>> = {
  pose: { id: 'POSE_NOT_FIXABLE', zh: '头部转向或俯仰无法通过编辑修正，请正对镜头重新拍摄。', en: 'A turned or nodding head cannot be fixed by editing: take the photo again facing the camera.' },
  eyesOpen: { id: 'EYES_CLOSED', zh: '闭眼无法通过编辑修正，请睁眼重新拍摄。', en: 'Closed eyes cannot be fixed by editing: take the photo again with your eyes open.' },
  sharpness: { id: 'TOO_BLURRY', zh: '照片模糊无法通过编辑修正，请对焦后重新拍摄。', en: 'A blurred photo cannot be fixed by editing: take it again in focus, holding still.' },
  exposure: { id: 'LIGHT_NOT_FIXABLE', zh: '面部光线问题无法通过编辑修正，请在正面均匀的光线下重新拍摄。', en: 'The light on the face cannot be fixed by editing: take the photo again in even light from the front.' },
  faceColour: { id: 'NOT_IN_COLOUR', zh: '黑白或单色照片无法通过编辑变为彩色，请拍摄彩色照片。', en: 'A black-and-white or toned photo cannot be made colour by editing: take a colour photo.' },
  headCovering: { id: 'HEAD_COVERED', zh: '请摘下帽子或头饰后重新拍摄。', en: 'Take the photo again without a hat or head covering.' },
};

/** The report's failed checks that only a new photo can fix, each saying so. */
function retakeReasons(report: PhotoValidation): RetakeFinding[] {
  return report.checks.flatMap((c) => {
    const retake = RETAKE[c.id];
    if (!retake || c.status !== 'failed' || c.severity !== 'error') return [];
    const { id, zh, en } = retake;
    return [{ ...c, id, check: c.id, message: { zh: `${c.message.zh} ${zh}`, en: `${c.message.en} ${en}` } } as RetakeFinding];
  });
}

function theOneFace(faces: DetectedFace[]): DetectedFace {
  if (faces.length === 0) {
    throw new VerifyError(ErrorCode.NO_FACE, 'No face was found in the photo. Use a photo that shows your whole face, looking at the camera.', { details: { faces: 0 } });
  }
  const main = faces[0]; // detectFaces sorts by size
  const people = peopleInView(faces);
  if (people.length > 1) {
    throw new VerifyError(ErrorCode.MULTIPLE_FACES, `${people.length} faces were found in the photo. Use a photo of yourself alone.`, { details: { faces: people.length } });
  }
  return main;
}

/** Top of the head, source pixels: from person segmentation of a window 4.2 face-heights tall around the face. */
async function locateCrown(source: RgbImage, face: DetectedFace): Promise<number> {
  const h = face.box.height * 4.2;
  const w = h * 0.75;
  const x0 = Math.max(0, Math.round(face.box.x + face.box.width / 2 - w / 2));
  const y0 = Math.max(0, Math.round(face.box.y - face.box.height * 1.4));
  const x1 = Math.min(source.width, Math.round(x0 + w));
  const y1 = Math.min(source.height, Math.round(y0 + h));
  const scale = Math.min(1, 768 / Math.max(x1 - x0, y1 - y0));
  const width = Math.max(1, Math.round((x1 - x0) * scale));
  const height = Math.max(1, Math.round((y1 - y0) * scale));
  const region = await cropRgb(source, { left: x0, top: y0, width: x1 - x0, height: y1 - y0 }, { width, height, kernel: 'linear' });
  const mask = await segmentPerson(region);
  const local: DetectedFace = {
    ...face,
    box: { x: (face.box.x - x0) * scale, y: (face.box.y - y0) * scale, width: face.box.width * scale, height: face.box.height * scale },
  };
  const crown = findCrown(mask, local);
  // No crown found above the face's middle: the head runs off the top of the source (or the model
  // lost it); take the window's top, so the frame keeps the whole visible head.
  return crown === undefined ? y0 : y0 + crown / scale;
}

/** The source already has the spec's aspect and its head sits within every head-position limit. */
function framingAlreadyFits(source: RgbImage, crownY: number, chinY: number, centreX: number, spec: PhotoSpec): boolean {
  if (Math.abs(source.width / source.height - spec.width / spec.height) > 0.01) return false;
  const k = spec.height / source.height;
  const crown = crownY * k;
  const chin = (source.height - chinY) * k;
  const ratio = (chinY - crownY) / source.height;
  const offset = Math.abs(centreX / source.width - 0.5);
  const within = (v: number, [lo, hi]: readonly [number, number]) => v >= lo && v <= hi;
  return crownY > 0 && within(crown, spec.head.crownMarginPx) && within(chin, spec.head.chinMarginPx) && within(ratio, spec.head.heightRatio) && offset <= spec.head.maxCentreOffset;
}

function intersect(box: Box, source: RgbImage): Box {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(source.width, box.x + box.width);
  const y1 = Math.min(source.height, box.y + box.height);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * The source pixels of `inside` resized to output scale, and where they sit in the W×H frame.
 * `padded` when the frame reaches past the source.
 */
async function cut(source: RgbImage, inside: Box, box: Box, scale: number, W: number, H: number) {
  const at = {
    x: Math.max(0, Math.round((inside.x - box.x) * scale)),
    y: Math.max(0, Math.round((inside.y - box.y) * scale)),
  };
  const width = Math.max(1, Math.min(W - at.x, Math.round(inside.width * scale)));
  const height = Math.max(1, Math.min(H - at.y, Math.round(inside.height * scale)));
  const left = Math.round(inside.x);
  const top = Math.round(inside.y);
  const data = await sharp(source.data, { raw: { width: source.width, height: source.height, channels: 3 } })
    .extract({
      left,
      top,
      width: Math.max(1, Math.min(source.width - left, Math.round(inside.width))),
      height: Math.max(1, Math.min(source.height - top, Math.round(inside.height))),
    })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const padded = at.x > 0 || at.y > 0 || width < W || height < H;
  return { image: { data, width, height } as RgbImage, at, padded };
}

/** A person mask as a grey RGB image (probability × 255), to be turned and cut as the picture is. */
function asImage(mask: PersonMask): RgbImage {
  const data = Buffer.alloc(mask.data.length * 3);
  for (let i = 0; i < mask.data.length; i++) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = Math.round(clamp(mask.data[i]!, 0, 1) * 255);
  return { data, width: mask.width, height: mask.height };
}

/** The mask back from its grey image. */
function asMask(image: RgbImage): PersonMask {
  const data = new Float32Array(image.width * image.height);
  for (let i = 0; i < data.length; i++) data[i] = image.data[i * 3]! / 255;
  return { data, width: image.width, height: image.height };
}

/** The part placed on a W×H canvas of `colour`. */
function paste(part: RgbImage, at: { x: number; y: number }, W: number, H: number, colour: readonly [number, number, number]): RgbImage {
  const data = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    data[i * 3] = colour[0];
    data[i * 3 + 1] = colour[1];
    data[i * 3 + 2] = colour[2];
  }
  for (let y = 0; y < part.height; y++) part.data.copy(data, ((at.y + y) * W + at.x) * 3, y * part.width * 3, (y + 1) * part.width * 3);
  return { data, width: W, height: H };
}

/** The part placed in the W×H frame with its edge pixels repeated outwards (a kept background continues). */
async function extendEdges(part: RgbImage, at: { x: number; y: number }, W: number, H: number): Promise<RgbImage> {
  const data = await sharp(part.data, { raw: { width: part.width, height: part.height, channels: 3 } })
    .extend({ left: at.x, top: at.y, right: W - at.x - part.width, bottom: H - at.y - part.height, extendWith: 'copy' })
    .raw()
    .toBuffer();
  return { data, width: W, height: H };
}

/** Share of the face box (mapped into the frame) that segmentation calls person. */
function personShare(mask: { data: Float32Array; width: number; height: number }, face: DetectedFace, box: Box, scale: number): number {
  const x0 = Math.max(0, Math.round((face.box.x - box.x) * scale));
  const y0 = Math.max(0, Math.round((face.box.y - box.y) * scale));
  const x1 = Math.min(mask.width, Math.round((face.box.x + face.box.width - box.x) * scale));
  const y1 = Math.min(mask.height, Math.round((face.box.y + face.box.height - box.y) * scale));
  let on = 0;
  let n = 0;
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      n++;
      if (mask.data[y * mask.width + x] >= 0.5) on++;
    }
  }
  return n ? on / n : 0;
}

/**
 * Composites the person over `colour` with a soft alpha ramp on the person probability. With `unmix`, the
 * old background is taken out of the edge's pixels rather than blended in: a pixel of the ramp is the
 * person's colour F and the old background's B mixed, I = tF + (1 − t)B; F and B are the means of the
 * clear person and the clear background within EDGE_RADIUS, t the pixel's place between them, and the
 * new background replaces B's share: I + (1 − t)(colour − B). Blended on the ramp alone, a red
 * background left a red line along the shoulder and the hair (the red-background fixture).
 */
function replaceBackground(image: RgbImage, mask: { data: Float32Array }, colour: readonly [number, number, number], unmix = false): void {
  const { data, width } = image;
  const height = mask.data.length / width;
  // The edge's colours are read from the picture as it was, not as this pass leaves it.
  const before = unmix ? Uint8Array.from(data) : data;
  for (let i = 0; i < mask.data.length; i++) {
    const a = clamp((mask.data[i] - ALPHA_LOW) / (ALPHA_HIGH - ALPHA_LOW), 0, 1);
    // The model's edge lies a pixel or two outside the person's: the old background's tint reaches past the ramp.
    if (a === 1 && !(unmix && mask.data[i] < UNMIX_BELOW)) continue;
    const mixed = unmix && a > 0 ? unmixed(before, mask.data, width, height, i, colour) : undefined;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = mixed ? mixed[c]! : Math.round(data[i * 3 + c] * a + colour[c] * (1 - a));
  }
}

// The neighbourhood the edge's person and background colours are taken from, pixels, and how far apart
// (RGB distance) they must be for a pixel's place between them to mean anything.
const EDGE_RADIUS = 6;
const MIN_EDGE_CONTRAST = 40;
const CLEAR_PERSON = 0.9;
const UNMIX_BELOW = 0.98;

/** Pixel `i` of the ramp with the old background's share replaced by `colour`; undefined where that cannot be told. */
function unmixed(data: Uint8Array, mask: Float32Array, width: number, height: number, i: number, colour: readonly [number, number, number]): number[] | undefined {
  const x = i % width;
  const y = (i - x) / width;
  const f = [0, 0, 0, 0];
  const b = [0, 0, 0, 0];
  for (let v = Math.max(0, y - EDGE_RADIUS); v <= Math.min(height - 1, y + EDGE_RADIUS); v++) {
    for (let u = Math.max(0, x - EDGE_RADIUS); u <= Math.min(width - 1, x + EDGE_RADIUS); u++) {
      const j = v * width + u;
      const m = mask[j]!;
      const into = m >= CLEAR_PERSON ? f : m < BACKGROUND_PROBABILITY ? b : undefined;
      if (!into) continue;
      into[0]! += data[j * 3]!;
      into[1]! += data[j * 3 + 1]!;
      into[2]! += data[j * 3 + 2]!;
      into[3]!++;
    }
  }
  if (f[3] === 0 || b[3] === 0) return undefined;
  const F = [f[0]! / f[3]!, f[1]! / f[3]!, f[2]! / f[3]!];
  const B = [b[0]! / b[3]!, b[1]! / b[3]!, b[2]! / b[3]!];
  const d = [F[0]! - B[0]!, F[1]! - B[1]!, F[2]! - B[2]!];
  const d2 = d[0]! ** 2 + d[1]! ** 2 + d[2]! ** 2;
  if (d2 < MIN_EDGE_CONTRAST ** 2) return undefined;
  const t = clamp(((data[i * 3]! - B[0]!) * d[0]! + (data[i * 3 + 1]! - B[1]!) * d[1]! + (data[i * 3 + 2]! - B[2]!) * d[2]!) / d2, 0, 1);
  return [0, 1, 2].map((c) => clamp(Math.round(data[i * 3 + c]! + (1 - t) * (colour[c]! - B[c]!)), 0, 255));
}

function parseColour(value: readonly [number, number, number] | string): [number, number, number] {
  if (typeof value === 'string') {
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(value);
    if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
  } else if (Array.isArray(value) && value.length === 3 && value.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
    return [value[0], value[1], value[2]];
  }
  throw invalidArgument('options.backgroundColor', "an [r, g, b] array of integers 0–255 or '#rrggbb'", value);
}

const mid = ([lo, hi]: readonly [number, number]) => (lo + hi) / 2;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
