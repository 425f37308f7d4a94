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
import { type Box, area, corners, enclosingBox, iou, pointsBox } from '../core/geometry.js';
import { type Schema, checkOptions, is, withDefaults } from '../core/options.js';
import { type Message, measuredFinding } from '../core/result.js';
import { round } from '../core/stats.js';
import { stageTimer } from '../core/timing.js';
import { type CardPortrait, findCardPortrait } from '../compare/card-portrait.js';
import { decodeImage } from '../compare/frames.js';
import { type RgbImage, cropRgb, fromRgb, toRgb } from '../image/decode.js';
import type { ImageInput } from '../image/input.js';
import { type DetectedFace, type DetectorName, detectFaces, resizeRgb } from '../models/detect.js';
import { type ReadChar, type TextLine, type TextRegion, detectText, recognisedCharacters, lineUpsideDown, recognitionColumns, recognizeLine, separateNeighbours } from '../models/ocr.js';
import { type Homography, type Point, project, warp } from '../image/warp.js';
import { cardOutline, fitsCard, keystoneDeg, squaring } from './card-outline.js';
import { cardArea, edgeBlur, glareShare, impliedTextBox, portraitPlace, screenPattern, sidesOutOfFrame, skinShare, textAtEdge } from './card-quality.js';
import { ETHNIC_GROUPS, isStampText, withoutStamps } from './card-text.js';
import { CARD_LABELS, type CardFields, type CardLayout, type LabelPlace, cardFields, labelPlaces, withLabels } from './fields.js';
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
// The portrait side has at least this many lines (name, sex, birth, address, number and their labels); fewer,
// over less than this share of the picture, is a card too small to see at 480 px.
const CARD_LINES = 6;
const SMALL_TEXT = 0.1;

/** The area of the regions' bounding box. */
const textArea = (regions: readonly TextRegion[]) => (regions.length === 0 ? 0 : area(enclosingBox(regions)));
// Two directions of lines this far apart (degrees) are two texts, not one card's lines on a bent card; the
// second is read too when it weighs this much of the first.
const DIRECTION_APART = 16;
const SECOND_DIRECTION_WEIGHT = 0.25;
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

/** What readDecoded gives: the reading, and the portrait found (for verifyApplicant, which embeds it rather than searching the card again). */
export interface DecodedReading {
  reading: IdCardReading;
  portrait?: CardPortrait;
  numberChars?: ReadChar[];
  textLines: TextLine[];
  facesOutside: number;
}

// A card whose outline's opposite edges are this many degrees apart or more was photographed at an angle: it is
// squared through its outline and read again. Square on, the found edges are within ~1° of parallel.
export const KEYSTONE_MIN_DEG = 2.5;
// The squared card is drawn this wide (px; not wider than its outline's longest edge in the image), with this
// share of its width around it: its text comes out as large as the levelled crop of a card filling the photo.
const SQUARED_WIDTH = 1200;
const SQUARED_MARGIN = 0.05;

/**
 * The reading of a decoded card. A portrait side photographed at an angle (its outline a quadrilateral, not a
 * rectangle: KEYSTONE_MIN_DEG) is squared through its outline and read again, and that reading kept unless its
 * layout reads worse. `scale`: input pixels per decoded pixel.
 */
export async function readDecoded(
  photo: RgbImage,
  scale: number,
  // `detector`: where no card's layout was read, the face search's (default UltraFace alone).
  o: { now?: Date; portrait?: boolean; detector?: DetectorName },
  scope?: CallScope,
  lap: (stage: ReadIdCardStage) => void = () => {},
): Promise<DecodedReading> {
  let image = photo;
  let first = await readText(image, o, scope, lap);
  // A photo of a screen: its pixel grid, measured on the photo over the card's text (or the text found, or the
  // middle of the picture). A card it keeps from being read whole is read again with the grid blurred away.
  const w = [photo.width, photo.height];
  const middle = [{ x: 0.25 * w[0]!, y: 0.25 * w[1]! }, { x: 0.75 * w[0]!, y: 0.25 * w[1]! }, { x: 0.75 * w[0]!, y: 0.75 * w[1]! }, { x: 0.25 * w[0]!, y: 0.75 * w[1]! }];
  const faults: Faults = { screen: screenPattern(photo, first.textBlock ?? first.orientation?.corners ?? middle), descreened: false };
  if (faults.screen !== undefined && faults.screen > SCREEN_LIMIT && layoutRank(first.parsed) < WHOLE_CARD) {
    const soft = await toRgb(fromRgb(photo).blur(DESCREEN_SIGMA));
    const again = await readText(soft, o, scope, lap);
    if (layoutRank(again.parsed) > layoutRank(first.parsed)) [image, first, faults.descreened] = [soft, again, true];
  }
  const quad = first.outline;
  const square = quad && squaring(quad, Math.min(SQUARED_WIDTH, longestEdge(quad)), SQUARED_MARGIN);
  if (!quad || !square || !first.textBlock) return finishReading(first, image, scale, o, scope, lap, faults);
  const keystone = keystoneDeg(quad);
  const outline = (squared: boolean) => ({ corners: quad.map((p) => ({ x: round(p.x * scale, 1), y: round(p.y * scale, 1) })), keystoneDeg: round(keystone, 1), squared });
  // An outline is the card's when the text lies on it where the portrait side puts it; an edge found on the hand
  // holding the card, or on a sleeve, is not, and is not reported.
  if (keystone >= KEYSTONE_MIN_DEG) {
    const raster = warp({ data: image.data, width: image.width, height: image.height, channels: 3 }, square.toImage, square.width, square.height, [128, 128, 128]);
    const squared = { data: raster.data as Buffer, width: raster.width, height: raster.height };
    lap('square');
    const frame: Frame = { image, toImage: square.toImage, quad, rotation: first.rotation, skewDeg: first.orientation ? round(first.orientation.skewDeg, 1) : 0 };
    const second = await readText(squared, o, scope, lap, frame);
    if (second.textBlock && fitsCard(pointsBox(second.textBlock), square) && layoutRank(second.parsed) >= layoutRank(first.parsed)) {
      const done = await finishReading(second, squared, scale, o, scope, lap, faults, frame);
      return { ...done, reading: { ...done.reading, outline: outline(true) } };
    }
    return finishReading(first, image, scale, o, scope, lap, faults);
  }
  const done = await finishReading(first, image, scale, o, scope, lap, faults);
  return fitsCard(pointsBox(first.textBlock.map((p) => project(square.fromImage, p))), square) ? { ...done, reading: { ...done.reading, outline: outline(false) } } : done;
}

const longestEdge = (quad: readonly Point[]) => Math.max(...quad.map((p, i) => Math.hypot(quad[(i + 1) % 4]!.x - p.x, quad[(i + 1) % 4]!.y - p.y)));

/** What the photo was found to be before its card was read: its screen pattern, and whether it was blurred away to read the card. */
interface Faults {
  screen?: number;
  descreened: boolean;
}

// A photo of a screen (or of a print's halftone): a peak of the patches' mean spectrum more than this many times
// its neighbourhood (seed 7's 84 cards photographed themselves 4.6 at most; its 8 screens 12.4 at least). A grid
// it measures is blurred away with this σ (px) before the card is read again: the grid's period in a photo is
// ≤ ~2 px, the card's strokes wider.
const SCREEN_LIMIT = 8;
const DESCREEN_SIGMA = 1.2;
// A portrait side read whole: its six labels in place and a valid number.
const WHOLE_CARD = 7;

/** How well a reading is a card's: its labels in place, and a valid number. */
const layoutRank = (f: CardFields) => f.layout.found.length - f.layout.outOfPlace.length + (f.idNumberCheck?.valid === true ? 1 : 0);

/** A squared card's place in the photo: the homography from the squared picture to the photo, the card's outline there, and the photo's rotation and skew as first read. */
interface Frame {
  image: RgbImage;
  toImage: Homography;
  quad: Point[];
  rotation: IdCardReading['rotation'];
  skewDeg: number;
}

/** The card's text as read from one picture (the photo, or the card squared from it), before its checks. */
interface TextReading {
  orientation?: Orientation;
  lines: TextLine[];
  rotation: IdCardReading['rotation'];
  parsed: CardFields;
  /** The levelled crop of the photo the lines were read from: its own pixels, also where a stamp was whitened to read them. */
  levelled?: RgbImage;
  toImage?: (q: Point) => Point;
  /** The portrait side's text block in the picture read: its levelled box's corners. */
  textBlock?: Point[];
  /** The card's outline in the photo (not looked for on a squared card). */
  outline?: Point[];
}

/** The text of one picture of the card read and parsed: the photo itself, or (`frame`) the card squared from it. */
async function readText(image: RgbImage, o: { now?: Date }, scope: CallScope | undefined, lap: (stage: ReadIdCardStage) => void, frame?: Frame): Promise<TextReading> {
  const now = o.now ?? new Date();
  // A squared card is the card alone: its lines are one place's (a short address leaves the number further below it
  // than the places' gap).
  const directions = await orient(image, frame !== undefined);
  lap('orient');
  let orientation = directions[0];
  let lines: TextLine[] = [];
  let rotation: IdCardReading['rotation'] = 0;
  let parsed = cardFields([], { now });
  let levelled: RgbImage | undefined;
  // The crop the lines were read on, where that is not the photo's own (a stamp whitened).
  let inked: RgbImage | undefined;
  let toImage: ((q: { x: number; y: number }) => { x: number; y: number }) | undefined;
  // The lines' main direction is read first. A second direction (text stamped across the card at a slant,
  // 仅供报名使用 repeated) is read too when the first gives no card's side, or fewer of its labels: the card's
  // own text is the text that reads as a card.
  // Where a stamp was seen (a second direction, or a stamp's words read), it is read again in each direction with
  // the stamp's ink taken away (withoutStamp), and that reading kept unless its layout reads worse.
  const better = (fields: CardFields) => fields.layout.found.length - fields.layout.outOfPlace.length > parsed.layout.found.length - parsed.layout.outOfPlace.length;
  const whole = () => parsed.side !== 'unknown' && parsed.layout.missing.length === 0 && parsed.layout.outOfPlace.length === 0 && parsed.idNumberCheck?.valid === true;
  const reads: Array<{ direction: Orientation; read: Awaited<ReturnType<typeof readLevelled>>; fields: CardFields }> = [];
  for (const direction of directions) {
    const read = await readLevelled(image, direction, lap, scope);
    const fields = cardFields(read.lines, { now });
    reads.push({ direction, read, fields });
    if (direction === directions[0] || better(fields)) [orientation, lines, rotation, parsed, levelled, toImage] = [direction, read.lines, read.rotation, fields, read.card, read.toImage];
    if (whole()) break;
  }
  // A page with both cards apart (a photocopy): the other side is another place's text. Read, the two are
  // parsed together (the other's lines set below the first's), the portrait side's place kept for its portrait.
  const joinOtherSide = async (inkOnly: boolean, done: Read[], among: readonly Orientation[] = directions, from: RgbImage = image) => {
    if ((parsed.side !== 'portrait' && parsed.side !== 'emblem') || parsed.bothSides) return;
    const other = parsed.side === 'portrait' ? 'emblem' : 'portrait';
    for (const direction of among) {
      if (direction === orientation) continue;
      let r = done.find((d) => d.direction === direction);
      if (!r) {
        const read = await readLevelled(from, direction, lap, scope, inkOnly, image);
        done.push((r = { direction, read, fields: cardFields(read.lines, { now }) }));
      }
      if (r.fields.side !== other) continue;
      const mine = { direction: orientation!, read: { lines, rotation, card: inked ?? levelled!, photo: levelled!, toImage: toImage! } };
      const [front, back] = other === 'emblem' ? [mine, r] : [r, mine];
      const below = Math.max(...front.read.lines.map((l) => l.box.y + l.box.height)) + BETWEEN_SIDES;
      const joined = [...front.read.lines, ...back.read.lines.map((l) => ({ ...l, box: { ...l.box, y: l.box.y + below } }))];
      const both = cardFields(joined, { now });
      if (!both.bothSides) continue;
      [orientation, lines, rotation, parsed, levelled, toImage] = [front.direction, joined, front.read.rotation, both, front.read.photo, front.read.toImage];
      inked = front.read.card === front.read.photo ? undefined : front.read.card;
      return;
    }
  };
  await joinOtherSide(false, reads);
  const stamped = directions.length > 1 || lines.some((l) => isStampText(l.text) || withoutStamps(l.text).removed);
  // The card's values read from its dark print alone, the stamp taken away with the light labels, and its labels
  // looked for where the values put them: kept unless it reads worse than what follows. Also where the text read as
  // no card's side at all: a stamp within DIRECTION_APART of the card's lines levels them at neither's angle.
  // A stamp's own signs (its words read, its lines at another angle), not a second place: a page of text in many
  // places would pay for a reading that finds no stamp.
  const stampSeen = lines.some((l) => isStampText(l.text) || withoutStamps(l.text).removed) || directions.some((d) => anglesApart(d.angleDeg, directions[0]!.angleDeg) >= DIRECTION_APART / 2);
  const printed = orientation && (stampSeen || parsed.side === 'unknown') && !parsed.bothSides ? await darkPrintReading(image, frame !== undefined, lap, scope, now) : undefined;
  const take = (r: Read) => ([orientation, lines, rotation, parsed, levelled, inked, toImage] = [r.direction, r.read.lines, r.read.rotation, r.fields, r.read.photo, r.read.card, r.read.toImage]);
  // Where the emblem side's words were read too, or the dark print is text in two places or holds the emblem side's
  // values (a stamped page of both sides: its authority and validity are printed dark too), the readings that
  // follow are made all the same: they read its other side with the stamp's faint ink whitened, which the dark
  // print has not.
  const otherSide = reads.some((r) => r.fields.side === 'emblem') || lines.some((l) => EMBLEM_WORDS.test(l.text)) || (printed !== undefined && (printed.places > 1 || printed.read.lines.some((l) => EMBLEM_VALUES.test(l.text))));
  if (printed && !otherSide && (layoutRank(printed.fields) >= WHOLE_CARD || fieldsRank(printed.fields) - layoutRank(printed.fields) >= ALL_FIELDS)) take(printed);
  else if (orientation && stamped && !parsed.bothSides) {
    // The stamp's own slant may have been taken for the card's: each direction is read with the stamp taken away.
    const rank = layoutRank(parsed);
    const inkReads: Read[] = [];
    let best: Read | undefined;
    for (const direction of [orientation, ...directions.filter((d) => d !== orientation)]) {
      const read = await readLevelled(image, direction, lap, scope, true);
      const r: Read = { direction, read, fields: cardFields(read.lines, { now }) };
      inkReads.push(r);
      if (layoutRank(r.fields) >= rank && (!best || layoutRank(r.fields) > layoutRank(best.fields))) best = r;
      if (best && layoutRank(best.fields) >= WHOLE_CARD) break;
    }
    if (best) {
      [orientation, lines, rotation, parsed, levelled, inked, toImage] = [best.direction, best.read.lines, best.read.rotation, best.fields, best.read.photo, best.read.card, best.read.toImage];
      // A stamped page of both sides: its other side read with the stamp taken away too.
      await joinOtherSide(true, inkReads);
    }
    // A stamp dense enough to set the lines' directions (a page stamped all over): the directions found again
    // with the stamp taken away from the whole photo, and the card read in those.
    if (!parsed.bothSides && layoutRank(parsed) < WHOLE_CARD) {
      const clean = withoutStamp(image);
      const cleanDirections = await orient(clean, frame !== undefined);
      lap('orient');
      const cleanReads: Read[] = [];
      let found: Read | undefined;
      for (const direction of cleanDirections) {
        const read = await readLevelled(clean, direction, lap, scope, false, image);
        const r: Read = { direction, read, fields: cardFields(read.lines, { now }) };
        cleanReads.push(r);
        if (layoutRank(r.fields) > layoutRank(found?.fields ?? parsed)) found = r;
        if (found && layoutRank(found.fields) >= WHOLE_CARD) break;
      }
      if (found) {
        [orientation, lines, rotation, parsed, levelled, inked, toImage] = [found.direction, found.read.lines, found.read.rotation, found.fields, found.read.photo, found.read.card, found.read.toImage];
        await joinOtherSide(false, cleanReads, cleanDirections, clean);
      }
    }
    if (printed && !parsed.bothSides && fieldsRank(printed.fields) >= fieldsRank(parsed)) take(printed);
  }
  // A stamped page of both sides whose stamp set the lines' only direction: the dark print's places are the two
  // sides. Its portrait side is taken where nothing read better, and the other read there with the stamp's
  // faint ink whitened: a place at least OTHER_SIDE_AREA as large as the portrait side's (a stamp's darker
  // remains on one card are smaller, and not read).
  const sides = printed && printed.places > 1 && !parsed.bothSides ? printed.directions.filter((d) => d !== printed.direction && quadArea(d.corners) >= OTHER_SIDE_AREA * quadArea(printed.direction.corners)) : [];
  if (printed && sides.length > 0) {
    if (fieldsRank(printed.fields) > fieldsRank(parsed)) take(printed);
    await joinOtherSide(true, [], sides);
  }
  if (levelled && parsed.ethnicitySource) {
    const listed = await ethnicityFromList(inked ?? levelled, parsed.ethnicitySource);
    if (listed) parsed.ethnicity = listed;
  }
  const tb = parsed.textBox;
  const textBlock = tb && toImage ? corners(tb).map(toImage) : undefined;
  // The outline is looked for on the photo's portrait side alone (a squared card is not squared again).
  const outline = !frame && parsed.side === 'portrait' && !parsed.bothSides && tb && toImage && levelled ? cardOutline(image, tb, ownLines(lines, tb, levelled), toImage) : undefined;
  return { orientation, lines, rotation, parsed, levelled, toImage, textBlock, outline };
}

/** A direction's reading: its lines read from the levelled crop, and the fields parsed from them. */
type Read = { direction: Orientation; read: Awaited<ReturnType<typeof readLevelled>>; fields: CardFields };

// A page's other side, as large as a card's text: at least this share of the portrait side's place.
const OTHER_SIDE_AREA = 0.3;

/** A polygon's area (the shoelace formula). */
const quadArea = (q: ReadonlyArray<{ x: number; y: number }>) => Math.abs(q.reduce((a, p, i) => a + p.x * q[(i + 1) % q.length]!.y - q[(i + 1) % q.length]!.x * p.y, 0)) / 2;

// The emblem side's own words, and its values (an authority, a validity's dates).
const EMBLEM_WORDS = /签发机关|有效期限|居民身份证|中华人民共和国/;
const EMBLEM_VALUES = /公安局|分局|\d{4}[.\-]\d{2}[.\-]\d{2}/;
// A portrait side's five fields read and a number they agree with (fieldsRank less layoutRank).
const ALL_FIELDS = 6;

/** How much of a portrait side a reading gives: its layout's rank, each field read, a number the printed birth date and sex agree with. */
const fieldsRank = (f: CardFields) => layoutRank(f) + (['name', 'sex', 'ethnicity', 'birthDate', 'address'] as const).filter((k) => f[k] !== undefined).length + (f.idNumberCheck?.consistent === true ? 1 : 0);

/**
 * The card read from its dark print (darkPrint): the directions found without the stamp, the values read from the
 * dark print in each (the first two at most), and the labels looked for where the values put them (fields.ts
 * labelPlaces) on the same crop with the stamp's faint ink whitened: a label is there when the recogniser finds it
 * LIST_MARGIN likelier than any other label and than nothing. The best reading and how many places the dark print's
 * text is in, or undefined where it has none.
 */
async function darkPrintReading(image: RgbImage, onePlace: boolean, lap: (stage: ReadIdCardStage) => void, scope: CallScope | undefined, now: Date): Promise<(Read & { places: number; directions: Orientation[] }) | undefined> {
  const levels = inkLevels(image);
  const directions = await orient(darkPrint(image, levels), onePlace, true);
  lap('orient');
  let best: Read | undefined;
  for (const direction of directions.slice(0, 2)) {
    const values = await readLevelled(image, direction, lap, scope, levels);
    const faint = withoutStamp(values.photo, levels);
    const candidates = [...CARD_LABELS, ''];
    const labels: Array<LabelPlace & { confidence: number }> = [];
    const places = labelPlaces(values.lines).map((p) => ({ ...p, confidence: 1 }));
    const obscured: string[] = [];
    for (const place of places) {
      scope?.check();
      const { scores } = await recognizeLine(faint, place.box, candidates);
      const own = scores![candidates.indexOf(place.label)]!;
      const other = Math.max(...scores!.filter((_, i) => candidates[i] !== place.label));
      // Put back where its ink is: the label column's own left edge, as a label read in the dark print has it.
      if (own - other >= LIST_MARGIN) labels.push({ ...place, box: inked(faint, place.box, levels).span, confidence: 1 / (1 + Math.exp(other - own)) });
      else if (inked(values.photo, place.box, levels).share >= INKED_PLACE) obscured.push(place.label);
    }
    lap('recognize');
    // The fields from every value in its place (its role in the rows); the layout from the labels printed there.
    const lines = withLabels(values.lines, places);
    // The side is the labels' too: values in a card's rows with none of its labels found (a passport's) are no card's side.
    const confirmed = cardFields(withLabels(values.lines, labels), { now });
    if (confirmed.side !== 'portrait') continue;
    const { layout } = confirmed;
    const fields = { ...cardFields(lines, { now }), layout: { ...layout, obscured: obscured.filter((l) => layout.missing.includes(l)) } };
    const r: Read = { direction, read: { ...values, lines: lines as TextLine[] }, fields };
    if (!best || fieldsRank(r.fields) > fieldsRank(best.fields)) best = r;
    if (layoutRank(best.fields) >= WHOLE_CARD || fieldsRank(best.fields) - layoutRank(best.fields) >= ALL_FIELDS) break;
  }
  return best && { ...best, places: directions.length, directions };
}

/** The reading's checks (the number, the layout, the portrait, the photo's faults) on the text read from `image`. */
async function finishReading(
  text: TextReading,
  image: RgbImage,
  scale: number,
  o: { now?: Date; portrait?: boolean; detector?: DetectorName },
  scope: CallScope | undefined,
  lap: (stage: ReadIdCardStage) => void,
  faults: Faults,
  frame?: Frame,
): Promise<DecodedReading> {
  const now = o.now ?? new Date();
  const reasons: IdCardReason[] = [];
  const { orientation, lines, rotation, parsed, levelled, toImage } = text;
  const reading: IdCardReading = {
    side: parsed.side,
    rotation,
    skewDeg: orientation ? round(orientation.skewDeg, 1) : 0,
    fields: {},
    reasons,
    lines: lines.map((l) => ({ text: l.text, confidence: round(l.confidence, 3) })),
    timings: {},
  };
  if (parsed.bothSides) reading.bothSides = true;
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
    // The region from the portrait side's own text (its labels and number), in the image: not the whole
    // picture's text, which on a page with both sides, or beside a sign, is more than the card's.
    const b = parsed.textBox && impliedTextBox(parsed.textBox, parsed.layout.rows);
    const around = b && toImage ? corners(b).map(toImage) : orientation?.corners;
    const region = layout && around ? portraitRegion(around, image, rotation) : undefined;
    // A portrait side read as one: the portrait only where its layout puts it (UltraFace, then SSD on that
    // region). A picture whose text is no card's, or that has none, gets UltraFace alone at the four rotations
    // (~40 ms), or the caller's detector (prepareCard: 'auto', SSD where UltraFace finds none).
    // Without a card's layout the text's rotation is no guide (a passport's Latin lines): the face's four views decide.
    portrait = await findCardPortrait(image, { detector: layout ? 'auto' : (o.detector ?? 'ultraface'), rotation: layout ? rotation : undefined, region, strict: layout, scope });
    if (portrait) portrait = { ...portrait, onCard: layout };
    // Found on the squared card: its face given in the photo (turned by the photo's rotation, as a portrait found there is).
    if (portrait && frame) portrait = { ...portrait, rotation: frame.rotation, face: mapFace(portrait.face, (p) => turnPoint(project(frame.toImage, unturnPoint(p, image, rotation)), frame.image, frame.rotation)) };
    if (layout) {
      facesOutside = frame ? await otherFaces(frame.image, frame.rotation, insideOutline(frame.quad, frame.image)) : await otherFaces(image, rotation, isPortrait(portrait?.face.box, image, rotation));
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
      if (!layout && !frame) reading.rotation = portrait.rotation;
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
      const obscured = parsed.layout.obscured ?? [];
      // A label under a stamp is not counted missing, while half of them are read.
      const read = PORTRAIT_LABELS.length - missing.length;
      const error = missing.filter((l) => !obscured.includes(l)).length >= LAYOUT_MISSING_ERROR || read < LAYOUT_MISSING_ERROR || outOfPlace.length > 0;
      reasons.push(reason('CARD_LAYOUT', error ? 'error' : 'warning', { missing, outOfPlace, ...(obscured.length > 0 && { obscured }) }, { labels: PORTRAIT_LABELS }, error
        ? { zh: '图片中的文字不符合身份证人像面的版式。请拍摄身份证原件的人像面。', en: "The picture's text is not laid out as an ID card's portrait side. Photograph the card itself, portrait side." }
        : { zh: `身份证上的“${missing.join('、')}”未能识别。请避开反光和遮挡重新拍摄。`, en: `The card's ${missing.join(', ')} could not be read. Photograph it again without glare or fingers over it.` }));
    }
    if (o.portrait !== false && !portrait) {
      reasons.push(reason('PORTRAIT_NOT_FOUND', 'warning', { portrait: false }, {}, { zh: '身份证上未找到人像。', en: 'No portrait was found on the ID card.' }));
    }
  }
  // A card is colour: its tinted print, blue labels and photo. A grey one is a photocopy (or a scan made grey).
  if (reading.side !== 'unknown' && levelled) {
    const chroma = meanChroma(levelled);
    if (chroma < PHOTOCOPY_CHROMA) {
      reasons.push(reason('CARD_PHOTOCOPY', 'warning', { chroma: round(chroma, 1) }, { minChroma: PHOTOCOPY_CHROMA }, {
        zh: '上传的像是身份证的黑白复印件，不是身份证本身。请拍摄身份证原件，四角完整。',
        en: 'This looks like a black-and-white copy of the card, not the card itself. Photograph the card itself, all four corners in view.',
      }));
    }
  }
  if (reading.side === 'emblem' || reading.bothSides) {
    const to = reading.fields.validTo?.value;
    if (to && to !== '长期') {
      reading.expired = to < now.toISOString().slice(0, 10);
      if (reading.expired) {
        reasons.push(reason('CARD_EXPIRED', 'error', { validTo: to }, { now: now.toISOString().slice(0, 10) }, { zh: `身份证已过有效期（${to}）。`, en: `The ID card expired on ${to}.` }));
      }
    }
  }
  // Measured against the photo: a squared card's levelled crop maps through the squaring to it.
  const toPhoto = toImage && frame ? (p: Point) => project(frame.toImage, toImage!(p)) : toImage;
  if (levelled && toPhoto && !reading.bothSides) reading.quality = photoQuality(reading, reading.side === 'portrait' ? parsed.textBox : undefined, levelled, lines, toPhoto, frame?.image ?? image, faults, reading.side === 'portrait' ? parsed.layout.rows : undefined, portrait && { box: portrait.face.box, rotation: frame ? frame.rotation : rotation }, frame?.quad ?? text.outline);
  if (faults.screen !== undefined) {
    reading.quality = { ...reading.quality, screen: round(faults.screen, 1) };
    if (faults.screen > SCREEN_LIMIT) {
      reasons.push(reason('CARD_SCREEN', 'warning', { screen: round(faults.screen, 1) }, { maxScreen: SCREEN_LIMIT }, {
        zh: '上传的像是翻拍的屏幕或打印件，不是身份证原件。请直接拍摄身份证原件。',
        en: 'This looks like a photo of a screen or of a printed copy, not of the card itself. Photograph the card itself.',
      }));
    }
  }
  if (frame) Object.assign(reading, { rotation: frame.rotation, skewDeg: frame.skewDeg });
  // The number's characters as read (recovered ones replaced), for telling a misread from another number.
  const numberChars = recovered && numberAsRead ? numberAsRead.map((c, i) => (recovered.positions.includes(i) ? { char: recovered.value[i]!, p: c.p } : c)) : numberAsRead;
  return { reading, portrait, numberChars, textLines: lines, facesOutside };
}

// Limits of the photo's faults, set on the card corpus' seed 7 (reported on seeds 11 and 13). Blur: edges wider
// than this share of the line boxes' height (cards without blur measured 0.07–0.154, the small cards in a
// holder's hand highest; cards blurred 2.5–5 px from 0.172).
const BLUR_LIMIT = 0.16;
// A finger: a solid blob of skin over more than this share of the text block (see skinShare; seed 7's cards
// without a finger measured 0.011 at most, its fingers over the text block 0.02 and up).
const FINGER_LIMIT = 0.015;
// The text block's height on the card (mm): its millimetre in pixels.
const TEXT_BLOCK_MM = 42;
// Glare: more than this share of the card outside its portrait washed out (see glareShare): 25 mm² of the ~3,800
// counted, a square as big as a field's character (5 mm), chosen on seed 7. Its cards without glare
// measured 0.0078 at most (a sheen along the top edge of a card in a holder's hand, raised), the rest 0.0036 at
// most; its glare cards 0.0101 and up.
const GLARE_LIMIT = 0.0065;

// The card's outline drawn in by this share toward its centre (~2 mm of its 54-mm height) before a finger is looked for inside it.
const OUTLINE_INSET = 0.04;
// A line counts as cut by the frame (textAtEdge) when read at least this sure: not a guess at the desk's texture.
const EDGE_LINE_CONFIDENCE = 0.6;

/** The quadrilateral drawn toward its centroid by `share` of each corner's distance. */
function inset(quad: readonly Point[], share: number): Point[] {
  const c = { x: quad.reduce((a, p) => a + p.x, 0) / quad.length, y: quad.reduce((a, p) => a + p.y, 0) / quad.length };
  return quad.map((p) => ({ x: c.x + (p.x - c.x) * (1 - share), y: c.y + (p.y - c.y) * (1 - share) }));
}

/** The boxes of the lines inside the text block (of the card read, not the other side set below it). */
function ownLines(lines: readonly TextLine[], textBox: Box, card: RgbImage): Box[] {
  const inside = (b: Box) => b.x + b.width > textBox.x && b.x < textBox.x + textBox.width && b.y + b.height > textBox.y && b.y < textBox.y + textBox.height;
  return lines.map((l) => l.box).filter((b) => b.y + b.height <= card.height && b.x + b.width <= card.width && inside(b));
}

/** The photo's faults measured on the portrait side's text block, each a warning past its limit. */
function photoQuality(
  reading: IdCardReading,
  textBox: Box | undefined,
  levelled: RgbImage,
  lines: readonly TextLine[],
  toImage: (q: { x: number; y: number }) => { x: number; y: number },
  image: RgbImage,
  faults: Faults,
  rows: CardLayout['rows'],
  // The portrait found: its face's box in the photo turned by `rotation`.
  portrait: { box: Box; rotation: IdCardReading['rotation'] } | undefined,
  // The card's outline in the photo, where it was found.
  outline?: readonly Point[],
): NonNullable<IdCardReading['quality']> {
  const own = lines.map((l) => l.box).filter((b) => b.y + b.height <= levelled.height && b.x + b.width <= levelled.width);
  // A card read with a screen's grid blurred away is not measured for the blur that was added.
  const blur = faults.descreened ? undefined : edgeBlur(levelled, own);
  const inPhoto = (x: number, y: number) => {
    const p = toImage({ x, y });
    return p.x >= 0 && p.y >= 0 && p.x <= image.width - 1 && p.y <= image.height - 1;
  };
  // A finger: over the text block, as high as the card prints it (its width as read: the block implied past a cut
  // side would reach the table), or where no layout was read, over the lines found.
  const implied = textBox && impliedTextBox(textBox, rows);
  const block = textBox && implied ? { ...implied, x: textBox.x, width: textBox.width } : own.length > 0 ? enclosingBox(own) : undefined;
  // The portrait's photo is a face's skin: left out around the face found (3 times its box, the photo's size), or by the layout.
  const face = portrait && { x: portrait.box.x - portrait.box.width, y: portrait.box.y - portrait.box.height, width: 3 * portrait.box.width, height: 3 * portrait.box.height };
  const onFace = (x: number, y: number) => {
    const p = turnPoint(toImage({ x, y }), image, portrait!.rotation);
    return p.x >= face!.x && p.x <= face!.x + face!.width && p.y >= face!.y && p.y <= face!.y + face!.height;
  };
  const mm = block && block.height / TEXT_BLOCK_MM;
  const byLayout = block && portraitPlace(block, mm!);
  // Over the whole card where its outline was found (its edges' border too: a finger from the edge over the number
  // may reach no 5-mm square into the text block), else over the text block; the table the card lies on (wood is
  // skin's colour) never.
  const card = outline && textBox && implied ? inset(outline, OUTLINE_INSET) : undefined;
  const faultArea = card ? cardArea(block!, mm!) : block;
  const offCard = (x: number, y: number) => card !== undefined && !insideQuad(toImage({ x, y }), card);
  const ignore = (x: number, y: number) => !inPhoto(x, y) || offCard(x, y) || (face ? onFace(x, y) : byLayout!(x, y));
  const finger = block ? skinShare(levelled, faultArea!, mm!, ignore) : undefined;
  // Glare over the same area: a spot washes out the number as readily as a field.
  const glare = block ? glareShare(levelled, faultArea!, mm!, ignore) : undefined;
  const outOfFrame = textBox ? sidesOutOfFrame(impliedTextBox(textBox, rows), own, toImage, image) : [];
  // Without the portrait side's text block to place the card by (no side or layout read, or the emblem side),
  // the lines the frame cuts. With it, the card it implies (a line at the frame beside it may be a shirt's print).
  const sure = textBox ? [] : lines.filter((l) => l.text.length > 0 && l.confidence >= EDGE_LINE_CONFIDENCE).map((l) => l.box);
  const atEdge = textAtEdge(sure, toImage, image);
  if (blur !== undefined && blur > BLUR_LIMIT) {
    reading.reasons.push(reason('CARD_BLURRED', 'warning', { blur: round(blur, 3) }, { maxBlur: BLUR_LIMIT }, {
      zh: '身份证照片模糊。请对焦后重新拍摄，保持手机稳定。',
      en: 'The photo of the card is blurred. Photograph it again, in focus, holding the phone still.',
    }));
  }
  if (glare !== undefined && glare > GLARE_LIMIT) {
    reading.reasons.push(reason('CARD_GLARE', 'warning', { glare: round(glare, 3) }, { maxGlare: GLARE_LIMIT }, {
      zh: '身份证上有反光，部分文字看不清。请避开灯光直射重新拍摄。',
      en: 'Glare covers part of the card. Photograph it again out of direct light.',
    }));
  }
  if (outOfFrame.length > 0 || atEdge.length > 0) {
    const [measured, limit] = outOfFrame.length > 0 ? [{ outOfFrame }, { outOfFrame: [] }] : [{ textAtEdge: atEdge }, { textAtEdge: [] }];
    reading.reasons.push(reason('CARD_CUT_OFF', 'warning', measured, limit, {
      zh: '身份证边缘不完整。请重新拍摄，使身份证四角完整地在画面内。',
      en: "The card's edge is outside the picture. Photograph it again with all four corners in view.",
    }));
  }
  if (finger !== undefined && finger > FINGER_LIMIT) {
    reading.reasons.push(reason('CARD_FINGER', 'warning', { finger: round(finger, 3) }, { maxFinger: FINGER_LIMIT }, {
      zh: '手指遮挡了身份证上的文字。请重新拍摄，不要遮挡身份证。',
      en: "A finger covers part of the card's text. Photograph it again without covering the card.",
    }));
  }
  return { ...(finger !== undefined && { finger: round(finger, 3) }), ...(blur !== undefined && { blur: round(blur, 3) }), ...(glare !== undefined && { glare: round(glare, 4) }), ...(textBox && { outOfFrame }), ...(atEdge.length > 0 && { textAtEdge: atEdge }) };
}

// A face is another person's when UltraFace is this sure of it (its false faces on the cards' guilloche and
// emblem score lower) and it is not the portrait (boxes overlapping by less than this).
const OTHER_FACE_SCORE = 0.8;
const SAME_FACE_IOU = 0.3;

/**
 * Faces in the picture that are not the card's own (`onCard`, given a face's box in the view and the view): a person
 * holding the card, a second card. Looked for
 * at the card's rotation and as the photo was taken (people stand upright in it), UltraFace only (~10–20 ms a view).
 */
async function otherFaces(image: RgbImage, rotation: IdCardReading['rotation'], onCard: (face: Box, view: IdCardReading['rotation']) => boolean): Promise<number> {
  let most = 0;
  for (const view of rotation === 0 ? ([0] as const) : ([rotation, 0] as const)) {
    const upright = view === 0 ? image : await toRgb(fromRgb(image).rotate(view));
    const faces = await detectFaces(upright, { detector: 'ultraface', minConfidence: OTHER_FACE_SCORE, landmarks: false });
    most = Math.max(most, faces.filter((f) => !onCard(f.box, view)).length);
  }
  return most;
}

/** otherFaces' test on a photo read as it is: the face is the portrait (its box, in the image turned by `rotation`). */
const isPortrait = (portrait: Box | undefined, image: RgbImage, rotation: IdCardReading['rotation']) => (face: Box, view: IdCardReading['rotation']) =>
  portrait !== undefined && iou(face, view === rotation ? portrait : unturnBox(portrait, image, rotation)) >= SAME_FACE_IOU;

/** otherFaces' test on a squared card: the face's centre lies inside the card's outline in the photo. */
const insideOutline = (quad: readonly Point[], image: RgbImage) => (face: Box, view: IdCardReading['rotation']) =>
  insideQuad(unturnPoint({ x: face.x + face.width / 2, y: face.y + face.height / 2 }, image, view), quad);

/** A point of the image as given, in the image turned clockwise by `rotation`. */
function turnPoint(p: Point, image: { width: number; height: number }, rotation: IdCardReading['rotation']): Point {
  if (rotation === 90) return { x: image.height - p.y, y: p.x };
  if (rotation === 180) return { x: image.width - p.x, y: image.height - p.y };
  if (rotation === 270) return { x: p.y, y: image.width - p.x };
  return p;
}

/** A point of the image turned clockwise by `rotation`, in the image as given. */
function unturnPoint(p: Point, image: { width: number; height: number }, rotation: IdCardReading['rotation']): Point {
  if (rotation === 90) return { x: p.y, y: image.height - p.x };
  if (rotation === 180) return { x: image.width - p.x, y: image.height - p.y };
  if (rotation === 270) return { x: image.width - p.y, y: p.x };
  return p;
}

/** A face's box and landmarks through a map of points (its box: the four corners' bounds). */
function mapFace(face: DetectedFace, map: (p: Point) => Point): DetectedFace {
  return { ...face, box: pointsBox(corners(face.box).map(map)), landmarks: face.landmarks.map(map) };
}

/** Whether p lies inside the convex quadrilateral. */
function insideQuad(p: Point, q: readonly Point[]): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const [a, b] = [q[i]!, q[(i + 1) % 4]!];
    const z = Math.sign((b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x));
    if (z === 0) continue;
    if (sign === 0) sign = z;
    else if (z !== sign) return false;
  }
  return true;
}

/** A box of the image turned clockwise by `rotation`, in the image as given. */
function unturnBox(b: Box, image: RgbImage, rotation: IdCardReading['rotation']): Box {
  return pointsBox(corners(b).map((p) => unturnPoint(p, image, rotation)));
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
  const points = corners.map((p) => turnPoint(p, image, rotation));
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
 * The directions the picture's lines run, on a 480-px view, the main one first: each the area-weighted
 * mean of its lines' axes (doubled angles, so that 89° and −89° agree), and the corners of the region its
 * lines cover. A second direction is given when lines at least DIRECTION_APART from the main one weigh
 * SECOND_DIRECTION_WEIGHT of it: text stamped across the card. Empty when the image has no text lines.
 */
async function orient(image: RgbImage, onePlace = false, shortToo = false): Promise<Orientation[]> {
  let k = 1;
  let lines: TextRegion[] = [];
  let regions: TextRegion[] = [];
  // A card filling a third of the photo keeps its lines several pixels high at 480 px; one held in a hand in
  // a portrait photo may not, and is looked for again at twice the size when fewer lines than a card's are found.
  for (const side of [ORIENT_SIDE, 2 * ORIENT_SIDE]) {
    if (side > ORIENT_SIDE && (lines.length >= CARD_LINES || textArea(lines) >= SMALL_TEXT * k * k * image.width * image.height || Math.max(image.width, image.height) <= ORIENT_SIDE * 1.5)) break;
    k = Math.min(1, side / Math.max(image.width, image.height));
    const view = k < 1 ? await resizeRgb(image, Math.max(1, Math.round(image.width * k)), Math.max(1, Math.round(image.height * k))) : image;
    regions = await detectText(view, { maxSide: side });
    lines = regions.filter((r) => r.elongation >= LINE_ELONGATION);
  }
  if (lines.length === 0) return [];
  const weight = (r: TextRegion) => r.width * r.height;
  // The densest direction: the line whose ±DIRECTION_APART/2 neighbourhood weighs most.
  const near = (angle: number, set: readonly TextRegion[]) => set.filter((r) => anglesApart(r.angleDeg, angle) < DIRECTION_APART / 2);
  const mass = (set: readonly TextRegion[]) => set.reduce((a, r) => a + weight(r), 0);
  const peak = (set: readonly TextRegion[]) => set.reduce((best, r) => (mass(near(r.angleDeg, set)) > mass(near(best.angleDeg, set)) ? r : best), set[0]!);
  const first = near(peak(lines).angleDeg, lines);
  const rest = lines.filter((r) => !first.includes(r) && first.every((f) => anglesApart(f.angleDeg, r.angleDeg) >= DIRECTION_APART / 2));
  const groups = [first];
  if (rest.length > 0) {
    const second = near(peak(rest).angleDeg, rest);
    if (mass(second) >= SECOND_DIRECTION_WEIGHT * mass(first)) groups.push(second);
  }
  // One direction: every line, as before (a card's own lines a few degrees apart on a bent card). Each
  // direction's lines then fall into places (clusters of lines near each other): a card's text and the print
  // on its holder's clothes are two, read largest first.
  const places = (groups.length === 1 ? [lines] : groups).flatMap((group) => (onePlace ? [group] : clusters(group)).filter((c, i, all) => i === 0 || mass(c) >= SECOND_PLACE_WEIGHT * mass(all[0]!)));
  return places.map((group) => {
    let [c, s] = [0, 0];
    for (const r of group) {
      c += weight(r) * Math.cos((r.angleDeg * Math.PI) / 90);
      s += weight(r) * Math.sin((r.angleDeg * Math.PI) / 90);
    }
    const angleDeg = (Math.atan2(s, c) * 90) / Math.PI;
    const skewDeg = angleDeg - 90 * Math.round(angleDeg / 90);
    // `shortToo`: the place's extent takes in the short regions beside its lines (a card's dark print alone: its
    // name, sex and ethnicity are one to three characters, not lines).
    const b = shortToo ? withNeighbours(enclosingBox(group), regions, angleDeg) : enclosingBox(group);
    const [x0, y0, x1, y1] = [b.x / k, b.y / k, (b.x + b.width) / k, (b.y + b.height) / k];
    return { angleDeg, skewDeg, corners: [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }] };
  });
}

// Lines closer than this many line heights (box to box) are one place's text: a card's rows are ~1.9
// apart and its number ~3 below the address; the two cards of a photocopy page ~3 apart.
const SAME_PLACE_GAP = 4;
// A second place is read too when its lines weigh this much of the first's.
const SECOND_PLACE_WEIGHT = 0.3;
// Two places' lines parsed together are set this far apart (pixels of the levelled cards).
const BETWEEN_SIDES = 1000;

/** The distance between two lines' directions in degrees (angles mod 180, as points on the doubled circle). */
const anglesApart = (a: number, b: number) => Math.abs(((a - b + 270) % 180) - 90);
/** The gap between two boxes, across and down (0 where they touch or overlap). */
const boxGap = (a: Box, b: Box) => Math.max(0, a.x - (b.x + b.width), b.x - (a.x + a.width)) + Math.max(0, a.y - (b.y + b.height), b.y - (a.y + a.height));

/**
 * The box grown to hold each region within two of the regions' median heights of it, then by LABEL_ROOM of them
 * both ways along the lines (`angleDeg`): a card's dark print alone has no labels, and they lie ~3 line heights
 * before its values, which end of the lines not known until the card is read upright.
 */
function withNeighbours(box: Box, regions: readonly TextRegion[], angleDeg: number): Box {
  const heights = regions.map((r) => Math.min(r.width, r.height)).sort((a, b) => a - b);
  const height = heights[Math.floor(heights.length / 2)]!;
  const gap = 2 * height;
  let out = box;
  for (let grown = true; grown; ) {
    const near = regions.filter((r) => boxGap(r, out) < gap);
    const next = enclosingBox([out, ...near]);
    grown = area(next) > area(out);
    out = next;
  }
  const along = Math.abs(Math.cos((angleDeg * Math.PI) / 180)) >= Math.SQRT1_2;
  const room = LABEL_ROOM * height;
  return along ? { ...out, x: out.x - room, width: out.width + 2 * room } : { ...out, y: out.y - room, height: out.height + 2 * room };
}
const LABEL_ROOM = 3.5;

/** The regions grouped by nearness (single linkage: a gap under SAME_PLACE_GAP line heights), heaviest first. */
function clusters(regions: readonly TextRegion[]): TextRegion[][] {
  const heights = regions.map((r) => Math.min(r.width, r.height)).sort((a, b) => a - b);
  const gap = SAME_PLACE_GAP * heights[Math.floor(heights.length / 2)]!;
  const group = regions.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i]!)));
  for (let i = 0; i < regions.length; i++) for (let j = i + 1; j < regions.length; j++) if (boxGap(regions[i]!, regions[j]!) < gap) group[root(i)] = root(j);
  const out = new Map<number, TextRegion[]>();
  regions.forEach((r, i) => out.set(root(i), [...(out.get(root(i)) ?? []), r]));
  const weight = (c: readonly TextRegion[]) => c.reduce((a, r) => a + r.width * r.height, 0);
  return [...out.values()].sort((a, b) => weight(b) - weight(a));
}

/**
 * The card's lines read: the image turned by −angle (lines level), the text area cut out with a margin
 * and brought to READ_SIDE, its lines detected (on a DETECT_SIDE view), turned 180° when the direction classifier says the
 * lines are upside down, then recognised.
 */
async function readLevelled(
  image: RgbImage,
  orientation: Orientation,
  lap: (stage: ReadIdCardStage) => void,
  scope?: CallScope,
  // Faint ink (a stamp printed over the card, half transparent) whitened before the lines are found and read; given
  // the photo's ink levels, all but the card's dark print (darkPrint).
  inkOnly: boolean | InkLevels = false,
  // The photo `image` was made from (its stamp taken away), for the crop's own pixels.
  own: RgbImage = image,
): Promise<{
  lines: TextLine[];
  rotation: IdCardReading['rotation'];
  /** The levelled crop the lines were read on (with `inkOnly`, its faint ink whitened), and the photo's own pixels there. */
  card: RgbImage;
  photo: RgbImage;
  toImage: (q: { x: number; y: number }) => { x: number; y: number };
}> {
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
  const size = k < 1 ? { width: Math.round(area.width * k), height: Math.round(area.height * k) } : undefined;
  const levelledCrop = async (of: RgbImage) => {
    const turnedOf = turn === 0 ? of : await toRgb(fromRgb(await cropRgb(of, around)).rotate(turn, { background: { r: 255, g: 255, b: 255 } }));
    return cropRgb(turnedOf, area, size);
  };
  let card = await cropRgb(turned, area, size);
  let photo = own === image ? card : await levelledCrop(own);
  if (typeof inkOnly === 'object') card = darkPrint(card, inkOnly);
  else if (inkOnly) card = withoutStamp(card);
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
    const same = photo === card;
    card = await toRgb(fromRgb(card).rotate(180));
    photo = same ? card : await toRgb(fromRgb(photo).rotate(180));
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
  // A point of the levelled card back in the image as given: unflipped, unscaled, out of the crop, turned back.
  const [kx, ky] = [card.width / area.width, card.height / area.height];
  const toImage = (q: { x: number; y: number }) => {
    const u = flipped ? { x: card.width - q.x, y: card.height - q.y } : q;
    const p = { x: area.left + u.x / kx, y: area.top + u.y / ky };
    if (turn === 0) return p;
    const [dx, dy] = [p.x - ncx, p.y - ncy];
    return { x: around.left + cx + dx * Math.cos(t) + dy * Math.sin(t), y: around.top + cy - dx * Math.sin(t) + dy * Math.cos(t) };
  };
  return { lines, rotation: rotation as IdCardReading['rotation'], card, photo, toImage };
}

// A name of the list is taken when it is this many times likelier than the next (log ratio).
const LIST_MARGIN = Math.log(4);

/**
 * The ethnicity read again against GB 3304's 56 names when it was not read as one of them (畲 read 鑫, 仡佬 as
 * 佬, a value not read at all): each box it was read from, or the space right of its label, scored for every
 * name by the recogniser's CTC likelihood; the likeliest taken when LIST_MARGIN ahead of the next.
 */
async function ethnicityFromList(card: RgbImage, source: NonNullable<CardFields['ethnicitySource']>): Promise<{ value: string; confidence: number } | undefined> {
  const { label } = source;
  const boxes = source.boxes.length > 0
    ? source.boxes
    : [
        // The label's own box (its value read as nothing in it), and the space to its right.
        { box: label, before: '民族' },
        { box: { x: label.x + label.width, y: label.y - 0.1 * label.height, width: 4 * label.height, height: 1.2 * label.height }, before: '' },
      ];
  const known = await recognisedCharacters();
  // Each box is one place the value may be: the likeliest name of the likeliest box, against that box's next.
  let best: { name: string; score: number; second: number } | undefined;
  for (const { box, before } of boxes) {
    const x = Math.max(0, box.x);
    const clipped = { x, y: Math.max(0, box.y), width: Math.min(card.width - x, box.width), height: Math.min(card.height - Math.max(0, box.y), box.height) };
    if (clipped.width < 4 || clipped.height < 4) continue;
    const line = await recognizeLine(card, clipped, ETHNIC_GROUPS.map((g) => before + g));
    // A name with a character the recogniser lacks (仫佬) is a candidate only where something was read in that
    // character's place (么佬): a character read as nothing could be any name's, and is no evidence for it.
    const value = [...line.text.replace(/[\s\u3000]+/g, '').slice(before.length)];
    const ranked = line.scores!
      .map((score, i) => ({ name: ETHNIC_GROUPS[i]!, score }))
      .filter(({ name }) => ![...name].some((c) => !known.has(c)) || value.length === [...name].length)
      .sort((p, q) => q.score - p.score);
    if (ranked[0] && (!best || ranked[0].score > best.score)) best = { ...ranked[0], second: ranked[1]?.score ?? -Infinity };
  }
  // Its confidence: its share of the likelihood against the next name.
  return best && best.score - best.second >= LIST_MARGIN ? { value: best.name, confidence: 1 / (1 + Math.exp(best.second - best.score)) } : undefined;
}

// Mean chroma (max − min of a pixel's channels) under which the card's text area is grey: the card's own
// tint alone is ~18 (232, 241, 250), JPEG's colour noise on grey ≲ 3. Set before measuring.
const PHOTOCOPY_CHROMA = 6;

/** Mean over the pixels of max(R, G, B) − min(R, G, B). */
function meanChroma(image: RgbImage): number {
  let sum = 0;
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [image.data[3 * i]!, image.data[3 * i + 1]!, image.data[3 * i + 2]!];
    sum += Math.max(r, g, b) - Math.min(r, g, b);
  }
  return n ? sum / n : 0;
}

// How a stamp printed over the card (GA anti-copy phrases, grey, red or blue, half transparent) is told from the
// card's own ink, as shares of the way from the darkest ink (2nd percentile of each pixel's darkest channel) to
// the card (its 90th). The card's black values lie at ~0, its blue labels at ~0.3 (a pale print's at up to ~0.5).
// - Grey pixels (channels within GREY_CHROMA) lighter than FAINT_INK are a grey stamp's (its strokes where darker
//   than STAMP_LIGHTEST); JPEG rings around its strokes darker than they are, so grey pixels beside them lighter
//   than FRINGE_INK are too.
// - Coloured pixels are the labels' blue unless lighter than FAINT_COLOUR (a blue stamp's faint strokes).
// - Red ink (red RED_INK above both others, green and blue within RED_HUE: pink to a seal's red, not skin's
//   orange) is a red stamp's, and so is all within RED_FRINGE_PX of it (JPEG smears colour over 2-px cells).
//   There the red channel sees through the stamp to the card's ink (black and blue stop red): a pixel is its
//   red, and the card's where that is lighter than UNDER_RED.
const FAINT_INK = 0.42;
const FRINGE_INK = 0.25;
const FAINT_COLOUR = 0.6;
const UNDER_RED = 0.6;
const GREY_CHROMA = 24;
const RED_INK = 25;
const RED_HUE = 12;
const RED_FRINGE_PX = 2;
const STAMP_LIGHTEST = 0.9;

/**
 * The image with a stamp's ink made the card's white, as the rules above tell it: what is left is the card's own ink.
 * `levels`: the darkest ink's and the card's, the image's own unless given (a crop reaching past the card to the table).
 */
function withoutStamp(image: RgbImage, levels: InkLevels = inkLevels(image)): RgbImage {
  const { width: w, height: h, data: d } = image;
  const n = w * h;
  const darkest = new Uint8Array(n);
  const chroma = new Uint8Array(n);
  const red = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [d[3 * i]!, d[3 * i + 1]!, d[3 * i + 2]!];
    darkest[i] = Math.min(r, g, b);
    chroma[i] = Math.max(r, g, b) - darkest[i]!;
    if (r - Math.max(g, b) > RED_INK && Math.abs(g - b) <= RED_HUE) red[i] = 1;
  }
  const { ink, card } = levels;
  const at = (share: number) => ink + share * (card - ink);
  const greyStamp = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (chroma[i]! < GREY_CHROMA && darkest[i]! > at(FAINT_INK) && darkest[i]! < at(STAMP_LIGHTEST)) greyStamp[i] = 1;
  const [redStamp, greyFringe] = [dilate(red, w, h, RED_FRINGE_PX), dilate(greyStamp, w, h, 1)];
  const out = Buffer.from(d);
  const white = (i: number) => (out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = 255);
  for (let i = 0; i < n; i++) {
    if (redStamp[i]) {
      if (d[3 * i]! > at(UNDER_RED)) white(i);
      else out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = d[3 * i]!;
    } else if (chroma[i]! < GREY_CHROMA ? darkest[i]! > at(greyFringe[i] ? FRINGE_INK : FAINT_INK) : darkest[i]! > at(FAINT_COLOUR)) white(i);
  }
  return { data: out, width: w, height: h };
}

// The card's personal data is printed black (GA 490), its labels and background in light colours: the dark print
// is the pixels whose darkest channel lies within this share of the way from the darkest ink (2nd percentile) to
// the card (90th). The labels lie at ~0.3, an anti-copy stamp printed half transparent lighter (set before measuring:
// the stamp generator's darkest at ~0.45); a stamp printed as dark as the data is not taken away.
const DARK_PRINT = 0.35;

// A label's place holds ink (a stamp over it, where the label is not read) when this share of its pixels is inked:
// darker than a quarter of the way from the card to the darkest ink. A label fills ~15–25% of its place, a stamp's
// strokes across it ~10%, the card's light background pattern none. Set before measuring.
const INKED_PLACE = 0.03;
const INKED = 0.25;

/** The box's inked pixels (INKED, at the photo's levels): their share, and the box narrowed to the columns that hold any (the box where none does). */
function inked(image: RgbImage, box: Box, { ink, card }: InkLevels): { share: number; span: Box } {
  const limit = card - INKED * (card - ink);
  const [x0, y0] = [Math.max(0, Math.floor(box.x)), Math.max(0, Math.floor(box.y))];
  const [x1, y1] = [Math.min(image.width, Math.ceil(box.x + box.width)), Math.min(image.height, Math.ceil(box.y + box.height))];
  let [count, first, last] = [0, -1, -1];
  for (let x = x0; x < x1; x++) {
    for (let y = y0; y < y1; y++) {
      const i = 3 * (y * image.width + x);
      if (Math.min(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!) >= limit) continue;
      count++;
      if (first === -1) first = x;
      last = x;
    }
  }
  const n = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return { share: n ? count / n : 0, span: first === -1 ? box : { ...box, x: first, width: last + 1 - first } };
}

/** A picture's darkest ink and its card, as levels of each pixel's darkest channel. */
interface InkLevels {
  ink: number;
  card: number;
}

/** The darkest ink's level and the card's (the 2nd and 90th percentiles of each pixel's darkest channel). */
function inkLevels(image: RgbImage): InkLevels {
  const { data: d } = image;
  const n = image.width * image.height;
  const histogram = new Uint32Array(256);
  for (let i = 0; i < n; i++) histogram[Math.min(d[3 * i]!, d[3 * i + 1]!, d[3 * i + 2]!)]!++;
  const level = (q: number) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) if ((seen += histogram[v]!) >= q * n) return v;
    return 255;
  };
  return { ink: level(0.02), card: level(0.9) };
}

/**
 * The image with all but its dark print made white (DARK_PRINT), at the levels given: the whole photo's, for its
 * card's crop too (there the portrait's hair is a larger share of the darkest pixels than the text).
 */
function darkPrint(image: RgbImage, { ink, card }: InkLevels): RgbImage {
  const { width: w, height: h, data: d } = image;
  const limit = ink + DARK_PRINT * (card - ink);
  const out = Buffer.from(d);
  for (let i = 0; i < w * h; i++) if (Math.min(d[3 * i]!, d[3 * i + 1]!, d[3 * i + 2]!) > limit) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = 255;
  return { data: out, width: w, height: h };
}

/** The mask grown by r pixels every way (a square's max filter, by rows then columns). */
function dilate(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) rows[y * w + k] = 1;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!rows[y * w + x]) continue;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) out[k * w + x] = 1;
    }
  }
  return out;
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

/** The photo-fault measures' limits (IdCardReading.quality), for the evaluation's table of measures beside them. */
export const QUALITY_LIMITS = { blur: BLUR_LIMIT, glare: GLARE_LIMIT, screen: SCREEN_LIMIT, finger: FINGER_LIMIT } as const;
