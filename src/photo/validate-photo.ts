import { CALL_SCHEMA, type CallScope, scoped, yieldToLoop } from '../core/call-scope.js';
import { DETECTOR_NAMES, type DetectedFace, detectFaces, type DetectorName } from '../models/detect.js';
import { faceGeometry } from '../models/face-geometry.js';
import { type FaceMesh, faceMesh } from '../models/mesh.js';
import { useFaceApi } from '../models/registry.js';
import { uploadPixels } from '../models/pixels.js';
import { segmentPerson } from '../models/segment.js';
import { type RgbImage, decodeRgb, readHeader } from '../image/decode.js';
import { type ImageInput, loadInput } from '../image/input.js';
import { readJpegHeader } from '../image/jpeg.js';
import { readExif } from '../image/metadata.js';
import { sniffFormat } from '../image/sniff.js';
import { DEFAULTS } from '../core/defaults.js';
import { checkOptions, is } from '../core/options.js';
import type { PhotoSpec } from '../core/spec.js';
import type { Check, PhotoFace, PhotoMetadata, PhotoStage, PhotoValidation, ValidatePhotoOptions } from './types.js';
import { checkBackground, measureBackground } from './checks/background.js';
import { checkEyesOpen, checkFaceCount, checkHeadPosition, checkPose, countFaces, findCrown, measureHead } from './checks/face.js';
import { checkDimensions, checkDpi, checkExtension, checkFileSize, checkFormat, checkOrientation } from './checks/file.js';
import { checkFaceColour, measureFaceColour } from './checks/face-colour.js';
import { shoulderRollDeg } from './checks/shoulders.js';
import { checkHeadCovering, meanColour, measureHeadCovering } from './checks/head-covering.js';
import { checkExposure, checkSharpness, cheekRects, measureExposure } from './checks/quality.js';
import { resolveCommon } from './options.js';
import { stageTimer } from '../core/timing.js';

// Images larger than this (longer side, pixels) are analysed reduced: every check that reads pixels
// works at this size or below; file facts (size, dpi, dimensions) come from the original.
export const ANALYSIS_MAX_SIDE = 1280;

/** validatePhoto's options (compressToSpec's add to them). */
export const PHOTO_SCHEMA = {
  ...CALL_SCHEMA,
  filename: is.string,
  spec: is.object,
  detector: is.oneOf(DETECTOR_NAMES),
  maxInputBytes: is.positiveInteger,
  maxPixels: is.positiveInteger,
} as const;

/** Checks a photo against every rule of the spec. A photo that breaks the spec is a result, not an error. */
export async function validatePhoto(input: ImageInput, options: ValidatePhotoOptions = {}): Promise<PhotoValidation> {
  return (await validatePhotoAndFaces(input, options)).validation;
}

/**
 * validatePhoto, and what it decoded and found on the way, for the library's own callers
 * (verifyApplicant compares the photo's face without decoding and detecting it again).
 */
export async function validatePhotoAndFaces(
  input: ImageInput,
  options: ValidatePhotoOptions = {},
): Promise<{ validation: PhotoValidation; image: RgbImage; scale: number; faces: DetectedFace[]; detector: DetectorName }> {
  options = checkOptions(options, PHOTO_SCHEMA);
  const common = resolveCommon(options);
  return scoped('validatePhoto', options, DEFAULTS.photo.timeoutMs, (scope) => validate(input, options, common, scope));
}

async function validate(input: ImageInput, options: ValidatePhotoOptions, { spec, maxPixels, maxInputBytes, detector }: ReturnType<typeof resolveCommon>, scope: CallScope) {
  const { timings, lap } = stageTimer<PhotoStage>(scope);

  const { bytes, filename } = await loadInput(input, { filename: options.filename, maxInputBytes });
  const format = sniffFormat(bytes);
  const jpeg = format === 'jpeg' ? readJpegHeader(bytes) : undefined;
  const header = await readHeader(bytes, format, maxPixels);
  const exif = await readExif(bytes);
  lap('read');

  const image = await decodeRgb(bytes, format, maxPixels, ANALYSIS_MAX_SIDE, header);
  const rotated = exif.orientation !== undefined && exif.orientation >= 5 && exif.orientation <= 8;
  const width = rotated ? header.height : header.width;
  const height = rotated ? header.width : header.height;
  lap('decode');

  // One upload of the pixels, lent to detection, segmentation and the mesh.
  const rt = await useFaceApi([]);
  const shared = { ...image, tensor: uploadPixels(rt, image) };
  let faces, mask, mesh: FaceMesh | undefined, counted, face;
  try {
    faces = await detectFaces(shared, { detector, minConfidence: Math.min(0.3, spec.minFaceConfidence), maxSide: DEFAULTS.photo.detectionMaxSide });
    lap('detect');
    mask = await segmentPerson(shared);
    lap('segment');
    counted = countFaces(faces, image.height, spec);
    face = counted.length === 1 ? counted[0] : undefined;
    mesh = face ? await faceMesh(shared, face) : undefined;
    lap('mesh');
  } finally {
    shared.tensor.dispose();
  }
  await yieldToLoop();
  const geometry = face ? faceGeometry(face.landmarks) : undefined;
  const crownY = face ? findCrown(mask, face) : undefined;
  const head = face && geometry ? measureHead(crownY ?? 0, geometry, face, image.width, image.height, spec) : undefined;
  const skin = face ? meanColour(image, cheekRects(face.landmarks)) : undefined;

  const checks: Check[] = [
    checkFormat(format, jpeg, spec),
    checkExtension(filename, spec),
    checkDimensions(width, height, spec),
    checkOrientation(exif.orientation),
    checkDpi(jpeg, exif, header.density, spec),
    checkFileSize(bytes.length, spec),
    checkBackground(measureBackground(image, mask, spec), spec),
    checkFaceCount(counted, spec),
    checkHeadPosition(head, spec),
    checkPose(mesh, face ? shoulderRollDeg(mask, face) : undefined, spec),
    checkEyesOpen(mesh, spec),
    checkSharpness(image, face, spec),
    checkExposure(face ? measureExposure(image, face) : undefined, spec),
    checkFaceColour(face ? measureFaceColour(image, face.landmarks) : undefined, spec),
    checkHeadCovering(face && geometry && crownY !== undefined && skin ? measureHeadCovering(image, mask, face, geometry, crownY, skin) : undefined, spec),
  ];
  lap('checks');

  const metadata: PhotoMetadata = {
    format,
    jpegCoding: jpeg?.coding,
    components: jpeg?.components ?? header.channels,
    storedWidth: header.width,
    storedHeight: header.height,
    width,
    height,
    orientation: exif.orientation,
    jfif: jpeg?.jfif,
    exifDpi: exif.dpi,
    bytes: bytes.length,
    filename,
    hasExif: jpeg?.hasExif ?? exif.orientation !== undefined,
    hasIccProfile: header.hasProfile,
    hasGps: exif.hasGps,
    camera: exif.camera,
  };
  const validation: PhotoValidation = {
    passed: checks.every((c) => c.severity !== 'error' || c.status !== 'failed'),
    checks,
    metadata,
    face: face && geometry && mesh ? toPhotoFace(face, geometry, mesh, crownY, width / image.width) : undefined,
    timings,
  };
  // `scale`: from the decoded image's pixels to the photo's as given (upright).
  return { validation, image, scale: width / image.width, faces, detector };
}

function toPhotoFace(face: ReturnType<typeof countFaces>[number], geometry: ReturnType<typeof faceGeometry>, mesh: FaceMesh, crownY: number | undefined, scale: number): PhotoFace {
  const s = (v: number) => Math.round(v * scale * 10) / 10;
  return {
    box: { x: s(face.box.x), y: s(face.box.y), width: s(face.box.width), height: s(face.box.height) },
    score: Math.round(face.score * 1000) / 1000,
    landmarks: face.landmarks.map((p) => [s(p.x), s(p.y)]),
    crownYPx: crownY === undefined ? undefined : s(crownY),
    chinYPx: s(geometry.chin.y),
    pose: {
      yawDeg: Math.round(mesh.pose.yaw * 10) / 10,
      pitchDeg: Math.round(mesh.pose.pitch * 10) / 10,
      rollDeg: Math.round(mesh.pose.roll * 10) / 10,
    },
  };
}
