/**
 * Makes the face-comparison fixtures in fixtures/faces/ from the group photos that an npm dependency
 * ships (`@vladmandic/face-api/demo/sample1.jpg`, `sample3.jpg`, `sample6.jpg`; MIT package):
 *
 * - person-a.jpg, person-b.jpg, person-c.jpg: three different women, each cut from a different photo.
 * - person-a-frame-1..3.jpg: "video frames" of person A, made from the same photo: another crop and
 *   scale, darker, turned 6°, mirrored, smaller, JPEG q70. (Same-person pairs across different photos
 *   are tested on ../shared/data; these keep `npm test` self-contained.)
 * - card-person-a.jpg: an ID-card-like layout (85.6 × 54 mm proportions) with person A's portrait
 *   (turned upright: she tilts her head 45°) printed small on the right, a guilloche pattern and text bars, photographed on a desk at a slight tilt.
 * - card-no-portrait.jpg: the same card without a portrait.
 *
 *   npm run face-fixtures     (deterministic for a given sharp/libvips; commit the output)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';

const require = createRequire(import.meta.url);
const root = join(dirname(new URL(import.meta.url).pathname), '..');
const outDir = join(root, 'fixtures', 'faces');
mkdirSync(outDir, { recursive: true });

const sample = (n: number) => require.resolve(`@vladmandic/face-api/demo/sample${n}.jpg`);

// Face boxes found by the library's SSD detector at full resolution (x, y, width, height).
const PEOPLE = {
  a: { file: sample(1), box: [1476, 199, 203, 241] },
  b: { file: sample(3), box: [1514, 292, 170, 280] },
  c: { file: sample(6), box: [1487, 263, 212, 296] },
} as const;

async function portrait(person: keyof typeof PEOPLE, grow = 1.9, shiftX = 0, shiftY = -0.05): Promise<Sharp> {
  const { file, box } = PEOPLE[person];
  const [x, y, w, h] = box;
  const meta = await sharp(file).metadata();
  const side = Math.round(Math.max(w, h) * grow);
  const left = Math.max(0, Math.round(x + w / 2 - side / 2 + shiftX * side));
  const top = Math.max(0, Math.round(y + h / 2 - side / 2 + shiftY * side));
  return sharp(file).extract({
    left,
    top,
    width: Math.min(side, meta.width! - left),
    height: Math.min(Math.round(side * 1.2), meta.height! - top),
  });
}

async function write(name: string, image: Sharp, quality = 85) {
  const bytes = await image.jpeg({ quality }).toBuffer();
  writeFileSync(join(outDir, name), bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}

await write('person-a.jpg', (await portrait('a')).resize(360));
await write('person-b.jpg', (await portrait('b')).resize(360));
await write('person-c.jpg', (await portrait('c')).resize(360));
await write('person-a-frame-1.jpg', (await portrait('a', 2.4, 0.08, 0)).resize(320).modulate({ brightness: 0.8 }), 70);
await write('person-a-frame-2.jpg', sharp(await (await portrait('a', 2.1)).resize(300).rotate(6, { background: '#555' }).toBuffer()), 70);
await write('person-a-frame-3.jpg', (await portrait('a', 1.7, -0.05, 0)).resize(280).flop().modulate({ saturation: 0.7 }), 70);

/** A card 856×540 with text bars and a guilloche; the portrait (if any) sits on the right like a Chinese ID card's. */
async function card(withPortrait: boolean): Promise<Buffer> {
  const W = 856;
  const H = 540;
  const bg = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      const wave = 10 * Math.sin(x * 0.11 + 4 * Math.sin(y * 0.05));
      bg[o] = 226 + wave;
      bg[o + 1] = 232 + wave * 0.5;
      bg[o + 2] = 236 - wave * 0.3;
    }
  const layers: OverlayOptions[] = [];
  // Text lines: dark bars where the name, sex, birth date, address and number would be.
  for (const [x, y, w] of [
    [60, 70, 220], [60, 130, 160], [60, 190, 300], [60, 250, 380], [60, 290, 340], [60, 330, 300], [200, 450, 520],
  ] as const) {
    layers.push({ input: { create: { width: w, height: 22, channels: 3, background: '#3a3a3a' } }, left: x, top: y });
  }
  if (withPortrait) {
    // Person A tilts her head 45°: an ID portrait is upright, so the crop is turned back first.
    const turned = await (await portrait('a', 2.6, 0, 0)).rotate(-44, { background: '#dde3e8' }).toBuffer({ resolveWithObject: true });
    const { width, height } = turned.info;
    const face = await sharp(turned.data)
      .extract({ left: Math.round(width * 0.27), top: Math.round(height * 0.22), width: Math.round(width * 0.44), height: Math.round(width * 0.55) })
      .resize(200, 250, { fit: 'cover' })
      .modulate({ saturation: 0.85 })
      .toBuffer();
    layers.push({ input: face, left: 600, top: 80, blend: 'multiply' });
  }
  const flat = await sharp(bg, { raw: { width: W, height: H, channels: 3 } }).composite(layers).jpeg({ quality: 80 }).toBuffer();
  // Photographed on a desk: a darker surround, turned 4°, reduced and recompressed.
  return sharp(flat)
    .extend({ top: 90, bottom: 90, left: 120, right: 120, background: '#6b5a48' })
    .rotate(4, { background: '#6b5a48' })
    .resize(900)
    .jpeg({ quality: 75 })
    .toBuffer();
}

for (const [name, withPortrait] of [['card-person-a.jpg', true], ['card-no-portrait.jpg', false]] as const) {
  const bytes = await card(withPortrait);
  writeFileSync(join(outDir, name), bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}
