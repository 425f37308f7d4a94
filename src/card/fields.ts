/**
 * The fields of a second-generation resident identity card from its text lines (models/ocr.ts), by the
 * card's layout: each label (姓名, 性别, 民族, 出生, 住址, 公民身份号码; 签发机关, 有效期限 on the emblem
 * side) read merged with its value or as its own box, the value to its right on the same row, the
 * address continued on the lines below it. Pure: lines in, fields out.
 */
import { type Box, area, enclosingBox, overlapArea } from '../core/geometry.js';
import { ethnicGroup, isStampText, withoutStamps } from './card-text.js';
import { type ParsedIdNumber, parseIdNumber } from './id-number.js';

export interface CardLine {
  text: string;
  confidence: number;
  box: Box;
  /** Each character's probability (models/ocr.ts), spaces included. */
  chars?: ReadonlyArray<{ char: string; p: number }>;
}

export interface CardField {
  value: string;
  /** Mean recognition confidence of the characters it came from, 0–1. */
  confidence: number;
}

/** The side's labels as found against where the card prints them. */
export interface CardLayout {
  found: string[];
  missing: string[];
  /** Labels found out of the card's order or column. */
  outOfPlace: string[];
  /** Labels missing whose place holds ink the recogniser could not read as them (an anti-copy stamp over it): not counted against the card. */
  obscured?: string[];
  /** The portrait side's rows where two or more were found: 姓名's row's centre (`origin`) and the pitch between rows, pixels of the lines given. */
  rows?: { origin: number; pitch: number };
}

export interface CardFields {
  side: 'portrait' | 'emblem' | 'unknown';
  layout: CardLayout;
  /** The portrait side's own text block (its labelled lines and the number's), pixels of the lines given. */
  textBox?: Box;
  /** A page with both sides: side is 'portrait', and the emblem side's fields are here too. */
  bothSides?: true;
  name?: CardField;
  sex?: CardField & { value: '男' | '女' };
  ethnicity?: CardField;
  /** 'YYYY-MM-DD'. */
  birthDate?: CardField;
  address?: CardField;
  idNumber?: CardField;
  authority?: CardField;
  /** 'YYYY-MM-DD'. */
  validFrom?: CardField;
  /** 'YYYY-MM-DD', or '长期' (no end). */
  validTo?: CardField;
  /**
   * The ethnicity's boxes when it was not read as one of GB 3304's names: each with the text read before the
   * value in it (性别女民族 in one box), and the label's box (for a value not read at all).
   */
  ethnicitySource?: { label: Box; boxes: Array<{ box: Box; before: string }> };
  /** The number checked (GB 11643-1999), and whether the printed birth date and sex agree with it. */
  idNumberCheck?: ParsedIdNumber & { consistent: boolean | null };
}

type LabelAt = { rest: string; start: number; line: CardLine; index: number };

const LABELS = ['姓名', '性别', '民族', '出生', '住址', '公民身份号码', '签发机关', '有效期限'] as const;
export type Label = (typeof LABELS)[number];
// Each side's labels top to bottom, as the card prints them (民族 on 性别's row).
const PORTRAIT_LABELS: readonly Label[] = ['姓名', '性别', '民族', '出生', '住址', '公民身份号码'];
const EMBLEM_LABELS: readonly Label[] = ['签发机关', '有效期限'];

/** A field's value without an anti-copy stamp read into it (card-text.ts); undefined when nothing else is left. */
function unstamped(field: CardField | undefined): CardField | undefined {
  if (!field) return undefined;
  const { value } = withoutStamps(field.value);
  return value ? { ...field, value } : undefined;
}

/**
 * The side's labels found and where: those missing, and those out of the card's places. The portrait side
 * prints its rows at one pitch: 姓名, 性别 (民族 on its row), 出生 and 住址 one pitch apart, and the number's
 * row at the foot, more than four pitches below 姓名 (an address of up to three lines between). The pitch is
 * estimated from the rows found (the median of their spacings over their places); a label more than
 * ROW_TOLERANCE of a pitch off its place, 民族 off 性别's row, a number's row above its place, or a label
 * outside the label column is out of place. A name and a number typed on paper are neither far enough apart
 * nor at the card's pitch. The emblem side: its two labels in order.
 */
function layoutOf(labelled: ReadonlyMap<Label, { line: CardLine }>, side: readonly Label[]): CardLayout {
  const found = side.filter((l) => labelled.has(l));
  const missing = side.filter((l) => !labelled.has(l));
  const outOfPlace = new Set<Label>();
  let rowsAt: CardLayout['rows'];
  const box = (l: Label) => labelled.get(l)!.line.box;
  const rows = found.filter((l) => l !== '民族');
  if (side === PORTRAIT_LABELS) {
    const place = (l: Label) => ROW_OF[l] ?? 0;
    const ranked = rows.filter((l) => l !== '公民身份号码');
    const spacings: number[] = [];
    for (let i = 0; i < ranked.length; i++) {
      for (let j = i + 1; j < ranked.length; j++) spacings.push((centreY(box(ranked[j]!)) - centreY(box(ranked[i]!))) / (place(ranked[j]!) - place(ranked[i]!)));
    }
    const mid = <T>(xs: T[]) => xs[Math.floor(xs.length / 2)];
    const lineHeight = Math.min(...rows.map((l) => box(l).height));
    const pitch = spacings.length > 0 ? mid(spacings.sort((x, y) => x - y))! : lineHeight * PITCH_OVER_HEIGHT;
    // Where row 0 lies: the median of the rows' own estimates.
    const origin = mid(ranked.map((l) => centreY(box(l)) - place(l) * pitch).sort((x, y) => x - y));
    if (pitch <= 0) ranked.slice(1).forEach((l) => outOfPlace.add(l));
    else if (origin !== undefined) {
      if (spacings.length > 0) rowsAt = { origin, pitch };
      for (const l of ranked) if (Math.abs(centreY(box(l)) - (origin + place(l) * pitch)) > ROW_TOLERANCE * pitch) outOfPlace.add(l);
      if (labelled.has('公民身份号码') && centreY(box('公民身份号码')) - origin < NUMBER_ROW_MIN * pitch) outOfPlace.add('公民身份号码');
    }
    if (labelled.has('民族') && labelled.has('性别') && !sameRow(box('民族'), box('性别'))) outOfPlace.add('民族');
  } else {
    for (let i = 1; i < rows.length; i++) if (centreY(box(rows[i]!)) <= centreY(box(rows[i - 1]!))) outOfPlace.add(rows[i]!);
  }
  const lefts = rows.map((l) => box(l).x);
  const height = Math.min(...rows.map((l) => box(l).height));
  const column = Math.min(...lefts);
  rows.forEach((l, i) => lefts[i]! - column > height * 2 && outOfPlace.add(l));
  return { found, missing, outOfPlace: side.filter((l) => outOfPlace.has(l)), ...(rowsAt && { rows: rowsAt }) };
}

// The portrait side's rows, in pitches below 姓名's; the number's is at least NUMBER_ROW_MIN (the repo's
// cards put it at 6.8, the mock card of ../shared/data at 5.5).
const ROW_OF: Partial<Record<Label, number>> = { 姓名: 0, 性别: 1, 民族: 1, 出生: 2, 住址: 3 };
const NUMBER_ROW_MIN = 4.5;
const ROW_TOLERANCE = 0.4;
// With one row only, the pitch from the line height: 1.8–2 line heights on the cards measured.
const PITCH_OVER_HEIGHT = 1.9;

const squeeze = (s: string) => s.replace(/[\s\u3000]+/g, '');
const centreY = (b: Box) => b.y + b.height / 2;
const centreX = (b: Box) => b.x + b.width / 2;
const clamp = (v: number, limit: number) => Math.max(-limit, Math.min(limit, v));
// tan 10°: a row's slope in a levelled crop is within a few degrees.
const MAX_ROW_SLOPE = 0.18;
const sameRow = (a: Box, b: Box) => Math.abs(centreY(a) - centreY(b)) < Math.min(a.height, b.height) * 0.6;

/**
 * A label whose letter-spaced characters were detected as boxes of their own ('出', '生') made one box
 * again: a box that is the start of a label, and the next box on its row, near, that completes it.
 */
function mergeSplitLabels<T extends CardLine & { p: number[]; raw: string }>(items: T[]): T[] {
  const out = [...items];
  for (let i = 0; i < out.length - 1; i++) {
    const [a, b] = [out[i]!, out[i + 1]!];
    const near = sameRow(a.box, b.box) && b.box.x > a.box.x && b.box.x - (a.box.x + a.box.width) < a.box.height * 1.5;
    const label = LABELS.find((l) => l.length > a.text.length && l.startsWith(a.text) && (b.text.startsWith(l.slice(a.text.length)) || l.slice(a.text.length).startsWith(b.text)));
    if (!near || !label || a.text.length === 0) continue;
    const right = Math.max(a.box.x + a.box.width, b.box.x + b.box.width);
    const top = Math.min(a.box.y, b.box.y);
    const box = { x: a.box.x, y: top, width: right - a.box.x, height: Math.max(a.box.y + a.box.height, b.box.y + b.box.height) - top };
    out.splice(i, 2, { ...a, text: a.text + b.text, raw: `${a.raw}${b.raw}`, p: [...a.p, ...b.p], box, confidence: Math.min(a.confidence, b.confidence) });
    i--;
  }
  return out;
}

/**
 * A box's text as it continues the one before it on its row. Where the two touch, the glyph between
 * them is split, and each crop holds a piece of it: the piece is read unsurely ('月4日' after '1962年5月',
 * '上' for the edge of 址) or as the same character again. Leading characters read below 0.8 are
 * dropped, and a first character repeating the last one before.
 */
function joined(before: CardLine, beforeText: string, box: CardLine & { p: number[] }): string {
  const touching = box.box.x - (before.box.x + before.box.width) < box.box.height * 0.3;
  if (!touching) return box.text;
  let k = 0;
  if (box.p.length === box.text.length) while (k < box.text.length - 1 && box.p[k]! < 0.8) k++;
  if (k === 0 && box.text.length > 1 && box.text[0] === beforeText.at(-1)) k = 1;
  return box.text.slice(k);
}

/**
 * Where a label misread by one character ends in `text`, or −1: the label with one character wrong
 * ('好名'), or its first character lost ('名刘小合'). Six-character labels allow two wrong.
 */
function fuzzyLabel(text: string, label: string): number {
  const allowed = label.length >= 4 ? 2 : 1;
  const wrong = (from: number, at: number) => [...label.slice(from)].filter((c, i) => text[at + i] !== c).length;
  if (text.length > label.length - 1 && wrong(0, 0) <= allowed && wrong(0, 0) < label.length) return label.length;
  if (text.length > label.length - 1 && wrong(1, 0) < allowed) return label.length - 1;
  return -1;
}

/** Reads the card's fields from its upright text lines; `now` dates the number's birth-date rule. */
export function cardFields(lines: readonly CardLine[], options: { now?: Date } = {}): CardFields {
  const halves = bothSides(lines);
  if (halves) {
    const [front, back] = [oneSide(halves.portrait, options), oneSide(halves.emblem, options)];
    if (front.side === 'portrait' && back.side === 'emblem') {
      const { authority, validFrom, validTo } = back;
      return { ...front, ...(authority && { authority }), ...(validFrom && { validFrom }), ...(validTo && { validTo }), bothSides: true };
    }
  }
  return oneSide(lines, options);
}

const EMBLEM_WORDS = /签发机关|有效期限|居民身份证|中华人民共和国/;
const PORTRAIT_WORDS = /姓名|性别|民族|出生|住址|公民身份号码|^\d{17}[\dX]$/i;

/**
 * A page with both sides (the photocopy offices ask for): at least two lines of each side's own words. Each
 * line goes with the side whose nearest such line is nearer (centre to centre): the two cards lie apart,
 * one above the other or side by side.
 */
function bothSides(lines: readonly CardLine[]): { portrait: CardLine[]; emblem: CardLine[] } | undefined {
  const text = (l: CardLine) => squeeze(l.text);
  const front = lines.filter((l) => PORTRAIT_WORDS.test(text(l)));
  const back = lines.filter((l) => EMBLEM_WORDS.test(text(l)) && !PORTRAIT_WORDS.test(text(l)));
  if (front.length < 2 || back.length < 2) return undefined;
  const centre = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
  const nearest = (l: CardLine, set: readonly CardLine[]) => Math.min(...set.map((a) => Math.hypot(centre(a.box).x - centre(l.box).x, centre(a.box).y - centre(l.box).y)));
  const portrait = lines.filter((l) => front.includes(l) || (!back.includes(l) && nearest(l, front) <= nearest(l, back)));
  return { portrait, emblem: lines.filter((l) => !portrait.includes(l)) };
}

/** Where each label was read: the line it starts (or, fuzzily, is in the label column of), what follows it there. */
function labelsOf(items: ReadonlyArray<CardLine & { p: number[] }>): Map<Label, LabelAt> {
  const labelled = new Map<Label, LabelAt>();
  // The labels are printed in a light colour and read less surely than the values ('好名', '名刘小合'
  // for 姓名刘小合): a line starting in the label column matches a label by all but one character.
  const column = Math.min(...items.map((l) => l.box.x));
  const inColumn = (l: CardLine) => l.box.x - column < l.box.height * 1.5;
  items.forEach((line, index) => {
    for (const label of LABELS) {
      if (labelled.has(label)) continue;
      const at = line.text.indexOf(label);
      const skip = at !== -1 && at <= 1 ? at + label.length : inColumn(line) ? fuzzyLabel(line.text, label) : -1;
      if (skip === -1) continue;
      labelled.set(label, { rest: line.text.slice(skip), start: skip, line, index });
      // 性别女民族汉: two labels in one box.
      if (label === '性别') {
        const e = line.text.indexOf('民族', skip);
        if (e !== -1) {
          labelled.set('性别', { rest: line.text.slice(skip, e), start: skip, line, index });
          labelled.set('民族', { rest: line.text.slice(e + 2), start: e + 2, line, index });
        }
      }
      break;
    }
  });
  return labelled;
}

/**
 * The lines a side is read from: fragments left out (a region much lower than the card's lines, or read below even
 * odds: a stroke of the background pattern read as '身' or '-'), and boxes that are only an anti-copy stamp; the
 * text squeezed, each character's probability beside it, a label's letter-spaced halves joined.
 */
function itemsOf(lines: readonly CardLine[]): Array<CardLine & { p: number[]; raw: string }> {
  // The reference: the lower quartile of the lines of two characters or more (the emblem side's titles are twice as high as its lines).
  const heights = lines.filter((l) => squeeze(l.text).length >= 2).map((l) => l.box.height).sort((a, b) => a - b);
  const lineHeight = heights[Math.floor(heights.length / 4)] ?? 0;
  return mergeSplitLabels(
    lines
      .filter((l) => l.box.height >= lineHeight * 0.6 && l.confidence >= 0.5)
      .map((l) => ({ ...l, raw: l.text, text: squeeze(l.text), p: (l.chars ?? []).filter((c) => c.char.trim() !== '').map((c) => c.p) }))
      .filter((l) => l.text.length > 0 && !isStampText(l.text)),
  );
}

// The portrait side's labels from the values of its rows (labelPlaces): each looked for from this many value line
// heights left of its row's value column (the card prints them ~3 apart) to just before it.
const LABEL_SPAN = 4;
const LABEL_GAP = 0.15;
// A line read from the card's dark print is a label's remains when this share of it lies in a label's place.
const IN_LABEL = 0.5;

/** A portrait-side label's place on the card, from the values around it. */
export interface LabelPlace {
  label: Label;
  box: Box;
}

/**
 * Where the card prints its portrait-side labels, from the values read from its dark print alone (a stamp taken away
 * with the light labels: read-id-card.ts): 姓名, 性别, 出生 and 住址 in the label column left of their rows' values
 * (the sex a 男 or 女 alone, the name the line above it, the birth date a run of four digits from 18xx to 20xx, the
 * address the line below it), 民族 between the sex and the value right of it, 公民身份号码 in the column left of the
 * number. The places only: whether a label is printed there is the recogniser's to say.
 */
export function labelPlaces(values: readonly CardLine[]): LabelPlace[] {
  const items = itemsOf(values);
  const number = items.find((l) => /\d{15,}/.test(l.text));
  const sex = items.find((l) => /^[男女]$/.test(l.text));
  const birth = items.find((l) => l !== number && /^(18|19|20)\d\d/.test(l.text));
  const cy = (b: Box) => b.y + b.height / 2;
  const under = (l: CardLine, ref: CardLine) => Math.abs(l.box.x - ref.box.x) < 1.5 * ref.box.height;
  const name = sex && items.filter((l) => l !== sex && under(l, sex) && cy(l.box) < sex.box.y).sort((p, q) => q.box.y - p.box.y)[0];
  const address = birth && items.filter((l) => l !== number && under(l, birth) && cy(l.box) > birth.box.y + birth.box.height && (!number || l.box.y < number.box.y)).sort((p, q) => p.box.y - q.box.y)[0];
  const rows: Array<[Label, CardLine | undefined]> = [['姓名', name], ['性别', sex], ['出生', birth], ['住址', address]];
  const found = rows.filter((r): r is [Label, CardLine] => r[1] !== undefined);
  if (found.length === 0) return [];
  const heights = found.map(([, l]) => l.box.height).sort((p, q) => p - q);
  const h = heights[Math.floor(heights.length / 2)]!;
  const column = Math.min(...found.map(([, l]) => l.box.x));
  const x0 = Math.max(0, column - LABEL_SPAN * h);
  const before = (l: CardLine): Box => ({ x: x0, y: l.box.y, width: Math.max(1, l.box.x - LABEL_GAP * h - x0), height: l.box.height });
  const places: LabelPlace[] = found.map(([label, l]) => ({ label, box: before(l) }));
  // The ethnicity: of the boxes right of the sex on its row, the one that names a group of GB 3304, else the first of Chinese characters.
  const right = sex ? items.filter((l) => sameRow(l.box, sex.box) && l.box.x > sex.box.x + sex.box.width).sort((p, q) => p.box.x - q.box.x) : [];
  const ethnicity = right.find((l) => ethnicGroup(l.text) !== null) ?? right.find((l) => /[\u4e00-\u9fff]/.test(l.text));
  if (sex && ethnicity) {
    const from = sex.box.x + sex.box.width + LABEL_GAP * h;
    places.push({ label: '民族', box: { x: from, y: sex.box.y, width: Math.max(1, ethnicity.box.x - LABEL_GAP * h - from), height: sex.box.height } });
  }
  if (number && number.box.x - LABEL_GAP * h > x0) places.push({ label: '公民身份号码', box: before(number) });
  return places;
}

/** The labels' names, for scoring a place against each (and against nothing). */
export const CARD_LABELS: readonly string[] = LABELS;

/**
 * The values read from the card's dark print with the labels found at their places (labelPlaces) put back; what was
 * read of a label's remains (a line mostly inside a label's place) left out.
 */
export function withLabels<T extends CardLine>(values: readonly T[], labels: ReadonlyArray<LabelPlace & { confidence: number }>): CardLine[] {
  const put: CardLine[] = labels.map((l) => ({ text: l.label, confidence: l.confidence, box: l.box, chars: [] }));
  const kept = values.filter((v) => !put.some((l) => overlapArea(v.box, l.box) >= IN_LABEL * area(v.box)));
  const cy = (b: Box) => b.y + b.height / 2;
  return [...kept, ...put].sort((a, b) => (Math.abs(cy(a.box) - cy(b.box)) < Math.min(a.box.height, b.box.height) / 2 ? a.box.x - b.box.x : a.box.y - b.box.y));
}

function oneSide(lines: readonly CardLine[], options: { now?: Date }): CardFields {
  const items = itemsOf(lines);
  const labelled = labelsOf(items);
  // The value of a label: what follows it in its box, then the boxes to its right on the same row up
  // to the next label. Unsure characters at the end of the label's own box are dropped when boxes
  // follow (a stroke of the name read as '子' in '姓名子', the name itself in the next box).
  const rightOf = (found: LabelAt) => {
    const line = found.line as (typeof items)[number];
    const right = items
      .filter((l) => l !== line && sameRow(l.box, line.box) && l.box.x > line.box.x)
      .sort((a, b) => a.box.x - b.box.x);
    const next = right.findIndex((l) => LABELS.some((x) => l.text.startsWith(x)));
    return { line, after: next === -1 ? right : right.slice(0, next) };
  };
  const valueOf = (label: Label): CardField | undefined => {
    const found = labelled.get(label);
    if (!found) return undefined;
    const { line, after } = rightOf(found);
    let rest = found.rest;
    if (after.length > 0 && line.p.length === line.text.length) {
      let keep = rest.length;
      while (keep > 0 && line.p[found.start + keep - 1]! < 0.8) keep--;
      rest = rest.slice(0, keep);
    }
    const parts = rest ? [{ value: rest, confidence: line.confidence }] : [];
    let previous: CardLine = line;
    for (const l of after) {
      // A label read alone splits no glyph of its value: the value's first character is kept however unsure (覃 of 覃刚翀).
      const alone = previous === line && found.rest === '';
      parts.push({ value: alone ? l.text : joined(previous, parts.at(-1)?.value ?? '', l), confidence: l.confidence });
      previous = l;
    }
    if (parts.length === 0) return undefined;
    return { value: parts.map((x) => x.value).join(''), confidence: Math.min(...parts.map((x) => x.confidence)) };
  };

  const emblem = labelled.has('签发机关') || labelled.has('有效期限') || items.some((l) => /居民身份证|中华人民共和国/.test(l.text));
  const portrait = ['姓名', '出生', '住址', '公民身份号码'].some((l) => labelled.has(l as Label)) || items.some((l) => /^\d{17}[\dX]$/i.test(l.text));
  const fields: CardFields = { side: portrait ? 'portrait' : emblem ? 'emblem' : 'unknown', layout: layoutOf(labelled, !portrait && emblem ? EMBLEM_LABELS : PORTRAIT_LABELS) };

  if (fields.side === 'emblem') {
    const authority = unstamped(valueOf('签发机关'));
    if (authority) fields.authority = authority;
    const validity = valueOf('有效期限');
    const m = validity && /(\d{4})[.\-年](\d{2})[.\-月](\d{2})日?[-—至~](长期|(\d{4})[.\-年](\d{2})[.\-月](\d{2}))/.exec(validity.value);
    if (m && validity) {
      fields.validFrom = { value: `${m[1]}-${m[2]}-${m[3]}`, confidence: validity.confidence };
      fields.validTo = { value: m[4] === '长期' ? '长期' : `${m[5]}-${m[6]}-${m[7]}`, confidence: validity.confidence };
    }
    return fields;
  }

  // A name starts and ends with a character of it (a minority name's · only between its parts): punctuation at
  // its ends is a speck or a stamp's remains read ('、王峰晶').
  const read = unstamped(valueOf('姓名'));
  const name = read && { ...read, value: read.value.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '') };
  if (name?.value) fields.name = name;
  const sex = valueOf('性别');
  if (sex && /^[男女]/.test(sex.value)) fields.sex = { value: sex.value[0] as '男' | '女', confidence: sex.confidence };
  // One of GB 3304's 56 names: 鄂伦春复禁 (a stamp read after it) is 鄂伦春, 达翰尔 is 达斡尔, 蒙 is 蒙古.
  const ethnicity = valueOf('民族');
  if (ethnicity) fields.ethnicity = { ...ethnicity, value: ethnicGroup(ethnicity.value)?.value ?? withoutStamps(ethnicity.value).value };
  // Where it was read, for reading it again against the 56 names (read-id-card.ts) when it is not one of them.
  const ethnicityLabel = labelled.get('民族');
  if (ethnicityLabel && (!ethnicity || ethnicGroup(ethnicity.value)?.exact !== true)) {
    const line = ethnicityLabel.line;
    const after = items.filter((l) => l !== line && sameRow(l.box, line.box) && l.box.x > line.box.x && !LABELS.some((x) => l.text.startsWith(x))).sort((a, b) => a.box.x - b.box.x);
    fields.ethnicitySource = {
      label: line.box,
      boxes: [...(ethnicityLabel.rest ? [{ box: line.box, before: line.text.slice(0, ethnicityLabel.start) }] : []), ...after.slice(0, 1).map((l) => ({ box: l.box, before: '' }))],
    };
  }
  const birth = valueOf('出生');
  // Its 年, 月 and 日 are labels: where they were not read (the card's print only, its light labels left out), the
  // value's three runs of digits apart.
  const birthLabel = labelled.get('出生');
  const spaced = birthLabel && [birthLabel.rest, ...rightOf(birthLabel).after.map((l) => l.raw)].join(' ').trim();
  const b = birth && (/(\d{4})年(\d{1,2})月(\d{1,2})日?/.exec(birth.value) ?? /^(\d{4})\D{1,3}?(\d{1,2})\D{1,3}?(\d{1,2})\D?$/.exec(spaced ?? ''));
  if (b && birth) fields.birthDate = { value: `${b[1]}-${b[2]!.padStart(2, '0')}-${b[3]!.padStart(2, '0')}`, confidence: birth.confidence };

  // The number: the run of digits (and X) on the row of its label, else any run of 18 on the card. A run of
  // another length (22 digits) is kept as read, for parseIdNumber to refuse: its first 18 are not a number.
  const numberLine = valueOf('公民身份号码');
  const run = numberLine && /[\dX]{15,}/i.exec(numberLine.value);
  const number = run && numberLine
    ? { value: run[0].toUpperCase(), confidence: numberLine.confidence }
    : items.map((l) => ({ m: /(?<![\dX])\d{17}[\dX](?![\dX])/i.exec(l.text), l })).filter((x) => x.m).map((x) => ({ value: x.m![0].toUpperCase(), confidence: x.l.confidence }))[0];
  if (number) fields.idNumber = number;
  // The side's own text block: its labels' lines and the number's.
  const own = [...labelled.values()].map((l) => l.line.box);
  const numberBox = items.find((l) => number && l.text.toUpperCase().includes(number.value))?.box;
  if (numberBox) own.push(numberBox);
  if (own.length >= 2) fields.textBox = enclosingBox(own);

  // The address: its first line, then the lines below it that start under its value and lie above the number.
  const address = labelled.get('住址');
  if (address) {
    const first = valueOf('住址');
    const limit = labelled.get('公民身份号码')?.line.box.y ?? Infinity;
    const parts = first ? [first] : [];
    const label = address.line.box;
    const left = label.x;
    // The row's slope, from the label to its value (a card turned a little more than its lines were levelled):
    // a line below is below the row where it starts, not below the label.
    const value = items.find((l) => l !== address.line && sameRow(l.box, label) && l.box.x > label.x);
    const slope = value ? clamp((centreY(value.box) - centreY(label)) / (centreX(value.box) - centreX(label)), MAX_ROW_SLOPE) : 0;
    const top = (b: Box) => b.y - (centreX(b) - centreX(label)) * slope;
    // A line the value already took (the label's box tall enough to share a row with the address's second
    // line, a stamp's stroke across it) is not taken again below it.
    const taken = new Set(rightOf(address).after);
    const below = items
      .filter((l) => !taken.has(l) && top(l.box) > label.y + label.height * 0.5 && l.box.y + l.box.height <= limit && l.box.x >= left - address.line.box.height && !LABELS.some((x) => l.text.startsWith(x)) && !/^\d{17}[\dX]$/i.test(l.text))
      .sort((a, b) => a.box.y - b.box.y);
    for (const l of below) parts.push({ value: l.text, confidence: l.confidence });
    if (parts.length) fields.address = unstamped({ value: parts.map((p) => p.value).join(''), confidence: Math.min(...parts.map((p) => p.confidence)) });
  }

  if (fields.idNumber) {
    const parsed = parseIdNumber(fields.idNumber.value, options);
    const known = parsed.birthDate !== null && (fields.birthDate !== undefined || fields.sex !== undefined);
    const consistent = known ? (fields.birthDate === undefined || fields.birthDate.value === parsed.birthDate) && (fields.sex === undefined || fields.sex.value === parsed.sex) : null;
    fields.idNumberCheck = { ...parsed, consistent };
  }
  return fields;
}
