/**
 * Makes the photo fixtures in fixtures/photos/ from an image that an npm dependency ships:
 * `@vladmandic/face-api/demo/sample6.jpg` (MIT package; a group photo, four people). The third
 * woman from the left faces the camera; she is cut out with the library's own person segmentation,
 * put on the spec's blue and framed as the Hubei exam photo. Each other fixture breaks one rule.
 *
 *   npm run fixtures     (deterministic for a given sharp/libvips and model version; commit the output)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { detectFaces } from '../src/models/detect.js';
import { faceGeometry } from '../src/models/face-geometry.js';
import { segmentPerson } from '../src/models/segment.js';
import { decodeRgb, type RgbImage } from '../src/image/decode.js';
import { withJfifDensity } from '../src/image/jpeg.js';
import { findCrown } from '../src/photo/checks/face.js';
import { HUBEI_EXAM_PHOTO as SPEC } from '../src/core/spec.js';
import { FIXTURE_SOURCE, PHOTO_FIXTURES } from '../test/fixtures.js';

const require = createRequire(import.meta.url);
const root = join(dirname(new URL(import.meta.url).pathname), '..');
const outDir = join(root, 'fixtures', 'photos');
mkdirSync(outDir, { recursive: true });

const W = SPEC.width;
const H = SPEC.height;
const BLUE: [number, number, number] = [67, 142, 219];
const WHITE: [number, number, number] = [255, 255, 255];
const RED: [number, number, number] = [214, 38, 38];
const KB = 1024;

type Raw = { data: Buffer; width: number; height: number };

/** The subject cut out of the source photo: RGB and person alpha (0–1), in source crop coordinates. */
async function cutOut(face: 'third-from-left' | 'second-from-left') {
  const path = require.resolve(FIXTURE_SOURCE);
  const source = await decodeRgb(readFileSync(path), 'jpeg', 1e8);
  const faces = await detectFaces(source, { maxSide: 1920 });
  // Faces by horizontal position; the subject is picked by place, not by index of detection.
  const byX = [...faces].sort((a, b) => a.box.x - b.box.x);
  const subject = face === 'third-from-left' ? byX[2] : byX[1];
  const g = faceGeometry(subject.landmarks);
  const fw = subject.landmarks[16].x - subject.landmarks[0].x;
  const cx = (subject.landmarks[0].x + subject.landmarks[16].x) / 2;
  // A generous crop around the subject, segmented on its own so the model sees one main person.
  const left = Math.max(0, Math.round(cx - 2.4 * fw));
  const top = Math.max(0, Math.round(subject.box.y - 1.6 * subject.box.height));
  const right = Math.min(source.width, Math.round(cx + 2.4 * fw));
  const bottom = Math.min(source.height, Math.round(g.chin.y + 2.2 * subject.box.height));
  const crop = await extract(source, left, top, right - left, bottom - top);
  const mask = await segmentPerson(crop);
  const local = { ...subject, box: { ...subject.box, x: subject.box.x - left, y: subject.box.y - top }, landmarks: subject.landmarks.map((p) => ({ x: p.x - left, y: p.y - top })) };
  const crown = findCrown(mask, local) ?? 0;
  const chinY = g.chin.y - top;
  const centreX = cx - left;
  // Keep the subject only: a column around the head, widening below the chin for the shoulders,
  // so that the neighbours' hair and arms go with the background.
  const alpha = new Float32Array(crop.width * crop.height);
  for (let y = 0; y < crop.height; y++) {
    const half = y < chinY ? 0.95 * fw : (0.95 + Math.min(1, (y - chinY) / (1.2 * fw)) * 0.3) * fw;
    for (let x = 0; x < crop.width; x++) {
      const edge = Math.min(1, Math.max(0, (half - Math.abs(x - centreX)) / 12));
      alpha[y * crop.width + x] = mask.data[y * crop.width + x] * edge;
    }
  }
  return { crop, alpha, crown, chinY, centreX };
}

async function extract(image: Raw, left: number, top: number, width: number, height: number): Promise<RgbImage> {
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width, height })
    .raw()
    .toBuffer();
  return { data, width, height };
}

const GREY = [[0.299, 0.587, 0.114], [0.299, 0.587, 0.114], [0.299, 0.587, 0.114]];
const SEPIA = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]];

/** Every pixel through a colour matrix (rows: R, G, B out). */
function recolour(image: Raw, matrix: number[][]): Raw {
  const out = Buffer.alloc(image.data.length);
  for (let i = 0; i < out.length; i += 3) {
    for (let c = 0; c < 3; c++) out[i + c] = Math.min(255, Math.round(matrix[c][0] * image.data[i] + matrix[c][1] * image.data[i + 1] + matrix[c][2] * image.data[i + 2]));
  }
  return { data: out, width: image.width, height: image.height };
}

function composite(crop: Raw, alpha: Float32Array, colour: [number, number, number], personGain = 1): Raw {
  const out = Buffer.alloc(crop.width * crop.height * 3);
  for (let i = 0; i < alpha.length; i++) {
    const a = alpha[i];
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(crop.data[i * 3 + c] * personGain * a + colour[c] * (1 - a));
  }
  return { data: out, width: crop.width, height: crop.height };
}

/** Frames the composite as the spec photo: head `ratio` of the height, crown at `crownPx`, centred. */
async function frame(
  image: Raw,
  cut: { crown: number; chinY: number; centreX: number },
  colour: [number, number, number],
  opts: { ratio?: number; crownPx?: number; width?: number; height?: number; offsetX?: number } = {},
): Promise<Raw> {
  const width = opts.width ?? W;
  const height = opts.height ?? H;
  const ratio = opts.ratio ?? 0.5;
  const crownPx = opts.crownPx ?? 70;
  const scale = (ratio * height) / (cut.chinY - cut.crown);
  const scaledW = Math.round(image.width * scale);
  const scaledH = Math.round(image.height * scale);
  const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(scaledW, scaledH, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const left = Math.round(cut.centreX * scale - width / 2 + (opts.offsetX ?? 0));
  const top = Math.round(cut.crown * scale - (crownPx / H) * height);
  // Pad with the background colour wherever the frame leaves the crop.
  const padL = Math.max(0, -left);
  const padT = Math.max(0, -top);
  const padR = Math.max(0, left + width - scaledW);
  const padB = Math.max(0, top + height - scaledH);
  const padded = await sharp(resized, { raw: { width: scaledW, height: scaledH, channels: 3 } })
    .extend({ left: padL, top: padT, right: padR, bottom: padB, background: { r: colour[0], g: colour[1], b: colour[2] } })
    .raw()
    .toBuffer();
  const data = await sharp(padded, { raw: { width: scaledW + padL + padR, height: scaledH + padT + padB, channels: 3 } })
    .extract({ left: left + padL, top: top + padT, width, height })
    .raw()
    .toBuffer();
  return { data, width, height };
}

/** JPEG whose size lands in [minBytes, maxBytes], by bisection on quality. */
async function jpegOfSize(image: Raw, minBytes: number, maxBytes: number, build: (s: Sharp) => Sharp = (s) => s): Promise<Buffer> {
  let lo = 1;
  let hi = 100;
  let best: Buffer | undefined;
  while (lo <= hi) {
    const q = Math.floor((lo + hi) / 2);
    const out = await build(sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })).jpeg({ quality: q }).toBuffer();
    if (out.length < minBytes) lo = q + 1;
    else if (out.length > maxBytes) hi = q - 1;
    else {
      best = out;
      break;
    }
  }
  if (!best) throw new Error(`no quality gives ${minBytes}–${maxBytes} bytes`);
  return best;
}

const dpi300 = (s: Sharp) => s.withMetadata({ density: 300 });
const inBand = (image: Raw, build = dpi300) => jpegOfSize(image, 28 * KB, 34 * KB, build).then((b) => withJfifDensity(b, 300));

async function main() {
  const cut = await cutOut('third-from-left');
  const onBlue = composite(cut.crop, cut.alpha, BLUE);
  const compliant = await frame(onBlue, cut, BLUE);
  const files: Record<string, Buffer> = {};

  files['compliant.jpg'] = await inBand(compliant);
  files['compliant-progressive.jpg'] = withJfifDensity(await jpegOfSize(compliant, 28 * KB, 34 * KB, (s) => dpi300(s).jpeg({ progressive: true })), 300);
  files['compliant-exif-rotated.jpg'] = withJfifDensity(
    await jpegOfSize(compliant, 28 * KB, 34 * KB, (s) => s.rotate(270).withMetadata({ density: 300, orientation: 6 })),
    300,
  );
  files['wrong-size-413x531.jpg'] = await inBand(await frame(onBlue, cut, BLUE, { width: 413, height: 531 }));
  files['dpi-72.jpg'] = withJfifDensity(await jpegOfSize(compliant, 28 * KB, 34 * KB, (s) => s.withMetadata({ density: 72 })), 72);
  files['dpi-jfif-300-exif-72.jpg'] = withJfifDensity(await jpegOfSize(compliant, 28 * KB, 34 * KB, (s) => s.withMetadata({ density: 72 })), 300);
  files['size-60kb.jpg'] = withJfifDensity(await jpegOfSize(compliant, 58 * KB, 64 * KB, dpi300), 300);
  files['size-10kb.jpg'] = withJfifDensity(await jpegOfSize(compliant, 9 * KB, 12 * KB, dpi300), 300);
  files['png-named-jpg.jpg'] = await sharp(compliant.data, { raw: { width: W, height: H, channels: 3 } })
    .withMetadata({ density: 300 })
    .png({ palette: true, colours: 24, dither: 0, compressionLevel: 9 })
    .toBuffer();
  // No withMetadata here: it converts the output to sRGB, undoing the colour space under test.
  files['grayscale.jpg'] = withJfifDensity(await jpegOfSize(compliant, 24 * KB, 36 * KB, (s) => s.toColourspace('b-w')), 300);
  files['cmyk.jpg'] = withJfifDensity(await jpegOfSize(compliant, 24 * KB, 40 * KB, (s) => s.toColourspace('cmyk')), 300);
  files['white-background.jpg'] = await inBand(await frame(composite(cut.crop, cut.alpha, WHITE), cut, WHITE));
  files['red-background.jpg'] = await inBand(await frame(composite(cut.crop, cut.alpha, RED), cut, RED));
  files['head-cut-off.jpg'] = await inBand(await frame(onBlue, cut, BLUE, { crownPx: -30 }));
  files['head-too-small.jpg'] = await inBand(await frame(onBlue, cut, BLUE, { ratio: 0.3, crownPx: 150 }));
  files['blurred.jpg'] = await inBand(compliant, (s) => dpi300(s).blur(2));
  files['dark-face.jpg'] = await inBand(await frame(composite(cut.crop, cut.alpha, BLUE, 0.3), cut, BLUE));
  files['tilted-head.jpg'] = await inBand(await tilt(compliant, 14));
  files['two-faces.jpg'] = await inBand(await twoFaces(onBlue, cut));
  files['no-face.jpg'] = await inBand(await noFace(compliant));
  files['hat.jpg'] = await inBand(await withHat(compliant, cut));
  // The person in black and white, and in sepia, on the standard blue: three-channel JPEGs in every
  // other rule, as a grey portrait pasted on a blue background is.
  files['grey-person.jpg'] = await inBand(await frame(composite(recolour(cut.crop, GREY), cut.alpha, BLUE), cut, BLUE));
  files['sepia-person.jpg'] = await inBand(await frame(composite(recolour(cut.crop, SEPIA), cut.alpha, BLUE), cut, BLUE));

  // Sources for compressToSpec: ordinary photos, not in the spec.
  const sourceDir = join(root, 'fixtures', 'sources');
  mkdirSync(sourceDir, { recursive: true });
  const sample = readFileSync(require.resolve(FIXTURE_SOURCE));
  const groupCrop = await sharp(sample).extract({ left: 960, top: 80, width: 520, height: 900 }).jpeg({ quality: 85 }).toBuffer();
  const sources: Record<string, Buffer> = {
    'group-crop.jpg': groupCrop,
    // Stored sideways with EXIF orientation 8 (rotate 90° counter-clockwise to display), as phones do.
    'exif-rotated.jpg': await sharp(groupCrop).rotate(90).withMetadata({ orientation: 8 }).jpeg({ quality: 85 }).toBuffer(),
    'tiny.jpg': await sharp(groupCrop).resize(150).jpeg({ quality: 90 }).toBuffer(),
    'person-alpha.png': await personWithAlpha(cut),
  };
  for (const [file, bytes] of Object.entries(sources)) {
    writeFileSync(join(sourceDir, file), bytes);
    console.log(`sources/${file.padEnd(22)} ${String(bytes.length).padStart(6)} bytes`);
  }

  for (const fixture of PHOTO_FIXTURES) {
    const bytes = files[fixture.file];
    if (!bytes) throw new Error(`fixture ${fixture.file} is listed in test/fixtures.ts but not made here`);
    writeFileSync(join(outDir, fixture.file), bytes);
    console.log(`${fixture.file.padEnd(30)} ${String(bytes.length).padStart(6)} bytes  ${fixture.description}`);
  }
  const unlisted = Object.keys(files).filter((f) => !PHOTO_FIXTURES.some((p) => p.file === f));
  if (unlisted.length) throw new Error(`made but not listed in test/fixtures.ts: ${unlisted.join(', ')}`);
}

/** The subject on a transparent background (RGBA PNG, 256-colour palette), 520 px wide: a cut-out someone made elsewhere. */
async function personWithAlpha(cut: Awaited<ReturnType<typeof cutOut>>): Promise<Buffer> {
  const { crop, alpha } = cut;
  const rgba = Buffer.alloc(crop.width * crop.height * 4);
  for (let i = 0; i < alpha.length; i++) {
    crop.data.copy(rgba, i * 4, i * 3, i * 3 + 3);
    rgba[i * 4 + 3] = Math.round(alpha[i] * 255);
  }
  return sharp(rgba, { raw: { width: crop.width, height: crop.height, channels: 4 } }).resize(520).png({ compressionLevel: 9, palette: true, quality: 90 }).toBuffer();
}

async function tilt(image: Raw, degrees: number): Promise<Raw> {
  const rotated = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .rotate(degrees, { background: { r: BLUE[0], g: BLUE[1], b: BLUE[2] } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const left = Math.round((rotated.info.width - W) / 2);
  const top = Math.round((rotated.info.height - H) / 2);
  const data = await sharp(rotated.data, { raw: { width: rotated.info.width, height: rotated.info.height, channels: 3 } })
    .extract({ left, top, width: W, height: H })
    .raw()
    .toBuffer();
  return { data, width: W, height: H };
}

/** Two people side by side: the subject and her mirror image, each framed in half the width. */
async function twoFaces(onBlue: Raw, cut: { crown: number; chinY: number; centreX: number }): Promise<Raw> {
  const half = await frame(onBlue, cut, BLUE, { width: W / 2, height: H, ratio: 0.34, crownPx: 150 });
  const mirrored = await sharp(half.data, { raw: { width: W / 2, height: H, channels: 3 } }).flop().raw().toBuffer();
  // Row by row: the two halves side by side.
  const data = Buffer.alloc(W * H * 3);
  const rowBytes = (W / 2) * 3;
  for (let y = 0; y < H; y++) {
    half.data.copy(data, y * W * 3, y * rowBytes, (y + 1) * rowBytes);
    mirrored.copy(data, y * W * 3 + rowBytes, y * rowBytes, (y + 1) * rowBytes);
  }
  return { data, width: W, height: H };
}

/** The compliant photo with the face pixelated in 24 px blocks (as an anonymised photo): a head, no face. */
async function noFace(compliant: Raw): Promise<Raw> {
  const image: RgbImage = { data: compliant.data, width: W, height: H };
  const [face] = await detectFaces(image);
  const left = Math.round(face.landmarks[0].x) - 10;
  const top = Math.round(Math.min(...face.landmarks.slice(17, 27).map((p) => p.y))) - 30;
  const width = Math.round(face.landmarks[16].x) + 10 - left;
  const height = Math.round(face.landmarks[8].y) + 10 - top;
  const block = 24;
  // Two pipelines: sharp applies only the last resize of a chain.
  const small = await sharp(compliant.data, { raw: { width: W, height: H, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(Math.ceil(width / block), Math.ceil(height / block), { kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixelated = await sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: 3 } })
    .resize(width, height, { kernel: 'nearest' })
    .raw()
    .toBuffer();
  const data = Buffer.from(compliant.data);
  for (let y = 0; y < height; y++) pixelated.copy(data, ((top + y) * W + left) * 3, y * width * 3, (y + 1) * width * 3);
  return { data, width: W, height: H };
}

/** A red knitted cap drawn over the top of the head, from the crown down to the brows' band. */
async function withHat(compliant: Raw, _cut: unknown): Promise<Raw> {
  const image: RgbImage = { data: compliant.data, width: W, height: H };
  const [face] = await detectFaces(image);
  const g = faceGeometry(face.landmarks);
  const mask = await segmentPerson(image);
  const crown = findCrown(mask, face) ?? 0;
  const x0 = face.landmarks[0].x - 18;
  const x1 = face.landmarks[16].x + 18;
  const band = g.browY - 0.35 * (g.chin.y - g.browY);
  const cx = (x0 + x1) / 2;
  const svg = `<svg width="${W}" height="${H}">
    <path d="M ${x0} ${band} C ${x0} ${crown - 10}, ${x1} ${crown - 10}, ${x1} ${band} Z" fill="rgb(200,30,45)"/>
    <rect x="${x0 - 4}" y="${band - 22}" width="${x1 - x0 + 8}" height="26" rx="8" fill="rgb(235,235,235)"/>
    <circle cx="${cx}" cy="${crown + 6}" r="12" fill="rgb(235,235,235)"/>
  </svg>`;
  const data = await sharp(compliant.data, { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: Buffer.from(svg) }])
    .removeAlpha()
    .raw()
    .toBuffer();
  return { data, width: W, height: H };
}

await main();
