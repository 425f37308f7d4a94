import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputError, isEnvironmentError, isInputError, sniffNetpbm } from '../../src/cli/errors.js';
import { ErrorCode, VerifyError } from '../../src/core/errors.js';

describe('the CLI on errors: exit 1 for an input, 2 for the environment and usage', () => {
  // Every code the library has today; a code added later is about inputs unless listed here as the environment's.
  it.each([
    ['INPUT_NOT_FOUND', 'input'],
    ['INPUT_EMPTY', 'input'],
    ['INPUT_TOO_LARGE', 'input'],
    ['UNSUPPORTED_FORMAT', 'input'],
    ['IMAGE_TOO_LARGE', 'input'],
    ['CORRUPT_IMAGE', 'input'],
    ['NO_FACE', 'input'],
    ['MULTIPLE_FACES', 'input'],
    ['FACE_TOO_SMALL', 'input'],
    ['SEGMENTATION_FAILED', 'input'],
    ['SIZE_UNREACHABLE', 'input'],
    ['NOT_A_VIDEO', 'input'],
    ['NO_VIDEO_STREAM', 'input'],
    ['VIDEO_DURATION', 'input'],
    ['VIDEO_TOO_LARGE', 'input'],
    ['TOO_MANY_FRAMES', 'input'],
    ['FFMPEG_FAILED', 'input'],
    ['FFMPEG_TIMEOUT', 'input'],
    ['TIMEOUT', 'input'],
    ['WORKER_EXITED', 'input'],
    ['HEAD_CUT_OFF', 'input'], // a code this build does not know yet
    ['INVALID_ARGUMENT', 'environment'],
    ['FFMPEG_NOT_FOUND', 'environment'],
    ['MODEL_LOAD_FAILED', 'environment'],
    ['MODEL_CHECKSUM_MISMATCH', 'environment'],
    ['BACKEND_UNAVAILABLE', 'environment'],
    ['QUEUE_FULL', 'environment'],
    ['CLOSED', 'environment'],
    ['ABORTED', 'environment'],
  ])('%s is an error of the %s', (code, kind) => {
    const error = new VerifyError(code as ErrorCode, 'x');
    expect(isEnvironmentError(error)).toBe(kind === 'environment');
    expect(isInputError(error)).toBe(kind === 'input');
  });

  it('every code of ErrorCode is classified', () => {
    for (const code of Object.values(ErrorCode)) expect(isInputError(new VerifyError(code, 'x')) !== isEnvironmentError(new VerifyError(code, 'x'))).toBe(true);
  });

  it('is neither for errors that are not VerifyErrors (a bug: thrown on)', () => {
    expect(isInputError(new Error('x'))).toBe(false);
    expect(isEnvironmentError(new Error('x'))).toBe(false);
  });
});

describe('inputError: how an input error reads', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'idphoto-cli-errors-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['P1\n1 1\n1\n', 'PBM'],
    ['P4\n8 1\n\xff', 'PBM'],
    ['P2\n1 1\n255\n0\n', 'PGM'],
    ['P5\n1 1\n255\n\x00', 'PGM'],
    ['P3\n1 1\n255\n0 0 0\n', 'PPM'],
    ['P6 1 1 255 \x00\x00\x00', 'PPM'],
    ['P7\nWIDTH 1\n', 'PAM'],
    ['P8\n', undefined],
    ['PK\x03\x04', undefined],
    ['Plain text', undefined],
  ])('sniffs Netpbm by its magic number: %j → %s', (bytes, format) => {
    const file = join(dir, 'x');
    writeFileSync(file, Buffer.from(bytes, 'latin1'));
    expect(sniffNetpbm(file)).toBe(format);
  });

  it('reads "format not accepted (PGM)" for a PGM the library calls no image, in both languages', () => {
    const file = join(dir, 'scan.pgm');
    writeFileSync(file, Buffer.concat([Buffer.from('P5\n2 2\n255\n'), Buffer.alloc(4)]));
    const e = inputError(new VerifyError(ErrorCode.UNSUPPORTED_FORMAT, 'The file is not an image.', { details: { format: 'unknown' } }), file);
    expect(e).toMatchObject({ code: 'UNSUPPORTED_FORMAT', format: 'PGM' });
    expect(e.messages.en).toMatch(/^Format not accepted \(PGM\)/);
    expect(e.messages.zh).toMatch(/^格式不符合要求（PGM）/);
    expect(e.message).not.toMatch(/not an image/);
  });

  it('reads "format not accepted (HEIC)" for an image the library knows but cannot decode', () => {
    const e = inputError(new VerifyError(ErrorCode.UNSUPPORTED_FORMAT, 'This HEIC image cannot be decoded here.', { details: { format: 'heic' } }));
    expect(e.format).toBe('HEIC');
    expect(e.messages.en).toMatch(/^Format not accepted \(HEIC\)/);
  });

  it("keeps the library's words for what is no image, and for every other code", () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'not a photo');
    const notImage = new VerifyError(ErrorCode.UNSUPPORTED_FORMAT, 'The file is not an image.', { details: { format: 'unknown' } });
    expect(inputError(notImage, file)).toEqual({ code: 'UNSUPPORTED_FORMAT', message: notImage.message, messages: notImage.messages });
    const noFace = new VerifyError(ErrorCode.NO_FACE, 'No face.');
    expect(inputError(noFace).messages).toEqual(noFace.messages);
    // A thrower's own words (a code added later, a more specific message) are shown as they are.
    const own = new VerifyError('EYES_CLOSED' as ErrorCode, 'Eyes closed.', { messages: { zh: '请睁眼。', en: 'Open your eyes.' } });
    expect(inputError(own).messages).toEqual({ zh: '请睁眼。', en: 'Open your eyes.' });
  });
});
