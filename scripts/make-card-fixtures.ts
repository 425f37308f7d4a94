/**
 * fixtures/cards/: printed Chinese text for the OCR tests, drawn by sharp (librsvg) in Debian's
 * WenQuanYi Micro Hei (fonts-wqy-microhei, which scripts/ci-browser.sh installs). The PNGs are committed,
 * so the tests need no font. `npx tsx scripts/make-card-fixtures.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';

const dir = new URL('../fixtures/cards/', import.meta.url);
mkdirSync(dir, { recursive: true });

// Three lines as an ID card prints them: a label, then the value; the number's check character is right.
export const TEXT_LINES = ['姓名 张伟', '出生 1990年3月7日', '公民身份号码 11010519491231002X'];

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="300">
  <rect width="100%" height="100%" fill="#f4f1ea"/>
  ${TEXT_LINES.map((t, i) => `<text x="40" y="${80 + i * 80}" font-family="WenQuanYi Micro Hei" font-size="40" fill="#111">${t}</text>`).join('\n  ')}
</svg>`;
const png = await sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toBuffer();
writeFileSync(new URL('text-lines.png', dir), png);
console.log(`fixtures/cards/text-lines.png: ${png.length} bytes`);
