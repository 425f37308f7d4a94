/**
 * The repo's own photo fixtures (fixtures/photos/), made by scripts/make-fixtures.ts from
 * `@vladmandic/face-api/demo/sample6.jpg` (shipped in the MIT npm package): one compliant photo
 * and one photo per broken rule. `fails` lists exactly the error checks each must fail;
 * `warns` the warning checks.
 */
import { fileURLToPath } from 'node:url';
import type { CheckId } from '../src/photo/types.js';

export const FIXTURE_SOURCE = '@vladmandic/face-api/demo/sample6.jpg';

export const PHOTO_DIR = fileURLToPath(new URL('../fixtures/photos/', import.meta.url));

export interface PhotoFixture {
  file: string;
  description: string;
  fails: CheckId[];
  warns?: CheckId[];
}

export const PHOTO_FIXTURES: readonly PhotoFixture[] = [
  { file: 'compliant.jpg', description: 'meets every rule: 480×640, JFIF+EXIF 300 dpi, ~31 KB, blue, head centred', fails: [] },
  { file: 'compliant-progressive.jpg', description: 'compliant, progressive JPEG', fails: [] },
  { file: 'compliant-exif-rotated.jpg', description: 'stored 640×480 with EXIF orientation 6: displays 480×640', fails: [], warns: ['orientation'] },
  { file: 'wrong-size-413x531.jpg', description: '413×531 (the common "1-inch" size), otherwise compliant', fails: ['dimensions'] },
  { file: 'dpi-72.jpg', description: 'declares 72 dpi in JFIF and EXIF', fails: ['dpi'] },
  { file: 'dpi-jfif-300-exif-72.jpg', description: 'JFIF says 300 dpi, EXIF says 72', fails: ['dpi'] },
  { file: 'size-60kb.jpg', description: 'about 60 KB (quality too high)', fails: ['fileSize'] },
  { file: 'size-10kb.jpg', description: 'about 10 KB (quality too low)', fails: ['fileSize'] },
  { file: 'png-named-jpg.jpg', description: 'a PNG (24-colour palette, 300 dpi pHYs) renamed .jpg; no 480×640 PNG of a face fits in 40 KB', fails: ['format', 'fileSize'] },
  { file: 'grayscale.jpg', description: 'one-channel grayscale JPEG (so the background and the person are grey too)', fails: ['format', 'background', 'faceColour'] },
  { file: 'grey-person.jpg', description: 'the person in black and white on the standard blue, a colour JPEG otherwise compliant', fails: ['faceColour'] },
  { file: 'sepia-person.jpg', description: 'the person in sepia on the standard blue', fails: ['faceColour'] },
  { file: 'cmyk.jpg', description: 'CMYK JPEG', fails: ['format'] },
  { file: 'white-background.jpg', description: 'the subject on white', fails: ['background'] },
  { file: 'red-background.jpg', description: 'the subject on red', fails: ['background'] },
  { file: 'head-cut-off.jpg', description: 'framed 30 px too high: the crown is outside the photo', fails: ['headPosition'] },
  { file: 'head-too-small.jpg', description: 'head 30% of the height, low in the frame', fails: ['headPosition'] },
  { file: 'blurred.jpg', description: 'Gaussian blur σ = 2 px (σ = 3 already hides the face from the detector)', fails: ['sharpness'] },
  { file: 'dark-face.jpg', description: 'the person at 30% brightness against a lit background', fails: ['exposure'] },
  { file: 'tilted-head.jpg', description: 'the whole photo rotated 14°: head leaning', fails: ['pose'] },
  { file: 'two-faces.jpg', description: 'the subject and her mirror image side by side', fails: ['faceCount'] },
  { file: 'no-face.jpg', description: 'the face pixelated in 24 px blocks: a head, but no face', fails: ['faceCount'] },
  { file: 'hat.jpg', description: 'a red cap with a white band drawn over the head', fails: ['headCovering'] },
];
