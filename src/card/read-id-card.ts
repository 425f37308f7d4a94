/**
 * readIdCard: the second-generation resident identity card read from a photo. The text finds the card
 * and tells which way up it lies: the lines' long axes give the angle (a right-angle turn and a few
 * degrees of tilt), PP-OCR's direction classifier tells upright from upside down. The card's text area
 * is cut out levelled, its lines read (models/ocr.ts) and parsed by layout (fields.ts), the number
 * checked (id-number.ts), and the portrait found at the rotation the text gave (one detection).
 */
import { CALL_SCHEMA, type CallScope, scoped } from '../core/call-scope.js';
import { DEFAULTS as DEFAULT_VALUES } from '../core/defaults.js';
import { invalidArgument } from '../core/errors.js';
import { type Box, iou } from '../core/geometry.js';
import { type Schema, checkOptions, is, withDefaults } from '../core/options.js';
import { type Message, measuredFinding } from '../core/result.js';
import { round } from '../core/stats.js';
import { stageTimer } from '../core/timing.js';
import { type CardPortrait, findCardPortrait } from '../compare/card-portrait.js';
import { decodeImage } from '../compare/frames.js';
import { type RgbImage, cropRgb, fromRgb, toRgb } from '../image/decode.js';
import type { ImageInput } from '../image/input.js';
import { type DetectorName, detectFaces, resizeRgb } from '../models/detect.js';
import { type ReadChar, type TextLine, detectText, lineUpsideDown, recognitionColumns, recognizeLine, separateNeighbours } from '../models/ocr.js';
import { cardFields } from './fields.js';
import { parseIdNumber, recoverIdNumber } from './id-number.js';
import type { IdCardReading, IdCardReason, IdCardReasonCode, ReadIdCardOptions, ReadIdCardStage } from './types.js';

/** readIdCard's options' rules. */
export const CARD_READ_SCHEMA = {
  ...CALL_SCHEMA,
  now: { expected: 'a valid Date', test: (v: unknown) => v instanceof Date && !Number.isNaN(v.getTime()) },
  portrait: is.boolean,
  maxInputBytes: is.positiveInteger,
  maxPixels: is.positiveInteger,
} as const satisfies Schema;

const DEFAULTS = { ...DEFAULT_VALUES.image, ...DEFAULT_VALUES.card };
type Resolved = typeof DEFAULTS & ReadIdCardOptions;

// The photo is decoded at most this size: a card filling a third of a 12-MP photo keeps ~10 px strokes.
export const CARD_MAX_SIDE = 2048;
// Orientation is found on a view this size: the card's lines stay several pixels high.
const ORIENT_SIDE = 480;
// The levelled text area is cut out at most this size, and its lines recognised from it: the value
// lines come out ~30–40 px high.
const READ_SIDE = 1024;
// Its lines are detected on a view this size (boxes scaled back): lines ~20–25 px high, which DB finds
// as well, at 40% of the cost of the full crop.
const DETECT_SIDE = 640;
// A region is a line (for the angle and the card's extent) when it is this elongated.
const LINE_ELONGATION = 2.5;
// Tilts below this are not levelled: a resampling costs more than it gives.
const MIN_SKEW_DEG = 0.5;
// What is read of a picture's text, at most: a card has fewer than 20 text boxes and about 3,000 columns
// of recognition input (48-px-high line crops), both sides on a page twice that. A page of text that is no
// card stops here rather than run recognition for seconds (~0.08 ms a column).
const MAX_TEXT_BOXES = 40;
const MAX_RECOGNITION_COLUMNS = 6000;
// Lines voted on for upright or upside down: the longest, until three agree surely (at most five).
const DIRECTION_VOTES = 5;
const SURE_VOTES = 3;

// The portrait side's labels, top to bottom; this many of them missing is no card.
const PORTRAIT_LABELS = ['姓名', '性别', '民族', '出生', '住址', '公民身份号码'];
const LAYOUT_MISSING_ERROR = 3;

/** The ID card in a photo: which side, which way up, its fields, the number checked, the portrait's box. */
export async function readIdCard(image: ImageInput, options: ReadIdCardOptions = {}): Promise<IdCardReading> {
  const o: Resolved = withDefaults(DEFAULTS, checkOptions(options, CARD_READ_SCHEMA));
  return scoped('readIdCard', o, DEFAULTS.timeoutMs, async (scope) => {
    const { timings, lap } = stageTimer<ReadIdCardStage>(scope);
    const card = await decodeImage(image, CARD_MAX_SIDE, o);
    lap('decode');
    const { reading } = await readDecoded(card.image, card.scale, o, scope, lap);
    return { ...reading, timings: { ...timings, ...reading.timings } };
  });
}

/**
 * The reading of a decoded card, and the portrait found (for verifyApplicant, which embeds it rather
 * than searching the card again). `scale`: input pixels per decoded pixel.
 */
export async function readDecoded(
  image: RgbImage,
  scale: number,
  // `detector`: where no card's layout was read, the face search's (default UltraFace alone).
  o: { now?: Date; portrait?: boolean; detector?: DetectorName },
  scope?: CallScope,
  lap: (stage: ReadIdCardStage) => void = () => {},
): Promise<{ reading: IdCardReading; portrait?: CardPortrait; numberChars?: ReadChar[]; textLines: TextLine[]; facesOutside: number }> {
  const now = o.now ?? new Date();
  const reasons: IdCardReason[] = [];
  const orientation = await orient(image);
  lap('orient');
  let lines: TextLine[] = [];
  let rotation: IdCardReading['rotation'] = 0;
  if (orientation) {
    const read = await readLevelled(image, orientation, lap, scope);
    lines = read.lines;
    rotation = read.rotation;
  }
  const parsed = cardFields(lines, { now });
  const reading: IdCardReading = {
    side: parsed.side,
    rotation,
    skewDeg: orientation ? round(orientation.skewDeg, 1) : 0,
    fields: {},
    reasons,
    lines: lines.map((l) => ({ text: l.text, confidence: round(l.confidence, 3) })),
    timings: {},
  };
  for (const key of ['name', 'sex', 'ethnicity', 'birthDate', 'address', 'idNumber', 'authority', 'validFrom', 'validTo'] as const) {
    const field = parsed[key];
    if (field) (reading.fields as Record<string, unknown>)[key] = { value: field.value, confidence: round(field.confidence, 3) };
  }
  // A number read unsurely whose reading allows one valid number (the runner-up at an unsure character, the
  // printed birth date's digit) is that number; the result says so (ID_NUMBER_CORRECTED, a warning).
  const numberAsRead = parsed.idNumber && charsOf(lines, parsed.idNumber.value);
  const recovered = parsed.idNumberCheck && !parsed.idNumberCheck.valid && numberAsRead
    ? recoverIdNumber(numberAsRead, { birthDate: parsed.birthDate?.value, sex: parsed.sex?.value }, { now })
    : undefined;
  if (recovered && parsed.idNumber) {
    reasons.push(reason('ID_NUMBER_CORRECTED', 'warning', { read: parsed.idNumber.value, positions: recovered.positions }, { corrected: recovered.value }, {
      zh: `身份证号码识别不清，已按校验位和出生日期更正为 ${recovered.value}。`,
      en: `The ID number was read unsurely (${parsed.idNumber.value}); its check character and birth date make it ${recovered.value}.`,
    }));
    reading.fields.idNumber = { value: recovered.value, confidence: round(parsed.idNumber.confidence, 3) };
    const check = parseIdNumber(recovered.value, { now });
    parsed.idNumberCheck = { ...check, consistent: parsed.birthDate || parsed.sex ? true : null };
  }
  if (parsed.idNumberCheck) {
    const { reasons: numberReasons, ...number } = parsed.idNumberCheck;
    reading.idNumber = number;
    reasons.push(...numberReasons);
    if (number.consistent === false) {
      reasons.push(
        reason('ID_NUMBER_INCONSISTENT', 'error', { birthDate: reading.fields.birthDate?.value ?? null, sex: reading.fields.sex?.value ?? null }, { birthDate: number.birthDate, sex: number.sex }, {
          zh: '身份证上印的出生日期或性别与身份证号码不符。',
          en: 'The birth date or sex printed on the card does not agree with its ID number.',
        }),
      );
    }
  }

  let portrait: CardPortrait | undefined;
  let facesOutside = 0;
  // The portrait is searched on the portrait side, and on a card whose text could not be read (a face tells a card from a blank).
  if (o.portrait !== false && reading.side !== 'emblem') {
    const layout = orientation !== undefined && reading.side === 'portrait';
    const region = layout ? portraitRegion(orientation.corners, image, rotation) : undefined;
    // A portrait side read as one: the portrait only where its layout puts it (UltraFace, then SSD on that
    // region). A picture whose text is no card's, or that has none, gets UltraFace alone at the four rotations
    // (~40 ms), or the caller's detector (prepareCard: 'auto', SSD where UltraFace finds none).
    portrait = await findCardPortrait(image, { detector: layout ? 'auto' : (o.detector ?? 'ultraface'), rotation: lines.length > 0 ? rotation : undefined, region, strict: layout, scope });
    if (portrait) portrait = { ...portrait, onCard: layout };
    if (layout) {
      facesOutside = await otherFaces(image, rotation, portrait?.face.box);
      if (facesOutside > 0) {
        reasons.push(reason('FACE_OUTSIDE_CARD', 'warning', { faces: facesOutside }, { faces: 0 }, {
          zh: '图片中除身份证上的人像外还有其他人脸，比对只使用身份证上的人像。请只拍摄身份证本身，四角完整。',
          en: "There is a face in the picture besides the card's portrait; only the card's portrait is compared. Photograph the card alone, all four corners in view.",
        }));
      }
    }
    lap('portrait');
    if (portrait) {
      const b = portrait.face.box;
      reading.portrait = { box: { x: round(b.x * scale, 1), y: round(b.y * scale, 1), width: round(b.width * scale, 1), height: round(b.height * scale, 1) }, score: round(portrait.face.score, 3) };
      if (lines.length === 0) reading.rotation = portrait.rotation;
    }
  }

  if (reading.side === 'unknown') {
    if (lines.length === 0 && !portrait) {
      reasons.push(reason('CARD_NOT_FOUND', 'error', { textLines: 0, portrait: false }, {}, { zh: '图片中未找到身份证。请拍摄身份证人像面。', en: 'No ID card was found in the picture. Photograph the portrait side of the ID card.' }));
    } else {
      reasons.push(unreadable(lines.length, 'no field label or number'));
    }
  } else if (reading.side === 'portrait') {
    if (!reading.fields.idNumber) reasons.push(unreadable(lines.length, 'no 18-character ID number'));
    const { missing, outOfPlace } = parsed.layout;
    if (missing.length > 0 || outOfPlace.length > 0) {
      // Three labels of six not read, or one out of the card's order: paper with a name and a number on it, not a
      // card. One or two: a field under glare or a finger, which the host may let pass.
      const error = missing.length >= LAYOUT_MISSING_ERROR || outOfPlace.length > 0;
      reasons.push(reason('CARD_LAYOUT', error ? 'error' : 'warning', { missing, outOfPlace }, { labels: PORTRAIT_LABELS }, error
        ? { zh: '图片中的文字不符合身份证人像面的版式。请拍摄身份证原件的人像面。', en: "The picture's text is not laid out as an ID card's portrait side. Photograph the card itself, portrait side." }
        : { zh: `身份证上的“${missing.join('、')}”未能识别。请避开反光和遮挡重新拍摄。`, en: `The card's ${missing.join(', ')} could not be read. Photograph it again without glare or fingers over it.` }));
    }
    if (o.portrait !== false && !portrait) {
      reasons.push(reason('PORTRAIT_NOT_FOUND', 'warning', { portrait: false }, {}, { zh: '身份证上未找到人像。', en: 'No portrait was found on the ID card.' }));
    }
  } else {
    const to = reading.fields.validTo?.value;
    if (to && to !== '长期') {
      reading.expired = to < now.toISOString().slice(0, 10);
      if (reading.expired) {
        reasons.push(reason('CARD_EXPIRED', 'error', { validTo: to }, { now: now.toISOString().slice(0, 10) }, { zh: `身份证已过有效期（${to}）。`, en: `The ID card expired on ${to}.` }));
      }
    }
  }
  const numberChars = recovered && numberAsRead ? numberAsRead.map((c, i) => (recovered.positions.includes(i) ? { char: recovered.value[i]!, p: c.p } : c)) : reading.fields.idNumber && charsOf(lines, reading.fields.idNumber.value);
  return { reading, portrait, numberChars, textLines: lines, facesOutside };
}

// A face is another person's when UltraFace is this sure of it (its false faces on the cards' guilloche and
// emblem score lower) and it is not the portrait (boxes overlapping by less than this).
const OTHER_FACE_SCORE = 0.8;
const SAME_FACE_IOU = 0.3;

/**
 * Faces in the picture that are not the card's portrait: a person holding the card, a second card. Looked for
 * at the card's rotation and as the photo was taken (people stand upright in it), UltraFace only (~10–20 ms a view).
 */
async function otherFaces(image: RgbImage, rotation: IdCardReading['rotation'], portrait: Box | undefined): Promise<number> {
  let most = 0;
  for (const view of rotation === 0 ? [0] : [rotation, 0]) {
    const upright = view === 0 ? image : await toRgb(fromRgb(image).rotate(view));
    const own = portrait && (view === rotation ? portrait : unturnBox(portrait, image, rotation));
    const faces = await detectFaces(upright, { detector: 'ultraface', minConfidence: OTHER_FACE_SCORE, landmarks: false });
    most = Math.max(most, faces.filter((f) => !own || iou(f.box, own) < SAME_FACE_IOU).length);
  }
  return most;
}

/** A box of the image turned clockwise by `rotation`, in the image as given. */
function unturnBox(b: Box, image: RgbImage, rotation: IdCardReading['rotation']): Box {
  const [W, H] = [image.width, image.height];
  if (rotation === 90) return { x: b.y, y: H - b.x - b.width, width: b.height, height: b.width };
  if (rotation === 180) return { x: W - b.x - b.width, y: H - b.y - b.height, width: b.width, height: b.height };
  if (rotation === 270) return { x: W - b.y - b.height, y: b.x, width: b.height, height: b.width };
  return b;
}

/** The characters read (with their probabilities and runners-up) that make `value` on one line. */
function charsOf(lines: readonly TextLine[], value: string): ReadChar[] | undefined {
  for (const line of lines) {
    const chars = line.chars.filter((c) => c.char.trim() !== '');
    const at = chars.map((c) => c.char.toUpperCase()).join('').indexOf(value);
    if (at !== -1) return chars.slice(at, at + value.length);
  }
  return undefined;
}

/**
 * Where the portrait should be on the upright card: right of the middle of its text, from a little
 * above the text's top to below its middle (the portrait side's layout: the text spans the label column
 * to the number's end, the photo sits over the number's right half). Pixels of the image turned by `rotation`.
 */
function portraitRegion(corners: ReadonlyArray<{ x: number; y: number }>, image: RgbImage, rotation: IdCardReading['rotation']): Box {
  const turn = (p: { x: number; y: number }) =>
    rotation === 90 ? { x: image.height - p.y, y: p.x } : rotation === 180 ? { x: image.width - p.x, y: image.height - p.y } : rotation === 270 ? { x: p.y, y: image.width - p.x } : p;
  const points = corners.map(turn);
  const [x0, x1] = [Math.min(...points.map((p) => p.x)), Math.max(...points.map((p) => p.x))];
  const [y0, y1] = [Math.min(...points.map((p) => p.y)), Math.max(...points.map((p) => p.y))];
  const [w, h] = [x1 - x0, y1 - y0];
  return { x: x0 + 0.45 * w, y: y0 - 0.15 * h, width: 0.85 * w, height: 0.95 * h };
}

function unreadable(textLines: number, missing: string): IdCardReason {
  return reason('CARD_UNREADABLE', 'error', { textLines }, { missing }, {
    zh: '身份证文字无法识别。请在光线均匀处正对身份证重新拍摄，避免反光和模糊。',
    en: "The ID card's text could not be read. Photograph it again, square on, in even light, without glare or blur.",
  });
}

function reason(id: IdCardReasonCode, severity: 'error' | 'warning', measured: Record<string, unknown>, limit: Record<string, unknown>, message: Message): IdCardReason {
  return measuredFinding(id, severity, false, measured, limit, message);
}

interface Orientation {
  /** The angle of the lines, degrees clockwise in (−90, 90]: the image is turned by its opposite. */
  angleDeg: number;
  /** What remains of it after the nearest right angle. */
  skewDeg: number;
  /** The text's extent, pixels of the image, as four corners. */
  corners: Array<{ x: number; y: number }>;
}

/**
 * The direction the card's lines run, on a 640-px view: the area-weighted mean of the line regions'
 * axes (doubled angles, so that 89° and −89° agree), and the corners of the region they cover.
 * Undefined when the image has no text lines.
 */
async function orient(image: RgbImage): Promise<Orientation | undefined> {
  const k = Math.min(1, ORIENT_SIDE / Math.max(image.width, image.height));
  const view = k < 1 ? await resizeRgb(image, Math.max(1, Math.round(image.width * k)), Math.max(1, Math.round(image.height * k))) : image;
  const lines = (await detectText(view, { maxSide: ORIENT_SIDE })).filter((r) => r.elongation >= LINE_ELONGATION);
  if (lines.length === 0) return undefined;
  let [c, s] = [0, 0];
  for (const r of lines) {
    const w = r.width * r.height;
    c += w * Math.cos((r.angleDeg * Math.PI) / 90);
    s += w * Math.sin((r.angleDeg * Math.PI) / 90);
  }
  const angleDeg = (Math.atan2(s, c) * 90) / Math.PI;
  const skewDeg = angleDeg - 90 * Math.round(angleDeg / 90);
  const [x0, y0] = [Math.min(...lines.map((r) => r.x)) / k, Math.min(...lines.map((r) => r.y)) / k];
  const [x1, y1] = [Math.max(...lines.map((r) => r.x + r.width)) / k, Math.max(...lines.map((r) => r.y + r.height)) / k];
  return { angleDeg, skewDeg, corners: [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }] };
}

/**
 * The card's lines read: the image turned by −angle (lines level), the text area cut out with a margin
 * and brought to READ_SIDE, its lines detected (on a DETECT_SIDE view), turned 180° when the direction classifier says the
 * lines are upside down, then recognised.
 */
async function readLevelled(image: RgbImage, orientation: Orientation, lap: (stage: ReadIdCardStage) => void, scope?: CallScope): Promise<{ lines: TextLine[]; rotation: IdCardReading['rotation'] }> {
  const quarter = Math.round(orientation.angleDeg / 90) * 90;
  const turn = Math.abs(orientation.skewDeg) < MIN_SKEW_DEG ? -quarter : -orientation.angleDeg;
  // Only the text area (and a margin that the turn cannot carry it out of) is turned, not the whole photo.
  const around = boundsWithMargin(orientation.corners, image, 0.15);
  const source = turn === 0 ? image : await cropRgb(image, around);
  const corners = turn === 0 ? orientation.corners : orientation.corners.map((p) => ({ x: p.x - around.left, y: p.y - around.top }));
  const turned = turn === 0 ? image : await toRgb(fromRgb(source).rotate(turn, { background: { r: 255, g: 255, b: 255 } }));
  // The text area's corners in the turned image: turned about the centre, the canvas grown to hold it.
  const t = (turn * Math.PI) / 180;
  const [cx, cy, ncx, ncy] = [source.width / 2, source.height / 2, turned.width / 2, turned.height / 2];
  const moved = corners.map((p) => ({
    x: ncx + (p.x - cx) * Math.cos(t) - (p.y - cy) * Math.sin(t),
    y: ncy + (p.x - cx) * Math.sin(t) + (p.y - cy) * Math.cos(t),
  }));
  const area = boundsWithMargin(moved, turned, 0.08);
  const k = Math.min(1, READ_SIDE / Math.max(area.width, area.height));
  let card = await cropRgb(turned, area, k < 1 ? { width: Math.round(area.width * k), height: Math.round(area.height * k) } : undefined);
  scope?.check();
  let regions = await detectText(card, { maxSide: DETECT_SIDE });
  regions = regions.filter((r) => r.height >= 8 && r.width >= r.height * 0.6);
  // Upright or upside down: the longest lines vote.
  const voters = [...regions].sort((a, b) => b.width - a.width).slice(0, DIRECTION_VOTES);
  const votes: number[] = [];
  for (const r of voters) {
    scope?.check();
    votes.push(await lineUpsideDown(card, r));
    if (votes.length >= SURE_VOTES && (votes.every((p) => p > 0.9) || votes.every((p) => p < 0.1))) break;
  }
  const flipped = votes.length > 0 && votes.reduce((a, p) => a + p, 0) / votes.length > 0.5;
  if (flipped) {
    card = await toRgb(fromRgb(card).rotate(180));
    regions = regions
      .map((r) => ({ ...r, x: card.width - r.x - r.width, y: card.height - r.y - r.height, core: { left: card.width - r.core.right, right: card.width - r.core.left } }))
      .sort((a, b) => (Math.abs(a.y + a.height / 2 - (b.y + b.height / 2)) < Math.min(a.height, b.height) / 2 ? a.x - b.x : a.y - b.y));
  }
  regions = separateNeighbours(regions);
  lap('detect');
  const lines: TextLine[] = [];
  let columns = 0;
  for (const r of regions.slice(0, MAX_TEXT_BOXES)) {
    columns += recognitionColumns(r);
    if (columns > MAX_RECOGNITION_COLUMNS) break;
    scope?.check();
    const line = await recognizeLine(card, r);
    if (line.text.trim()) lines.push(line);
  }
  lap('recognize');
  const rotation = ((((flipped ? 180 : 0) - quarter) % 360) + 360) % 360;
  return { lines, rotation: rotation as IdCardReading['rotation'] };
}

/** The bounding box of the points, grown by `margin` of its size on every side, inside the image. */
function boundsWithMargin(points: ReadonlyArray<{ x: number; y: number }>, image: RgbImage, margin: number): { left: number; top: number; width: number; height: number } {
  const [x0, x1] = [Math.min(...points.map((p) => p.x)), Math.max(...points.map((p) => p.x))];
  const [y0, y1] = [Math.min(...points.map((p) => p.y)), Math.max(...points.map((p) => p.y))];
  const m = margin * Math.max(x1 - x0, y1 - y0);
  const left = Math.max(0, Math.floor(x0 - m));
  const top = Math.max(0, Math.floor(y0 - m));
  const right = Math.min(image.width, Math.ceil(x1 + m));
  const bottom = Math.min(image.height, Math.ceil(y1 + m));
  if (right - left < 1 || bottom - top < 1) throw invalidArgument('image', 'an image with pixels', image);
  return { left, top, width: right - left, height: bottom - top };
}
