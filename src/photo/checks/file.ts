/** Checks on the file itself: format, extension, size in pixels, orientation tag, dpi, bytes. */
import { extname } from 'node:path';
import type { JpegHeader } from '../../image/jpeg.js';
import { jfifDpi } from '../../image/jpeg.js';
import type { ExifFacts } from '../../image/metadata.js';
import type { SniffedFormat } from '../../image/sniff.js';
import type { PhotoSpec } from '../../core/spec.js';
import type { Check } from '../types.js';
import { result, skipped } from './check.js';
import { round } from '../../core/stats.js';

const FORMAT_NAMES: Record<SniffedFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
  bmp: 'BMP',
  heic: 'HEIC',
  avif: 'AVIF',
  unknown: 'unknown',
};

export function checkFormat(format: SniffedFormat, jpeg: JpegHeader | undefined, spec: PhotoSpec): Check {
  const limit = { format: 'jpeg', components: 3, coding: spec.allowProgressive ? ['baseline', 'progressive'] : ['baseline'] };
  if (format !== 'jpeg' || !jpeg) {
    const name = FORMAT_NAMES[format];
    return result('format', 'error', false, { format }, limit, {
      zh: `照片必须是JPG格式，此文件实际是${name}格式（只改扩展名不能转换格式，请用图片软件另存为JPG）。`,
      en: `The photo must be a JPEG file; this file is really ${name} (renaming it does not convert it: save it as JPEG).`,
    });
  }
  const colorSpace =
    jpeg.components === 1 ? 'grayscale' : jpeg.components === 4 ? (jpeg.adobeTransform === 2 ? 'ycck' : 'cmyk') : jpeg.adobeTransform === 0 ? 'rgb' : 'ycbcr';
  const measured = { format, coding: jpeg.coding, components: jpeg.components, colorSpace, precisionBits: jpeg.precision };
  if (jpeg.components === 1) {
    return result('format', 'error', false, measured, limit, {
      zh: '照片必须是彩色照片，此文件是灰度（黑白）JPG。',
      en: 'The photo must be in colour; this is a grayscale (black-and-white) JPEG.',
    });
  }
  if (jpeg.components === 4) {
    return result('format', 'error', false, measured, limit, {
      zh: '照片是CMYK印刷色彩模式，请转换为RGB彩色模式后另存为JPG。',
      en: 'The photo is in CMYK (print) colour; convert it to RGB and save it as JPEG again.',
    });
  }
  if (!limit.coding.includes(jpeg.coding) || jpeg.precision !== 8) {
    return result('format', 'error', false, measured, limit, {
      zh: `JPG编码方式（${jpeg.coding}，${jpeg.precision}位）不被广泛支持，请用常规方式另存为JPG。`,
      en: `This JPEG uses ${jpeg.coding} coding at ${jpeg.precision} bits, which many systems cannot read; save it again as a standard JPEG.`,
    });
  }
  return result('format', 'error', true, measured, limit, {
    zh: `JPG格式（${jpeg.coding === 'progressive' ? '渐进式' : '基线'}，RGB彩色）。`,
    en: `JPEG (${jpeg.coding}, colour).`,
  });
}

export function checkExtension(filename: string | undefined, spec: PhotoSpec): Check {
  const limit = { extensions: spec.extensions };
  if (filename === undefined) {
    return skipped('extension', 'error', limit, {
      zh: '未提供文件名，未检查扩展名。',
      en: 'Not checked: no file name was given (pass options.filename with bytes).',
    });
  }
  const extension = extname(filename).toLowerCase();
  const passed = spec.extensions.includes(extension);
  return result('extension', 'error', passed, { extension, filename }, limit, passed
    ? { zh: `扩展名为${extension}。`, en: `The extension is ${extension}.` }
    : {
        zh: `文件扩展名必须是${spec.extensions.join('或')}，当前为“${extension || '无'}”。`,
        en: `The file name must end in ${spec.extensions.join(' or ')}; it ends in "${extension || '(none)'}".`,
      });
}

export function checkDimensions(width: number, height: number, spec: PhotoSpec): Check {
  const passed = width === spec.width && height === spec.height;
  const limit = { widthPx: spec.width, heightPx: spec.height };
  return result('dimensions', 'error', passed, { widthPx: width, heightPx: height }, limit, passed
    ? { zh: `尺寸为${width}×${height}像素。`, en: `The photo is ${width}×${height} pixels.` }
    : {
        zh: `照片尺寸必须是宽${spec.width}×高${spec.height}像素，当前为${width}×${height}像素。`,
        en: `The photo must be ${spec.width}×${spec.height} pixels (width × height); it is ${width}×${height}.`,
      });
}

export function checkOrientation(orientation: number | undefined): Check {
  const passed = orientation === undefined || orientation === 1;
  return result('orientation', 'warning', passed, { exifOrientation: orientation ?? null }, { exifOrientation: [null, 1] }, passed
    ? { zh: '没有旋转标记。', en: 'No rotation flag.' }
    : {
        zh: `照片带有EXIF旋转标记（${orientation}），部分系统会忽略它而显示为横躺或倒置，请将照片旋转后重新保存。`,
        en: `The photo carries an EXIF rotation flag (${orientation}); many systems ignore it and show the photo sideways or upside down. Rotate and save it again.`,
      });
}

/**
 * Resolution as declared by the JFIF header and by EXIF (both read: systems differ in which they
 * trust). For other formats, the decoder's density (PNG pHYs, …) stands in for JFIF.
 */
export function checkDpi(jpeg: JpegHeader | undefined, exif: ExifFacts, otherDensity: number | undefined, spec: PhotoSpec): Check {
  const jfif = jpeg?.jfif ? jfifDpi(jpeg.jfif) : undefined;
  const declarations: Array<{ source: 'jfif' | 'exif' | 'header'; x: number; y: number }> = [];
  if (jfif) declarations.push({ source: 'jfif', x: round(jfif.x, 1), y: round(jfif.y, 1) });
  if (exif.dpi) declarations.push({ source: 'exif', x: round(exif.dpi.x, 1), y: round(exif.dpi.y, 1) });
  if (!jpeg && otherDensity !== undefined && !exif.dpi) declarations.push({ source: 'header', x: round(otherDensity, 1), y: round(otherDensity, 1) });
  const measured = {
    headerDpi: !jpeg && otherDensity !== undefined ? round(otherDensity, 1) : null,
    jfifDpi: jfif ? { x: round(jfif.x, 1), y: round(jfif.y, 1) } : null,
    jfifUnits: jpeg?.jfif ? (['none', 'inch', 'cm'] as const)[jpeg.jfif.units] : null,
    exifDpi: exif.dpi ? { x: round(exif.dpi.x, 1), y: round(exif.dpi.y, 1) } : null,
  };
  const limit = { dpi: spec.dpi, toleranceDpi: spec.dpiTolerance };
  const ok = (d: { x: number; y: number }) => Math.abs(d.x - spec.dpi) <= spec.dpiTolerance && Math.abs(d.y - spec.dpi) <= spec.dpiTolerance;
  const show = (d: { source: string; x: number; y: number }) => `${d.source.toUpperCase()} ${d.x === d.y ? d.x : `${d.x}×${d.y}`} dpi`;
  if (declarations.length === 0) {
    return result('dpi', 'error', false, measured, limit, {
      zh: `照片没有声明分辨率（需要${spec.dpi} dpi）。`,
      en: `The photo declares no resolution (${spec.dpi} dpi is required).`,
    });
  }
  const wrong = declarations.filter((d) => !ok(d));
  if (wrong.length === 0) {
    return result('dpi', 'error', true, measured, limit, {
      zh: `分辨率为${spec.dpi} dpi（${declarations.map(show).join('，')}）。`,
      en: `The resolution is ${spec.dpi} dpi (${declarations.map(show).join(', ')}).`,
    });
  }
  const disagree = declarations.length > 1 && wrong.length < declarations.length;
  return result('dpi', 'error', false, measured, limit, disagree
    ? {
        zh: `照片中的分辨率声明不一致：${declarations.map(show).join('，')}；都必须是${spec.dpi} dpi。`,
        en: `The photo's resolution declarations disagree: ${declarations.map(show).join(', ')}; both must say ${spec.dpi} dpi.`,
      }
    : {
        zh: `照片分辨率必须是${spec.dpi} dpi，当前为${declarations.map(show).join('，')}。`,
        en: `The resolution must be ${spec.dpi} dpi; the photo declares ${declarations.map(show).join(', ')}.`,
      });
}

export function checkFileSize(bytes: number, spec: PhotoSpec): Check {
  const kb = spec.fileSize.kilobyte;
  const minBytes = spec.fileSize.minKB * kb;
  const maxBytes = spec.fileSize.maxKB * kb;
  const passed = bytes >= minBytes && bytes <= maxBytes;
  const shown = round(bytes / kb, 1);
  return result('fileSize', 'error', passed, { bytes, kilobytes: shown }, { minBytes, maxBytes, kilobyte: kb }, passed
    ? { zh: `文件大小${shown} KB。`, en: `The file is ${shown} KB.` }
    : {
        zh: `文件大小必须在${spec.fileSize.minKB}–${spec.fileSize.maxKB} KB之间，当前为${shown} KB。`,
        en: `The file must be ${spec.fileSize.minKB}–${spec.fileSize.maxKB} KB; it is ${shown} KB.`,
      });
}
