import type { CallControl } from '../core/call-scope.js';
import type { Box } from '../core/geometry.js';
import type { Finding } from '../core/result.js';
import type { Timings } from '../core/timing.js';
import type { IdNumberReasonCode, ParsedIdNumber } from './id-number.js';

/** Which side of the card the photo shows: the portrait and personal data, the national emblem, or neither read. */
export type IdCardSide = 'portrait' | 'emblem' | 'unknown';

/** A field as read: its text and how sure the recogniser was. */
export interface IdCardField<V extends string = string> {
  value: V;
  /** Mean probability of the characters read, 0–1. */
  confidence: number;
}

/** The printed fields. Portrait side: name … idNumber; emblem side: authority, validFrom, validTo. */
export interface IdCardFields {
  name?: IdCardField;
  sex?: IdCardField<'男' | '女'>;
  ethnicity?: IdCardField;
  /** 'YYYY-MM-DD'. */
  birthDate?: IdCardField;
  address?: IdCardField;
  /** The 18 characters as printed (x read as X). */
  idNumber?: IdCardField;
  /** 签发机关, the issuing police office. */
  authority?: IdCardField;
  /** 'YYYY-MM-DD'. */
  validFrom?: IdCardField;
  /** 'YYYY-MM-DD', or '长期' (valid without end). */
  validTo?: IdCardField;
}

/**
 * The number read from the card, checked by parseIdNumber's rules (its result without the reasons, which
 * are the reading's), and held against the printed birth date and sex.
 */
export interface IdCardNumber extends Omit<ParsedIdNumber, 'reasons'> {
  /** The printed birth date and sex agree with the number; null when neither was read. */
  consistent: boolean | null;
}

/** Why a card reading is not usable, or what it found wrong with the card. */
export type IdCardReasonCode =
  | 'CARD_NOT_FOUND'
  | 'CARD_UNREADABLE'
  | 'CARD_EXPIRED'
  | 'ID_NUMBER_INCONSISTENT'
  | 'PORTRAIT_NOT_FOUND'
  | 'FACE_OUTSIDE_CARD'
  | 'CARD_LAYOUT'
  | 'ID_NUMBER_CORRECTED'
  | 'CARD_PHOTOCOPY'
  | 'CARD_BLURRED'
  | 'CARD_GLARE'
  | 'CARD_CUT_OFF'
  | 'CARD_SCREEN'
  | 'CARD_FINGER'
  | IdNumberReasonCode;

/** One reason, in the Finding shape. */
export type IdCardReason = Finding<IdCardReasonCode, Record<string, unknown>, Record<string, unknown>>;

/** Stages of readIdCard, milliseconds: decode, orient (which way the text runs), detect, recognize, portrait. */
export type ReadIdCardStage = 'decode' | 'orient' | 'detect' | 'recognize' | 'portrait' | 'square';

/** readIdCard's result. */
export interface IdCardReading {
  side: IdCardSide;
  /** Degrees clockwise the image was turned to bring the card upright (0, 90, 180, 270), from the text's reading direction. */
  rotation: 0 | 90 | 180 | 270;
  /** The card's residual tilt after that turn, degrees clockwise, levelled before reading. */
  skewDeg: number;
  fields: IdCardFields;
  /** The number checked; absent when none was read. */
  idNumber?: IdCardNumber;
  /** The portrait's face box, pixels of the image as given after `rotation` is applied. Portrait side only. */
  portrait?: { box: Box; score: number };
  /**
   * A page with both sides on it (a photocopy): `side` is 'portrait', and `fields` holds the emblem side's
   * authority and validity too (and `expired`). Absent otherwise.
   */
  bothSides?: true;
  /**
   * The photo's faults as measured on the card's text (glare and `outOfFrame` on the portrait side): `blur`, the ink's median edge width over the lines'
   * height (sharp ~0.05–0.1); `glare`, the share of the card (the text block where its outline was not found;
   * the portrait's photo left out) washed out: solid 3-mm blobs of 1-mm cells near white (least channel ≥ 251)
   * and brighter than halfway from the card's paper to white (CARD_GLARE past 0.0065); `outOfFrame`, the card's
   * sides beyond the image (mm past the card's edge less 2.5 mm); `textAtEdge`, where no side's rows placed the
   * card, the photo's own edges that cut a line of its text (a card's print is 4 mm inside its edge). Each warns past its limit (CARD_BLURRED,
   * CARD_GLARE, CARD_CUT_OFF); `screen`, how far the photo's strongest periodic pattern stands above its
   * spectrum, averaged over patches of the text (a photo of the card itself ~2.5, at most 7.5 on the card corpus; of a screen's pixel grid or a
   * print's halftone: CARD_SCREEN past 8). A card
   * whose text a screen's grid kept from being read whole is read again with the grid blurred away (σ 1.2 px),
   * and its `blur` is then not measured. `finger`, the share of the text block under a solid blob of skin
   * (CARD_FINGER past 0.015; the portrait's photo left out).
   */
  quality?: { blur?: number; glare?: number; outOfFrame?: Array<{ side: 'left' | 'right' | 'top' | 'bottom'; mm: number }>; textAtEdge?: Array<'left' | 'right' | 'top' | 'bottom'>; screen?: number; finger?: number };
  /**
   * The portrait side's outline, where its four edges were found: the card's corners (input pixels; top left,
   * top right, bottom right, bottom left of the upright card), the largest angle between opposite edges
   * (degrees; a card photographed square on: under 1°), and whether the card was squared through them and
   * read again (a keystone of KEYSTONE_MIN_DEG or more, the squared card's layout read at least as well).
   */
  outline?: { corners: Array<{ x: number; y: number }>; keystoneDeg: number; squared: boolean };
  /** Emblem side: validTo is before `now`. Absent when validTo was not read or is 长期. */
  expired?: boolean;
  /** What is wrong, each an error (decides) or a warning; empty when the card read cleanly and its number holds. */
  reasons: IdCardReason[];
  /** The text lines read on the upright card, top to bottom, for logs and debugging. */
  lines: Array<{ text: string; confidence: number }>;
  timings: Timings<ReadIdCardStage>;
}

/** readIdCard's options. */
export interface ReadIdCardOptions extends CallControl {
  /** The day birth dates may not pass and validity is held against (default: today). */
  now?: Date;
  /** Find the portrait's box on the portrait side (default true). */
  portrait?: boolean;
  /** Bytes of input accepted (default 50 MiB). */
  maxInputBytes?: number;
  /** Pixels declared in the header accepted (default 64 MP). */
  maxPixels?: number;
}
