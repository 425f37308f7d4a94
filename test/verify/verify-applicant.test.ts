import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, attemptsLeft, compareFaces, verifyApplicant } from '../../src/index.js';

// fixtures/faces (scripts/make-face-fixtures.ts), fixtures/videos (scripts/make-liveness-fixtures.ts),
// fixtures/photos (scripts/make-fixtures.ts). A submission that passes end to end needs a real talking
// video: test/data/verify-applicant.data.test.ts.
const fixture = (path: string) => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));
const submission = {
  idCard: readFileSync(fixture('faces/card-person-a.jpg')),
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
    for (const step of ["liveness", "videoMatch", "photo", "photoMatch", "total"] as const) expect(r.timings[step]).toBeGreaterThan(0);
  });

  it('compares the photo as validatePhoto decoded and detected it: what compareFaces gives on the photo itself', async () => {
    const r = await verifyApplicant(submission);
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
