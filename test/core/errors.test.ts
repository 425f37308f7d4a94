import { describe, expect, it } from 'vitest';
import { ERROR_MESSAGES, ErrorCode, VerifyError, invalidArgument, isVerifyError } from '../../src/core/errors.js';

type ErrorsModule = typeof import('../../src/core/errors.js');

// A query string makes vite load the file again as a separate module: its own class, as when a process
// loads both the ESM and the CJS build. A variable keeps tsc from resolving the `?copy` specifier.
const copySpecifier = '../../src/core/errors.ts?copy';
const loadCopy = async (): Promise<ErrorsModule> => (await import(/* @vite-ignore */ copySpecifier)) as ErrorsModule;

const CJK = /[\u4e00-\u9fff]/;
const codes = Object.values(ErrorCode);

describe('ERROR_MESSAGES', () => {
  it.each(codes)('%s has a Chinese and an English message', (code) => {
    const { zh, en } = ERROR_MESSAGES[code];
    expect(zh).toMatch(CJK);
    expect(en.trim()).not.toBe('');
    expect(en).not.toMatch(CJK);
  });

  it('covers exactly the codes, and is frozen', () => {
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...codes].sort());
    expect(Object.isFrozen(ERROR_MESSAGES)).toBe(true);
    expect(Object.isFrozen(ERROR_MESSAGES.FACE_TOO_SMALL)).toBe(true);
  });

  it('applicant-data codes ask for a new upload or recording', () => {
    const applicant = [
      'INPUT_EMPTY', 'INPUT_TOO_LARGE', 'UNSUPPORTED_FORMAT', 'IMAGE_TOO_LARGE', 'CORRUPT_IMAGE', 'NO_FACE', 'MULTIPLE_FACES', 'FACE_TOO_SMALL',
      'SEGMENTATION_FAILED', 'SIZE_UNREACHABLE', 'NOT_A_VIDEO', 'NO_VIDEO_STREAM', 'VIDEO_DURATION', 'VIDEO_TOO_LARGE', 'TOO_MANY_FRAMES',
    ] as const;
    for (const code of applicant) expect(ERROR_MESSAGES[code].zh, code).toMatch(/上传/);
  });

  it('service-side codes say to try again later, with no technical words', () => {
    for (const code of ['FFMPEG_NOT_FOUND', 'FFMPEG_TIMEOUT', 'MODEL_LOAD_FAILED', 'MODEL_CHECKSUM_MISMATCH', 'BACKEND_UNAVAILABLE', 'QUEUE_FULL', 'TIMEOUT', 'CLOSED'] as const) {
      const { zh, en } = ERROR_MESSAGES[code];
      expect(zh, code).toMatch(/稍后重试/);
      expect(en, code).toMatch(/try again later/i);
      expect(`${zh} ${en}`, code).not.toMatch(/ffmpeg|ffprobe|model|backend|tensorflow|sha256|worker|queue/i);
    }
  });
});

describe('VerifyError', () => {
  it('takes its messages from the table by default; message stays the technical English', () => {
    const error = new VerifyError(ErrorCode.FACE_TOO_SMALL, 'The face is 80 px wide; 120 px needed at maxUpscale 1.5.');
    expect(error.message).toBe('The face is 80 px wide; 120 px needed at maxUpscale 1.5.');
    expect(error.messages).toEqual(ERROR_MESSAGES.FACE_TOO_SMALL);
    expect(error.messages.zh).toMatch(/人脸太小/);
  });

  it('a specific messages pair overrides the table', () => {
    const messages = { zh: '视频时长为3秒，应为5–30秒，请重新录制后上传。', en: 'The video is 3 s long; 5–30 s is needed. Please record it again.' };
    const error = new VerifyError(ErrorCode.VIDEO_DURATION, 'Duration 3 s is outside 5–30 s.', { messages });
    expect(error.messages).toEqual(messages);
    expect(error.messages).not.toBe(messages);
    expect(Object.isFrozen(error.messages)).toBe(true);
    expect(ERROR_MESSAGES.VIDEO_DURATION).not.toEqual(messages);
  });

  it('a code outside the table, or half a pair from JS, still leaves both languages', () => {
    for (const code of ['SOMETHING_NEW', 'toString']) {
      const { zh, en } = new VerifyError(code as ErrorCode, 'x').messages;
      expect(zh).toMatch(CJK);
      expect(typeof en).toBe('string');
    }
    const half = new VerifyError(ErrorCode.NO_FACE, 'x', { messages: { zh: '请正对镜头。' } as never }).messages;
    expect(half).toEqual({ zh: '请正对镜头。', en: ERROR_MESSAGES.NO_FACE.en });
  });

  it('keeps cause and details', () => {
    const cause = new Error('ENOENT');
    const error = new VerifyError(ErrorCode.INPUT_NOT_FOUND, 'Cannot read the image file a.jpg.', { cause, details: { path: 'a.jpg' } });
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ path: 'a.jpg' });
    expect(Object.isFrozen(error.details)).toBe(true);
    expect(error.code).toBe('INPUT_NOT_FOUND');
    expect(error.name).toBe('VerifyError');
    expect(error).toBeInstanceOf(Error);
    expect(error.stack).toContain('errors.test.ts');
    expect('cause' in new VerifyError(ErrorCode.TIMEOUT, 'late')).toBe(false);
  });

  it('invalidArgument says what was expected and what came', () => {
    const error = invalidArgument('options.count', 'an integer from 1 to 64', 88.2);
    expect(error.message).toBe('Expected an integer from 1 to 64 for options.count but received 88.2 of type number');
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(error.details).toEqual({ name: 'options.count', expected: 'an integer from 1 to 64' });
    expect(error.messages).toEqual(ERROR_MESSAGES.INVALID_ARGUMENT);
    expect(invalidArgument('input', 'a path', '').message).toBe('Expected a path for input but received "" of type string');
    expect(invalidArgument('rows', 'an array', null).message).toBe('Expected an array for rows but received null of type null');
  });

  it('toJSON gives name, code, message, messages and details; JSON.stringify uses it', () => {
    const error = new VerifyError(ErrorCode.QUEUE_FULL, 'The queue is full (2 workers + 8 queued).', { cause: new Error('internal'), details: { maxQueue: 8 } });
    expect(error.toJSON()).toEqual({
      name: 'VerifyError',
      code: 'QUEUE_FULL',
      message: 'The queue is full (2 workers + 8 queued).',
      messages: ERROR_MESSAGES.QUEUE_FULL,
      details: { maxQueue: 8 },
    });
    const sent = JSON.parse(JSON.stringify({ error }));
    expect(sent.error.code).toBe('QUEUE_FULL');
    expect(sent.error.messages).toEqual(ERROR_MESSAGES.QUEUE_FULL);
    expect(sent.error.message).toBe(error.message);
    // The stack and cause are internals, not for clients.
    expect(sent.error).not.toHaveProperty('stack');
    expect(sent.error).not.toHaveProperty('cause');
  });
});

describe('the brand', () => {
  const brand = Symbol.for('idphoto-verify.VerifyError');

  it('is a non-enumerable Symbol.for property on each instance', () => {
    const error = new VerifyError(ErrorCode.NO_FACE, 'No face.');
    expect((error as unknown as Record<symbol, unknown>)[brand]).toBe(true);
    expect(Object.getOwnPropertyDescriptor(error, brand)?.enumerable).toBe(false);
    // Non-enumerable: a spread copy of an error's fields is not itself taken for an error.
    expect(isVerifyError({ ...error })).toBe(false);
  });

  it('isVerifyError checks the brand and, if given, the code', () => {
    const error = new VerifyError(ErrorCode.NO_FACE, 'No face.');
    expect(isVerifyError(error)).toBe(true);
    expect(isVerifyError(error, ErrorCode.NO_FACE)).toBe(true);
    expect(isVerifyError(error, ErrorCode.MULTIPLE_FACES)).toBe(false);
    for (const value of [new Error('x'), { code: 'NO_FACE', name: 'VerifyError' }, null, undefined, 'NO_FACE', 0]) {
      expect(isVerifyError(value)).toBe(false);
      expect(value instanceof VerifyError).toBe(false);
    }
  });

  it('vite loads the ?copy import as a separate module with its own class', async () => {
    const copy = await loadCopy();
    expect(copy.VerifyError).not.toBe(VerifyError);
    expect(Object.getPrototypeOf(new copy.VerifyError(ErrorCode.NO_FACE, 'x'))).not.toBe(VerifyError.prototype);
  });

  it('each copy recognises the other copy’s errors, by isVerifyError and by instanceof', async () => {
    const copy = await loadCopy();
    const theirs = new copy.VerifyError(ErrorCode.FACE_TOO_SMALL, 'Face too small.', { details: { faceWidthPx: 80 } });
    const ours = new VerifyError(ErrorCode.TIMEOUT, 'Late.');
    // Without the brand, ordinary instanceof would say false here: the prototypes differ.
    expect(Object.prototype.isPrototypeOf.call(VerifyError.prototype, theirs)).toBe(false);
    expect(isVerifyError(theirs)).toBe(true);
    expect(isVerifyError(theirs, ErrorCode.FACE_TOO_SMALL)).toBe(true);
    expect(isVerifyError(theirs, ErrorCode.NO_FACE)).toBe(false);
    expect(theirs instanceof VerifyError).toBe(true);
    expect(copy.isVerifyError(ours, ErrorCode.TIMEOUT)).toBe(true);
    expect(ours instanceof copy.VerifyError).toBe(true);
    expect(theirs.messages.zh).toBe(ERROR_MESSAGES.FACE_TOO_SMALL.zh);
  });

  it('a plain object carrying the brand counts as one (what any other copy makes)', () => {
    const foreign = Object.defineProperty({ code: 'NO_FACE', message: 'No face.' }, brand, { value: true });
    expect(isVerifyError(foreign, ErrorCode.NO_FACE)).toBe(true);
    expect(foreign instanceof VerifyError).toBe(true);
  });

  it('a subclass keeps ordinary instanceof', () => {
    class Sub extends VerifyError {}
    const sub = new Sub(ErrorCode.CLOSED, 'Closed.');
    expect(sub instanceof Sub).toBe(true);
    expect(sub instanceof VerifyError).toBe(true);
    expect(new VerifyError(ErrorCode.CLOSED, 'Closed.') instanceof Sub).toBe(false);
  });
});
