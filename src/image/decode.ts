import sharp, { type KernelEnum, type Metadata, type Sharp } from 'sharp';
import { ErrorCode, VerifyError } from '../core/errors.js';
import type { SniffedFormat } from './sniff.js';

/** Decoded pixels: interleaved 8-bit sRGB, rows top to bottom, upright (EXIF orientation applied). */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface HeaderFacts {
  /** Pixels as stored. */
  width: number;
  height: number;
  /** sharp's colour space name: 'srgb', 'b-w', 'cmyk', … */
  space: string | undefined;
  channels: number;
  hasAlpha: boolean;
  /** An ICC profile is embedded. */
  hasProfile: boolean;
  /** Density in dots per inch as the decoder reads it (PNG pHYs, TIFF, JPEG), when declared. */
  density: number | undefined;
}

// sharp's own timeout, seconds: a pathological image never holds a worker for ever.
const DECODE_TIMEOUT_S = 30;

/**
 * Reads the header only and refuses images whose declared pixel count exceeds `maxPixels`
 * before any pixel is decoded (decompression bombs: a 30000×30000 JPEG is 2.7 GB of RGB).
 */
export async function readHeader(bytes: Buffer, format: SniffedFormat, maxPixels: number): Promise<HeaderFacts> {
  if (format === 'unknown') {
    throw new VerifyError(ErrorCode.UNSUPPORTED_FORMAT, 'The file is not an image (no known image signature in its first bytes).', {
      details: { format },
    });
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw decodeError(cause, format);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) {
    throw new VerifyError(ErrorCode.CORRUPT_IMAGE, 'The image header declares no size.', { details: { format } });
  }
  if (width * height > maxPixels) {
    throw new VerifyError(
      ErrorCode.IMAGE_TOO_LARGE,
      `The image is ${width}×${height} pixels (${(width * height / 1e6).toFixed(1)} MP); at most ${(maxPixels / 1e6).toFixed(1)} MP are decoded.`,
      { details: { width, height, maxPixels } },
    );
  }
  return {
    width,
    height,
    space: meta.space,
    channels: meta.channels ?? 0,
    hasAlpha: meta.hasAlpha ?? false,
    hasProfile: meta.hasProfile ?? false,
    density: meta.density,
  };
}

/**
 * Decodes to upright sRGB, reduced so that the longer side is at most `maxSide` (JPEG shrink-on-load
 * makes the reduction nearly free). Alpha is flattened onto `matte` (white). Any decoder warning is an error:
 * a truncated or damaged upload is refused rather than measured.
 */
export async function decodeRgb(
  bytes: Buffer,
  format: SniffedFormat,
  maxPixels: number,
  maxSide = Infinity,
  header?: HeaderFacts,
  /** Colour that transparent pixels are flattened onto. */
  matte = '#ffffff',
): Promise<RgbImage> {
  try {
    let pipeline = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'warning', sequentialRead: true })
      .timeout({ seconds: DECODE_TIMEOUT_S })
      .rotate();
    // Each operation costs a pass over the pixels: skip those the header shows are not needed.
    if (Number.isFinite(maxSide) && (!header || Math.max(header.width, header.height) > maxSide)) {
      pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
    }
    if (!header || header.hasAlpha) pipeline = pipeline.flatten({ background: matte });
    if (!header || header.space !== 'srgb' || header.channels !== 3) pipeline = pipeline.toColourspace('srgb').removeAlpha();
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoder returned ${info.channels} channels`);
    return { data, width: info.width, height: info.height };
  } catch (cause) {
    throw decodeError(cause, format);
  }
}

function decodeError(cause: unknown, format: SniffedFormat): VerifyError {
  const text = (cause as Error)?.message ?? String(cause);
  if (format === 'heic' || /heif|heic|unsupported image format|compression format has not been built in/i.test(text)) {
    return new VerifyError(
      ErrorCode.UNSUPPORTED_FORMAT,
      `This ${format === 'heic' ? 'HEIC' : format} image cannot be decoded here (${text.trim()}). Save the photo as JPEG and upload it again.`,
      { cause, details: { format } },
    );
  }
  if (/pixel limit/i.test(text)) {
    return new VerifyError(ErrorCode.IMAGE_TOO_LARGE, `The image has too many pixels to decode (${text.trim()}).`, { cause, details: { format } });
  }
  return new VerifyError(ErrorCode.CORRUPT_IMAGE, `The ${format} image is damaged or truncated and cannot be decoded (${text.trim()}).`, {
    cause,
    details: { format },
  });
}

/** A sharp pipeline reading decoded pixels. */
export function fromRgb(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** Runs a pipeline to raw RGB. */
export async function toRgb(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** A rectangle of the pixels (inside the image), resized to width × height when given. */
export function cropRgb(
  image: RgbImage,
  rect: { left: number; top: number; width: number; height: number },
  size?: { width: number; height: number; kernel?: keyof KernelEnum },
): Promise<RgbImage> {
  const pipeline = fromRgb(image).extract(rect);
  return toRgb(size ? pipeline.resize(size.width, size.height, { fit: 'fill', kernel: size.kernel }) : pipeline);
}
