import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  analyzeReadingVideo,
  compareFaces,
  compressToSpec,
  createVerifier,
  defineSpec,
  extractFramesFromReadingVideo,
  loadModels,
  prepareCard,
  prepareFrames,
  validatePhoto,
  verifyApplicant,
} from '../../src/index.js';
import { photo } from '../helpers.js';

const compliant = photo('compliant.jpg');
const submission = { idCard: compliant, video: 'x.mp4', photo: compliant };

// Misuse is refused before any work, naming the key, what was expected and what came (sharp's way).
const MISUSE: Array<[string, () => unknown, RegExp]> = [
  ['a misspelt option', () => validatePhoto(compliant, { detecter: 'tiny' } as never), /Unknown option detecter.*did you mean detector\?/],
  ['a misspelt spec key', () => validatePhoto(compliant, { spec: { fileSize: { maxKb: 10 } } } as never), /Unknown option spec\.fileSize\.maxKb.*did you mean maxKB\?/],
  ['a negative size', () => extractFramesFromReadingVideo('x.mp4', { maxWidth: -5 }), /^Expected positive integer for maxWidth but received -5 of type number$/],
  ['options that are not an object', () => compareFaces(compliant, [compliant], 'strict' as never), /Expected object for options but received "strict" of type string/],
  ['a detector that does not exist', () => validatePhoto(compliant, { detector: 'yolo' as never }), /Expected one of 'auto', 'ultraface', 'ssd', 'tiny' for detector/],
  ['a spec value of the wrong type', () => validatePhoto(compliant, { spec: { width: '480' as never } }), /Expected positive number for spec\.width but received "480"/],
  ['a share above 1', () => defineSpec({ background: { minShare: 1.5 } }), /Expected number between 0 and 1 for spec\.background\.minShare/],
  ['a kilobyte that is neither', () => defineSpec({ fileSize: { kilobyte: 1023 as never } }), /for spec\.fileSize\.kilobyte/],
  ['a byte band upside down', () => defineSpec({ fileSize: { minKB: 50 } }), /for spec\.fileSize/],
  ['a bad background colour', () => compressToSpec(compliant, { backgroundColor: 'blue' }), /for backgroundColor/],
  ['an upscale below 1', () => compressToSpec(compliant, { maxUpscale: 0.5 }), /Expected number ≥ 1 for maxUpscale/],
  ['a FAR not calibrated', () => compareFaces(compliant, [compliant], { far: 0.05 as never }), /for far/],
  ['a card option prepareCard does not take', () => prepareCard(compliant, { minFrames: 2 } as never), /Unknown option minFrames/],
  ['prepareFrames given a card option', () => prepareFrames([compliant], { cardDetector: 'ssd' } as never), /Unknown option cardDetector/],
  ['a renamed video option', () => extractFramesFromReadingVideo('x.mp4', { maxFileBytes: 10 } as never), /Unknown option maxFileBytes/],
  ['an fps out of range', () => analyzeReadingVideo('x.mp4', { fps: 60 }), /Expected number between 4 and 30 for fps/],
  ['challenge digits that are not digits', () => analyzeReadingVideo('x.mp4', { challengeDigits: '38o6' }), /for challengeDigits/],
  ['verifyApplicant: a bad photo option', () => verifyApplicant(submission, { photo: { detecter: 'ssd' } as never }), /Unknown option photo\.detecter/],
  ['verifyApplicant: a bad video option', () => verifyApplicant(submission, { video: { fps: 2 } }), /for video\.fps/],
  ['verifyApplicant: an unknown submission key', () => verifyApplicant({ ...submission, idcard: compliant } as never), /Unknown option submission\.idcard.*did you mean idCard\?/],
  ['a timeout of zero', () => validatePhoto(compliant, { timeoutMs: 0 }), /for timeoutMs/],
  ['a signal that is not one', () => validatePhoto(compliant, { signal: {} as never }), /Expected AbortSignal for signal/],
  ['createVerifier: workers out of range', () => createVerifier({ workers: 0 }), /Expected integer between 1 and 256 for workers/],
  ['loadModels: a model that does not exist', () => loadModels({ models: ['yolo' as never] }), /for models/],
  // Keys that are Object.prototype's members must be unknown keys, not its functions (was: TypeError "r.test is not a function").
  ...(['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const).flatMap((key): Array<[string, () => unknown, RegExp]> => [
    [`an option named ${key}`, () => validatePhoto(compliant, JSON.parse(`{"${key}": 1}`)), new RegExp(`Unknown option ${key}`)],
    [`a spec key named ${key}`, () => validatePhoto(compliant, { spec: JSON.parse(`{"${key}": 1}`) }), new RegExp(`Unknown option spec\\.${key}`)],
    [`a nested spec key named ${key}`, () => defineSpec({ fileSize: JSON.parse(`{"${key}": 1}`) }), new RegExp(`Unknown option spec\\.fileSize\\.${key}`)],
    [`verifyApplicant: a video option named ${key}`, () => verifyApplicant(submission, { video: JSON.parse(`{"${key}": 1}`) }), new RegExp(`Unknown option video\\.${key}`)],
    [`createVerifier: an option named ${key}`, () => createVerifier(JSON.parse(`{"${key}": 1}`)), new RegExp(`Unknown option ${key}`)],
    [`loadModels: a model named ${key}`, () => loadModels({ models: [key as never] }), /for models/],
  ]),
  // A value echoed in a message is cut: a 2 MB option or a base64 string is not repeated whole.
  ['a 2 MB detector string', () => validatePhoto(compliant, { detector: 'x'.repeat(2_000_000) as never }), /^Expected .{0,200}"x{79}… \(2000002 characters\) of type string$/],
];

describe('options are checked the sharp way', () => {
  it.each(MISUSE)('%s → INVALID_ARGUMENT', async (_, call, message) => {
    const error = await (async () => call())().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    expect((error as Error).message).toMatch(message);
  });

  it('a base64 string given as a path is INPUT_NOT_FOUND with the string cut in the message, not 80,000 characters of it', async () => {
    const base64 = Buffer.alloc(60_000, 7).toString('base64');
    const error = (await validatePhoto(base64).catch((e: unknown) => e)) as { code: string; message: string };
    expect(error.code).toBe(ErrorCode.INPUT_NOT_FOUND);
    expect(error.message.length).toBeLessThan(200);
  });

  it('undefined values and null options are no options: the defaults hold', async () => {
    expect((await validatePhoto(compliant, { detector: undefined, spec: undefined })).passed).toBe(true);
    expect((await validatePhoto(compliant, null as never)).passed).toBe(true);
  });
});
