/**
 * compareFaces: is the person in the frames the person on the ID card? The card's portrait is found at
 * any rotation (card-portrait.ts), every face is aligned to the ArcFace template from fr_landmark's points
 * on the detector's box and embedded (frames.ts); the frames' embeddings are checked against each other,
 * outliers left out, the rest averaged and compared with the card's.
 */
import { CALL_SCHEMA, type CallControl, type CallScope, scoped } from '../core/call-scope.js';
import { DEFAULTS as DEFAULT_VALUES } from '../core/defaults.js';
import { ErrorCode, VerifyError, invalidArgument } from '../core/errors.js';
import { scaleBox } from '../core/geometry.js';
import { type Schema, checkOptions, is, withDefaults } from '../core/options.js';
import type { Message, Severity } from '../core/result.js';
import { clamp01, median, round } from '../core/stats.js';
import { stageTimer } from '../core/timing.js';
import type { ImageInput } from '../image/input.js';
import { DETECTOR_NAMES, SECOND_PERSON_AREA } from '../models/detect.js';
import { cosine, embedOne, normalize } from '../models/embed.js';
import { CALIBRATED_FARS, THRESHOLDS } from './calibration.js';
import { readDecoded } from '../card/read-id-card.js';
import type { CardPortrait } from './card-portrait.js';
import { faceQuality, rollDeg } from './face.js';
import { checkedFrame, decodeImage, examineFrame, isPreparedFrame } from './frames.js';
import type {
  CardFace,
  CompareFacesOptions,
  CompareFacesResult,
  CompareReason,
  CompareReasonCode,
  CompareReasonShapes,
  CompareStage,
  FrameComparison,
  FrameInput,
  PrepareCardOptions,
  PreparedCard,
  PreparedFrame,
  PrepareFramesOptions,
} from './types.js';

// The card is searched at this size: a 12-megapixel photo of a whole card keeps a portrait of ~150 px.
const CARD_MAX_SIDE = 2048;
// A frame whose median similarity to the other frames is under this shows someone else. The 1e-2
// threshold: another person scores under it 99 times in 100, and the least like single frame of each
// of the 12 live videos of eval:liveness scores 0.38–0.83 against its recording's own face; at the 1e-3
// one, web photos of one person taken years apart (the East-Asian set of test:data) were called
// inconsistent.
const SAME_PERSON_IN_FRAMES = THRESHOLDS[1e-2];

/**
 * Finds the portrait on the ID card (any rotation) and embeds it, for compareFaces. verifyApplicant does
 * this once for its two comparisons.
 */
export async function prepareCard(idCardImage: ImageInput, options: PrepareCardOptions = {}): Promise<PreparedCard> {
  const { detector, ...rest } = checkOptions(options, CARD_SCHEMA);
  const o = resolveOptions({ ...rest, cardDetector: detector });
  return scoped('prepareCard', o, DEFAULTS.timeoutMs, (scope) => prepare(idCardImage, o, scope));
}

/** `timer`: compareFaces' own, so that its stages run on from the card's. */
async function prepare(idCardImage: ImageInput, o: Resolved, scope: CallScope, timer = stageTimer<CompareStage>(scope)): Promise<PreparedCard> {
  const { timings, lap } = timer;
  const card = await decodeImage(idCardImage, CARD_MAX_SIDE, o);
  lap('decodeCard');
  // The card's text is read to find the card: its portrait is the face where the portrait side's layout puts
  // it, never a face beside the card (its holder's). Without a card's layout, the image's most plausible face.
  const { portrait, facesOutside } = await readDecoded(card.image, card.scale, { portrait: true, detector: o.cardDetector }, scope);
  lap('findCard');
  return preparedFromPortrait(portrait, card.scale, o.flip, timer, facesOutside);
}

/** The card prepared from a portrait already found (readIdCard's, at the rotation the text gave): embedded, not searched again. */
export async function preparedFromPortrait(
  found: CardPortrait | undefined,
  scale: number,
  flip: boolean = DEFAULTS.flip,
  { timings, lap } = stageTimer<CompareStage>(),
  facesOutsideCard = 0,
): Promise<PreparedCard> {
  if (!found) return { kind: 'prepared-card', face: null, embedding: null, facesOutsideCard, timings };
  const { embedding } = await embedOne(found.crop, { flip });
  const quality = faceQuality(found.face, found.crop, scale, found.norm);
  lap('embedCard');
  const face: CardFace = { box: scaleBox(found.face.box, scale), rotation: found.rotation, rollDeg: round(rollDeg(found.face.landmarks), 1), quality, onCard: found.onCard === true };
  return { kind: 'prepared-card', face, embedding, facesOutsideCard, timings };
}

function checkedCard(card: PreparedCard): PreparedCard {
  const { face, embedding } = card;
  const ok = (face === null && embedding === null) || (face !== null && typeof face === 'object' && embedding instanceof Float32Array && embedding.length > 0);
  if (!ok) throw invalidArgument('idCardImage', "prepareCard's result (face and embedding both set, or both null)", card);
  return card;
}

/** Decodes each frame, finds its face and embeds it, for compareFaces: each frame is examined once however many cards it is compared with. */
export async function prepareFrames(frames: readonly FrameInput[], options: PrepareFramesOptions = {}): Promise<PreparedFrame[]> {
  const o = resolveOptions(options, FRAMES_SCHEMA);
  checkFrameList(frames, o);
  return scoped('prepareFrames', o, DEFAULTS.timeoutMs, async (scope) => {
    const out: PreparedFrame[] = [];
    for (const input of frames) {
      scope.check();
      out.push(await examineFrame(input, o));
    }
    return out;
  });
}

export function isPreparedCard(value: unknown): value is PreparedCard {
  return value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === 'prepared-card';
}

/** Is the person in the frames the person on the ID card? The card may be an image or prepareCard's result, each frame an image, an extracted frame or prepareFrames' result. */
export async function compareFaces(idCardImage: ImageInput | PreparedCard, selfieFrames: ReadonlyArray<FrameInput | PreparedFrame>, options: CompareFacesOptions = {}): Promise<CompareFacesResult> {
  const o = resolveOptions(options);
  checkFrameList(selfieFrames, o);
  return scoped('compareFaces', o, DEFAULTS.timeoutMs, (scope) => compare(idCardImage, selfieFrames, o, scope));
}

function checkFrameList(selfieFrames: readonly unknown[], o: Resolved): void {
  if (!Array.isArray(selfieFrames) || selfieFrames.length === 0) {
    throw invalidArgument('selfieFrames', 'a non-empty array of images (paths, Buffers, Uint8Arrays, extracted or prepared frames)', selfieFrames);
  }
  if (selfieFrames.length > o.maxFrames) {
    throw new VerifyError(ErrorCode.TOO_MANY_FRAMES, `compareFaces was given ${selfieFrames.length} frames; at most ${o.maxFrames} are accepted (options.maxFrames).`, {
      details: { frames: selfieFrames.length, maxFrames: o.maxFrames },
    });
  }
}

async function compare(idCardImage: ImageInput | PreparedCard, selfieFrames: ReadonlyArray<FrameInput | PreparedFrame>, o: Resolved, scope: CallScope): Promise<CompareFacesResult> {
  const threshold = THRESHOLDS[o.far];
  const { timings, lap } = stageTimer<CompareStage>(scope);
  const reasons: CompareReason[] = [];

  const card = isPreparedCard(idCardImage) ? checkedCard(idCardImage) : await prepare(idCardImage, o, scope, { timings, lap });
  const cardEmbedding = card.embedding;
  const idCardFace = card.face;
  if (idCardFace && cardEmbedding) {
    const quality = idCardFace.quality;
    if (quality.eyeDistancePx < o.minEyeDistancePx) {
      reasons.push(reason('CARD_FACE_TOO_SMALL', 'warning', { eyeDistancePx: quality.eyeDistancePx }, { minEyeDistancePx: o.minEyeDistancePx }, {
        en: `The portrait on the ID card is very small (eyes ${quality.eyeDistancePx} px apart): photograph the card closer.`,
        zh: `身份证上的头像太小（两眼间距 ${quality.eyeDistancePx} 像素），请靠近拍摄身份证。`,
      }));
    }
  }
  const outside = card.facesOutsideCard ?? 0;
  if (outside > 0) {
    reasons.push(reason('FACE_OUTSIDE_CARD', 'warning', { faces: outside }, { faces: 0 }, {
      en: "There is a face in the picture besides the card's portrait; only the card's portrait was compared. Photograph the card alone.",
      zh: '身份证图片中除身份证上的人像外还有其他人脸，比对只使用身份证上的人像。请只拍摄身份证本身。',
    }));
  }
  if (!idCardFace || !cardEmbedding) {
    reasons.push(reason('NO_FACE_ON_CARD', 'error', {}, {}, {
      en: 'No face was found on the ID card image. Photograph the side with the portrait, in focus and without glare.',
      zh: '身份证图片上未找到人像。请拍摄带照片的一面，保证清晰、无反光。',
    }));
  }

  const frames: FrameComparison[] = [];
  const embedded: Array<Float32Array | undefined> = [];
  for (let index = 0; index < selfieFrames.length; index++) {
    scope.check();
    const input = selfieFrames[index]!;
    const prepared = isPreparedFrame(input) ? checkedFrame(input) : await examineFrame(input, o);
    frames.push({ ...prepared.frame, index, similarity: null });
    embedded.push(prepared.embedding ?? undefined);
  }
  lap('frames');

  const excluded = (why: FrameComparison['excluded']) => frames.filter((f) => f.excluded === why).map((f) => f.index);
  const unreadable = excluded('unreadable');
  if (unreadable.length > 0) {
    reasons.push(reason('FRAME_UNREADABLE', 'warning', { frames: unreadable }, {}, { en: 'Some frames could not be read.', zh: '部分画面无法读取。' }));
  }
  const crowded = excluded('multiple-faces');
  if (crowded.length > 0) {
    reasons.push(reason('MULTIPLE_FACES', 'warning', { frames: crowded }, { secondPersonArea: SECOND_PERSON_AREA }, {
      en: 'More than one face appears in some frames. Only the applicant may be in view.',
      zh: '部分画面中出现多张人脸，镜头前只能有考生本人。',
    }));
  }

  // Frames that do not look like the rest (another person stepping in, a mis-detection) are left out
  // when they are a minority; when they are not, there is no single person to compare.
  const candidates = embedded.flatMap((embedding, i) => (embedding ? [{ index: i, embedding }] : []));
  let kept = candidates;
  let consistent = true;
  if (candidates.length >= 2) {
    const outliers = candidates.filter((c) => median(candidates.filter((d) => d !== c).map((d) => cosine(c.embedding, d.embedding))) < SAME_PERSON_IN_FRAMES);
    if (outliers.length > 0) {
      consistent = outliers.length * 2 < candidates.length;
      reasons.push(reason('FRAMES_INCONSISTENT', consistent ? 'warning' : 'error', { frames: outliers.map((c) => c.index) }, { minMedianSimilarity: SAME_PERSON_IN_FRAMES }, {
        en: 'Some frames do not show the same person as the others.',
        zh: '部分画面中的人与其他画面不是同一人。',
      }));
      if (consistent) {
        kept = candidates.filter((c) => !outliers.includes(c));
        for (const c of outliers) Object.assign(frames[c.index]!, { used: false, excluded: 'inconsistent' });
      }
    }
  }

  const minFrames = Math.min(o.minFrames, selfieFrames.length);
  if (candidates.length === 0) {
    reasons.push(reason('NO_USABLE_FRAME', 'error', { frames: selfieFrames.length }, {}, {
      en: 'No frame shows a usable face. Face the camera in good light.',
      zh: '没有可用的人脸画面。请正对镜头，保证光线充足。',
    }));
  } else if (kept.length < minFrames) {
    reasons.push(reason('TOO_FEW_USABLE_FRAMES', 'error', { usableFrames: kept.length }, { minFrames }, {
      en: `Only ${kept.length} frame(s) show a usable face; ${minFrames} are needed.`,
      zh: `只有 ${kept.length} 个画面有可用的人脸，至少需要 ${minFrames} 个。`,
    }));
  }

  let similarity = 0;
  if (cardEmbedding) {
    for (const c of candidates) frames[c.index]!.similarity = round(clamp01(cosine(cardEmbedding, c.embedding)), 4);
    if (kept.length > 0 && consistent) {
      const fused = new Float32Array(cardEmbedding.length);
      for (const c of kept) for (let i = 0; i < fused.length; i++) fused[i]! += c.embedding[i]!;
      similarity = round(clamp01(cosine(cardEmbedding, normalize(fused))), 4);
    }
  }
  lap('compare');
  const verdict = cardEmbedding !== null && consistent && kept.length >= minFrames && kept.length > 0;
  return {
    match: verdict && similarity >= threshold,
    similarity,
    threshold,
    far: o.far,
    idCardFace,
    frames,
    reasons,
    usedFrames: verdict ? kept.length : 0,
    timings,
  };
}

/** compareFaces' options; prepareCard and prepareFrames take a part of them. */
export const COMPARE_SCHEMA = {
  ...CALL_SCHEMA,
  far: is.oneOf(CALIBRATED_FARS),
  minFrames: is.positiveInteger,
  flip: is.boolean,
  detector: is.oneOf(DETECTOR_NAMES),
  cardDetector: is.oneOf(DETECTOR_NAMES),
  minEyeDistancePx: is.number(0),
  maxInputBytes: is.positiveInteger,
  maxPixels: is.positiveInteger,
  maxFrames: is.positiveInteger,
} as const satisfies Schema;

const DEFAULTS = { ...DEFAULT_VALUES.image, ...DEFAULT_VALUES.compare };
type Resolved = typeof DEFAULTS & CallControl;

function resolveOptions(options: CompareFacesOptions | null | undefined, schema: Schema = COMPARE_SCHEMA): Resolved {
  return withDefaults(DEFAULTS, checkOptions(options, schema));
}


const { cardDetector: _c, minFrames: _m, far: _f, detector: _d, ...cardRules } = COMPARE_SCHEMA;
const CARD_SCHEMA = { ...cardRules, detector: COMPARE_SCHEMA.cardDetector } as const satisfies Schema;
const { cardDetector: _cd, minFrames: _mf, far: _ff, ...FRAMES_SCHEMA } = COMPARE_SCHEMA;

function reason<K extends CompareReasonCode>(
  id: K,
  severity: Severity,
  measured: CompareReasonShapes[K]['measured'],
  limit: CompareReasonShapes[K]['limit'],
  message: Message,
): CompareReason {
  return { id, status: 'failed', passed: false, severity, measured, limit, message } as CompareReason;
}
