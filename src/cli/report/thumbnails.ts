/** The report's pixels: each photo as a small JPEG, and the region the background check sampled as a hatched PNG. */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { DEFAULTS } from '../../core/defaults.js';
import { decodeRgb, readHeader } from '../../image/decode.js';
import { sniffFormat } from '../../image/sniff.js';
import { segmentPerson } from '../../models/segment.js';
import { BACKGROUND_PROBABILITY } from '../../photo/checks/background.js';
// The size validatePhoto segments at: the shading shows the background the check measured.
import { ANALYSIS_MAX_SIDE } from '../../photo/validate-photo.js';


export interface Thumbnail {
  jpeg: Buffer;
  /** Size of the JPEG, pixels. */
  width: number;
  height: number;
  /** The background region at the thumbnail's size, when asked for and the photo could be segmented. */
  backgroundRegion?: Buffer;
}

export interface ThumbnailOptions {
  /** Height, pixels; the width follows the photo, up to twice the height. */
  height: number;
  /** JPEG quality 1–100. */
  quality: number;
  backgroundRegion: boolean;
}

/** The photo upright, flattened on white; undefined when the file cannot be read or decoded. */
export async function makeThumbnail(file: string, options: ThumbnailOptions): Promise<Thumbnail | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  // The decode guards of validatePhoto's defaults: a thumbnail never costs more than a check.
  if (bytes.length === 0 || bytes.length > DEFAULTS.image.maxInputBytes) return undefined;
  let thumbnail: Thumbnail;
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: DEFAULTS.image.maxPixels, failOn: 'none' })
      .rotate()
      .resize({ height: options.height, width: options.height * 2, fit: 'inside' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: options.quality, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    thumbnail = { jpeg: data, width: info.width, height: info.height };
  } catch {
    return undefined;
  }
  if (options.backgroundRegion) thumbnail.backgroundRegion = await backgroundRegion(bytes, thumbnail.width, thumbnail.height);
  return thumbnail;
}

/**
 * The pixels the background check averaged, as a hatched PNG of the thumbnail's size. Recomputed the
 * way validatePhoto computes it: the same decode (upright, at most 1280 px) and the same segmentation
 * model; undefined when the photo cannot be decoded.
 */
async function backgroundRegion(bytes: Buffer, width: number, height: number): Promise<Buffer | undefined> {
  let mask;
  try {
    const format = sniffFormat(bytes);
    const header = await readHeader(bytes, format, DEFAULTS.image.maxPixels);
    mask = await segmentPerson(await decodeRgb(bytes, format, DEFAULTS.image.maxPixels, ANALYSIS_MAX_SIDE, header));
  } catch {
    return undefined; // validatePhoto decoded it, so this is rare: the thumbnail simply goes without
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let v = 0; v < height; v++) {
    const my = Math.min(mask.height - 1, Math.floor(((v + 0.5) * mask.height) / height));
    for (let u = 0; u < width; u++) {
      const mx = Math.min(mask.width - 1, Math.floor(((u + 0.5) * mask.width) / width));
      if (mask.data[my * mask.width + mx] >= BACKGROUND_PROBABILITY) continue;
      // Sparse diagonal hatching: the photo stays visible between the stripes.
      if ((u + v) % 5 !== 0) continue;
      const i = (v * width + u) * 4;
      rgba[i] = 0xd9;
      rgba[i + 1] = 0x46;
      rgba[i + 2] = 0xef;
      rgba[i + 3] = 220;
    }
  }
  return sharp(rgba, { raw: { width, height, channels: 4 } }).png({ palette: true, colours: 2, compressionLevel: 9 }).toBuffer();
}
