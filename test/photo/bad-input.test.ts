import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, VerifyError, validatePhoto } from '../../src/index.js';
import { photoBytes, withDeclaredSize } from '../helpers.js';

const compliant = photoBytes('compliant.jpg');
const dir = mkdtempSync(join(tmpdir(), 'idphoto-bad-'));
const textFile = join(dir, 'notes.jpg');
writeFileSync(textFile, 'This is not a photo.\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function flipped(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 0; i < 64; i++) out[Math.floor(out.length * 0.5) + i * 7] ^= 0x5a;
  return out;
}

// A minimal HEIF container header: `ftyp` box with brand heic, then nothing decodable.
const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(64)]);

describe('validatePhoto refuses bad input with a typed error', () => {
  it.each([
    ['an empty buffer', Buffer.alloc(0), ErrorCode.INPUT_EMPTY],
    ['an empty Uint8Array', new Uint8Array(0), ErrorCode.INPUT_EMPTY],
    ['a missing path', join(dir, 'nope.jpg'), ErrorCode.INPUT_NOT_FOUND],
    ['a directory', dir, ErrorCode.INPUT_NOT_FOUND],
    ['a text file named .jpg', textFile, ErrorCode.UNSUPPORTED_FORMAT],
    ['random bytes', Buffer.from('00ff00ff12345678'.repeat(64), 'hex'), ErrorCode.UNSUPPORTED_FORMAT],
    ['a truncated JPEG', compliant.subarray(0, Math.floor(compliant.length / 2)), ErrorCode.CORRUPT_IMAGE],
    ['a JPEG with damaged scan data', flipped(compliant), ErrorCode.CORRUPT_IMAGE],
    ['a JPEG header of 30000×30000 px (decompression bomb)', withDeclaredSize(compliant, 30000, 30000), ErrorCode.IMAGE_TOO_LARGE],
    ['an HEIC file', heic, ErrorCode.UNSUPPORTED_FORMAT],
  ] as const)('%s → %s', async (_, input, code) => {
    const error = await validatePhoto(input as string | Buffer).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).code).toBe(code);
    expect((error as VerifyError).message.length).toBeGreaterThan(10);
  });

  it('refuses the bomb from its header, before decoding: fast and without memory growth', async () => {
    const bomb = withDeclaredSize(compliant, 30000, 30000);
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    await expect(validatePhoto(bomb)).rejects.toMatchObject({ code: ErrorCode.IMAGE_TOO_LARGE, details: { width: 30000, height: 30000 } });
    // 30000² RGB would be 2.7 GB; refusing from the header allocates nothing of that order.
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('keeps the decoder error as cause', async () => {
    const error = (await validatePhoto(compliant.subarray(0, 5000)).catch((e) => e)) as VerifyError;
    expect(error.code).toBe(ErrorCode.CORRUPT_IMAGE);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it.each([
    ['a number as input', 42, {}],
    ['null as input', null, {}],
    ['a non-object spec', compliant, { spec: 5 }],
    ['an unknown detector', compliant, { detector: 'yolo' }],
    ['a negative maxPixels', compliant, { maxPixels: -1 }],
    ['a numeric filename', compliant, { filename: 7 }],
  ] as const)('%s → INVALID_ARGUMENT naming what was expected', async (_, input, options) => {
    const error = (await validatePhoto(input as never, options as never).catch((e) => e)) as VerifyError;
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(error.message).toMatch(/^Expected .* but received/);
  });

  it('refuses inputs over maxInputBytes before reading them whole', async () => {
    await expect(validatePhoto(compliant, { maxInputBytes: 1000 })).rejects.toMatchObject({ code: ErrorCode.INPUT_TOO_LARGE });
  });

  it('a photo that merely breaks the spec is a result, not an error', async () => {
    const result = await validatePhoto(photoBytes('png-named-jpg.jpg'), { filename: 'upload.jpg' });
    expect(result.passed).toBe(false);
    expect(result.checks.find((c) => c.id === 'format')!.measured).toMatchObject({ format: 'png' });
  });
});
