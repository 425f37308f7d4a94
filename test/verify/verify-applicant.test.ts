import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, attemptsLeft, compareFaces, verifyApplicant } from '../../src/index.js';

// fixtures/cards (scripts/make-synthetic-cards.ts --fixtures: person A's card), fixtures/videos
// (scripts/make-liveness-fixtures.ts), fixtures/photos (scripts/make-fixtures.ts). A submission that
// passes end to end needs a real talking video: test/data/verify-applicant.data.test.ts.
const fixture = (path: string) => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));
const CARDS = JSON.parse(readFileSync(fixture('cards/synthetic.json'), 'utf8')) as Array<{ file: string; fields: Record<string, string> }>;
const personA = CARDS.find((c) => c.file === 'synthetic-portrait-person-a.jpg')!.fields;
const submission = {
  idCard: readFileSync(fixture('cards/synthetic-portrait-person-a.jpg')),
  video: fixture('videos/photo-voice.mp4'),
  photo: fixture('photos/compliant.jpg'),
};

describe('verifyApplicant', () => {
  it("runs every step and gives each failure as a stable code with the step it came from", async () => {
    const r = await verifyApplicant({ ...submission, attempt: 1 });
    expect(r.passed).toBe(false);
    expect(r.attemptsLeft).toBe(2);
    // The video is person A's still photo over a voice: live-ness fails on the lips, but it is person A.
    expect(r.steps.liveness!.codes).toEqual(['LIP_MOVEMENT_TOO_SMALL']);
    expect(r.steps.videoMatch!.match).toBe(true);
    // The uploaded photo meets the spec but shows someone else than the card.
    expect(r.steps.photo!.passed).toBe(true);
    expect(r.steps.photoMatch!.match).toBe(false);
    expect(r.reasons.map((x) => `${x.step}:${x.id}`)).toEqual(['liveness:LIP_MOVEMENT_TOO_SMALL', 'photoMatch:FACE_MISMATCH']);
    for (const reason of r.reasons) {
      expect(reason.message.zh.length).toBeGreaterThan(0);
      expect(reason.message.en.length).toBeGreaterThan(0);
    }
    for (const step of ['card', 'liveness', 'videoMatch', 'photo', 'photoMatch', 'total'] as const) expect(r.timings[step]).toBeGreaterThan(0);
    // The card was read, and its portrait (found at the rotation its text gave) is the one compared.
    expect(r.steps.card).toMatchObject({ side: 'portrait', rotation: 0, fields: { name: { value: personA.name }, idNumber: { value: personA.idNumber } } });
    expect(r.steps.videoMatch!.idCardFace!.box).toEqual(r.steps.card!.portrait!.box);
  });

  it('checks the card against what the applicant registered with: the number and the name', async () => {
    const same = await verifyApplicant({ ...submission, expected: { idNumber: personA.idNumber!, name: personA.name! } });
    expect(same.reasons.filter((x) => x.step === 'card')).toEqual([]);
    const other = await verifyApplicant({ ...submission, expected: { idNumber: '11010519491231002X', name: '张伟' } });
    expect(other.passed).toBe(false);
    expect(other.reasons.filter((x) => x.step === 'card').map((x) => x.id)).toEqual(['ID_NUMBER_MISMATCH', 'NAME_MISMATCH']);
    for (const x of other.reasons) expect(x.message.zh.length * x.message.en.length).toBeGreaterThan(0);
    expect(other.reasons[0]).toMatchObject({ severity: 'error', measured: { idNumber: personA.idNumber }, limit: { expected: '11010519491231002X' } });
  });

  it('the emblem side is WRONG_CARD_SIDE; a wrong check character is ID_NUMBER_INVALID', async () => {
    const emblem = await verifyApplicant({ ...submission, idCard: fixture('cards/synthetic-emblem-270.jpg') });
    expect(emblem.reasons.map((x) => `${x.step}:${x.id}`)).toContain('card:WRONG_CARD_SIDE');
    expect(emblem.steps.card!.side).toBe('emblem');
    const bad = await verifyApplicant({ ...submission, idCard: fixture('cards/synthetic-portrait-180-bad-check.jpg') });
    expect(bad.reasons.filter((x) => x.step === 'card').map((x) => x.id)).toEqual(['ID_NUMBER_INVALID']);
    expect(bad.reasons[0]!.measured).toMatchObject({ cardReasons: ['ID_NUMBER_CHECKSUM'] });
  });

  it('a card without text only warns when nothing is expected of it; readCard: false skips the card', async () => {
    const unreadable = await verifyApplicant({ ...submission, idCard: fixture('faces/card-person-a.jpg') });
    expect(unreadable.reasons.filter((x) => x.step === 'card').map((x) => [x.id, x.severity])).toEqual([['CARD_UNREADABLE', 'warning']]);
    expect(unreadable.steps.videoMatch!.match).toBe(true);
    const skipped = await verifyApplicant({ ...submission, idCard: fixture('faces/card-person-a.jpg') }, { readCard: false });
    expect(skipped.steps.card).toBeUndefined();
    expect(skipped.reasons.filter((x) => x.step === 'card')).toEqual([]);
    await expect(verifyApplicant({ ...submission, expected: { idNumber: 110105 as never } })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it('compares the photo as validatePhoto decoded and detected it: what compareFaces gives on the photo itself', async () => {
    // readCard: false, so that the card's portrait is searched as compareFaces searches it (with the card
    // read, it is found where the layout puts it: the same face, a box a few pixels apart).
    const r = await verifyApplicant(submission, { readCard: false });
    const direct = await compareFaces(submission.idCard, [submission.photo], { minFrames: 1 });
    expect(r.steps.photoMatch).toMatchObject({ match: direct.match, similarity: direct.similarity, frames: direct.frames, reasons: direct.reasons });
    expect(r.steps.photoMatch!.similarity).toBeGreaterThan(0);
  });

  it('a failed photo check is a PHOTO_ code; the last attempt failing adds ATTEMPTS_EXHAUSTED', async () => {
    const r = await verifyApplicant({ ...submission, photo: fixture('photos/size-60kb.jpg'), attempt: 3 });
    expect(r.attemptsLeft).toBe(0);
    const codes = r.reasons.map((x) => x.id);
    expect(codes).toContain('PHOTO_FILE_SIZE');
    expect(codes.at(-1)).toBe('ATTEMPTS_EXHAUSTED');
  });

  it('after the last attempt nothing is run', async () => {
    const r = await verifyApplicant({ ...submission, attempt: 4 });
    expect(r).toMatchObject({ passed: false, steps: {}, attemptsLeft: 0, reasons: [{ step: 'attempts', id: 'ATTEMPTS_EXHAUSTED', severity: 'error', measured: { attempt: 4 }, limit: { maxAttempts: 3 } }] });
  });

  it('bad input is a typed error', async () => {
    await expect(verifyApplicant({ ...submission, attempt: 0 })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(verifyApplicant({ ...submission, video: Buffer.alloc(0) })).rejects.toMatchObject({ code: ErrorCode.INPUT_EMPTY });
    await expect(verifyApplicant(null as never)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });
});

describe('attemptsLeft: the attempt policy', () => {
  it.each([
    [1, 3, 2],
    [2, 3, 1],
    [3, 3, 0],
    [5, 3, 0],
    [1, 1, 0],
  ])('attempt %i of %i leaves %i', (attempt, max, left) => {
    expect(attemptsLeft(attempt, max)).toBe(left);
  });

  it.each([[0], [1.5], [-1]])('refuses attempt %j', (attempt) => {
    expect(() => attemptsLeft(attempt)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});
