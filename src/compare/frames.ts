/** A selfie frame decoded, its face found, checked and embedded: what compareFaces compares with the card. */
import { DEFAULTS } from '../core/defaults.js';
import { ErrorCode, invalidArgument, isVerifyError } from '../core/errors.js';
import { scaleBox } from '../core/geometry.js';
import { type RgbImage, decodeRgb, fromRgb, readHeader, toRgb } from '../image/decode.js';
import { type ImageInput, loadInput } from '../image/input.js';
import { sniffFormat } from '../image/sniff.js';
import { type DetectedFace, type DetectorName, detectFaces, secondPerson } from '../models/detect.js';
import { alignFace, embedOne } from '../models/embed.js';
import { faceQuality, withLandmarks } from './face.js';
import type { FrameInput, PreparedFrame } from './types.js';

/** What examining a frame depends on: compareFaces' options. */
export interface FrameSettings {
  detector: DetectorName;
  flip: boolean;
  minEyeDistancePx: number;
  maxInputBytes: number;
  maxPixels: number;
}

// Frames are decoded at most this large: a face filling a selfie keeps far more than ArcFace's 112 px.
const FRAME_MAX_SIDE = 1280;
// Faces below this detector confidence are not looked at in a frame.
const FRAME_MIN_CONFIDENCE = 0.5;

export function isPreparedFrame(value: unknown): value is PreparedFrame {
  return value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === 'prepared-frame';
}

/**
 * A frame another call has already decoded and run the detector on (validatePhoto, with detector 'auto'
 * and the same decode as compareFaces'): only its face is embedded. Undefined when the faces found do not
 * stand for what compareFaces' own detection would find (a different detector, or none above its
 * confidence), and the caller compares the frame itself.
 */
export async function prepareDetectedFrame(image: RgbImage, scale: number, faces: readonly DetectedFace[], detector: DetectorName): Promise<PreparedFrame | undefined> {
  const o: FrameSettings = { ...DEFAULTS.compare, ...DEFAULTS.image };
  if (detector !== o.detector) return undefined;
  const confident = faces.filter((f) => f.score >= FRAME_MIN_CONFIDENCE);
  // None: compareFaces' detection would retry on a padded image, which the caller's did not.
  if (confident.length === 0) return undefined;
  return fromFaces({ image, scale }, confident, o);
}

/** Decodes an image input, reduced to `maxSide`; `scale` maps decoded pixels back to the image as given. */
export async function decodeImage(input: ImageInput, maxSide: number, o: Pick<FrameSettings, 'maxInputBytes' | 'maxPixels'>): Promise<{ image: RgbImage; scale: number }> {
  const { bytes } = await loadInput(input, { maxInputBytes: o.maxInputBytes });
  const format = sniffFormat(bytes);
  const header = await readHeader(bytes, format, o.maxPixels);
  const image = await decodeRgb(bytes, format, o.maxPixels, maxSide, header);
  return { image, scale: Math.max(header.width, header.height) / Math.max(image.width, image.height) };
}

async function decodeFrame(input: FrameInput, o: FrameSettings): Promise<{ image: RgbImage; scale: number }> {
  if (input !== null && typeof input === 'object' && !(input instanceof Uint8Array)) {
    const { image, width, height } = input as { image: unknown; width?: number; height?: number };
    if (!(image instanceof Uint8Array)) throw invalidArgument('selfieFrames[i].image', 'a Buffer or Uint8Array', image);
    // A raw frame from extractFramesFromReadingVideo({ format: 'raw' }): RGB, width × height × 3 bytes.
    if (width !== undefined && height !== undefined && image.byteLength === width * height * 3) {
      const data = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
      if (Math.max(width, height) <= FRAME_MAX_SIDE) return { image: { data, width, height }, scale: 1 };
      const reduced = await toRgb(fromRgb({ data, width, height }).resize({ width: FRAME_MAX_SIDE, height: FRAME_MAX_SIDE, fit: 'inside' }));
      return { image: reduced, scale: width / reduced.width };
    }
    return decodeImage(Buffer.from(image.buffer, image.byteOffset, image.byteLength), FRAME_MAX_SIDE, o);
  }
  return decodeImage(input as ImageInput, FRAME_MAX_SIDE, o);
}

export async function examineFrame(input: FrameInput, o: FrameSettings): Promise<PreparedFrame> {
  let decoded: { image: RgbImage; scale: number };
  try {
    decoded = await decodeFrame(input, o);
  } catch (error) {
    // Misuse (a number where an image belongs) is the caller's bug; a frame that does not decode is the applicant's data.
    if (!isVerifyError(error) || error.code === ErrorCode.INVALID_ARGUMENT) throw error;
    return prepared({ excluded: 'unreadable', error: { code: error.code, message: error.message } });
  }
  // UltraFace's boxes are refined from face-api's landmarks into SSD's shape (detect.ts) before fr_landmark runs on them.
  const faces = await detectFaces(decoded.image, { detector: o.detector, minConfidence: FRAME_MIN_CONFIDENCE, landmarks: o.detector === 'auto' || o.detector === 'ultraface' ? 'box' : false });
  return fromFaces(decoded, faces, o);
}

/** The frame's verdict and embedding from the faces found in it (largest first). */
async function fromFaces(decoded: { image: RgbImage; scale: number }, faces: readonly DetectedFace[], o: FrameSettings): Promise<PreparedFrame> {
  if (faces.length === 0) return prepared({ excluded: 'no-face' });
  const box = scaleBox(faces[0]!.box, decoded.scale);
  if (secondPerson(faces)) return prepared({ faces: faces.length, box, excluded: 'multiple-faces' });
  const face = await withLandmarks(decoded.image, faces[0]!);
  const crop = await alignFace(decoded.image, face.landmarks);
  const { embedding, norm } = await embedOne(crop, { flip: o.flip });
  const quality = faceQuality(face, crop, decoded.scale, norm);
  if (quality.eyeDistancePx < o.minEyeDistancePx) return prepared({ faces: faces.length, box, quality, excluded: 'face-too-small' });
  return prepared({ faces: faces.length, box, quality, used: true }, embedding);
}

function prepared(frame: Partial<PreparedFrame['frame']>, embedding: Float32Array | null = null): PreparedFrame {
  return { kind: 'prepared-frame', frame: { faces: 0, box: null, quality: null, used: false, excluded: null, error: null, ...frame }, embedding };
}

export function checkedFrame(frame: PreparedFrame): PreparedFrame {
  const f = frame.frame as Partial<PreparedFrame['frame']> | undefined;
  const ok = f !== null && typeof f === 'object' && typeof f.used === 'boolean' && (f.used ? frame.embedding instanceof Float32Array && frame.embedding.length > 0 : frame.embedding === null);
  if (!ok) throw invalidArgument('selfieFrames[i]', "prepareFrames' result (an embedding exactly when the frame is used)", frame);
  return frame;
}

