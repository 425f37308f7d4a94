/**
 * verify and compare as people read them, on results made here (verifyApplicant is mocked: a passing
 * verification needs a recording of the card's person reading, which the fixtures do not have).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { capture } from './capture.js';
import { main } from '../../src/cli/main.js';
import type { CompareFacesResult } from '../../src/compare/types.js';
import { ErrorCode, VerifyError } from '../../src/core/errors.js';
import type { LivenessSignal, ReadingVideoAnalysis, SignalId } from '../../src/liveness/types.js';
import type { ApplicantVerification } from '../../src/verify/types.js';

const verifyApplicant = vi.hoisted(() => vi.fn());
vi.mock('../../src/verify/verify-applicant.js', () => ({ verifyApplicant }));

function signal(id: SignalId, status: LivenessSignal['status'], message = { en: `${id}: passed.`, zh: `${id}：通过。` }): LivenessSignal {
  return { id, status, passed: status !== 'failed', severity: 'error', measured: id === 'presentationAttack' ? { screenPattern: 4.6, liveScore: 0.9, framesScored: 8 } : {}, limit: {}, message, codes: [] } as unknown as LivenessSignal;
}

const NOT_CHECKED = { en: 'The spoken digits were not checked (no speech recogniser was given).', zh: '未核对朗读的数字（未提供语音识别）。' };

function match(similarity: number): CompareFacesResult {
  return { match: similarity >= 0.49, similarity, threshold: 0.49, far: 1e-3, idCardFace: {} as never, frames: [], reasons: [], usedFrames: 8, timings: {} };
}

/** A verification that passed every step; the digits not checked, as without a speech recogniser. */
function passing(): ApplicantVerification {
  const signals = {
    speech: signal('speech', 'passed'),
    lipSync: signal('lipSync', 'passed'),
    faceConsistency: signal('faceConsistency', 'passed'),
    presentationAttack: signal('presentationAttack', 'passed'),
    quality: signal('quality', 'passed'),
    digits: signal('digits', 'not-checked', NOT_CHECKED),
  } as unknown as ReadingVideoAnalysis['signals'];
  const liveness = { passed: true, signals, codes: [], recording: { frames: [{ image: Buffer.from('jpeg'), timestamp: 1 }] }, samples: [], timings: {} } as unknown as ReadingVideoAnalysis;
  return { passed: true, steps: { liveness, videoMatch: match(0.8), photo: { passed: true, checks: [] } as never, photoMatch: match(0.7) }, reasons: [], attemptsLeft: 2, timings: {} };
}

const ARGS = ['verify', '--id-card', 'card.jpg', '--video', 'reading.mp4', '--photo', 'photo.jpg'];


beforeEach(() => {
  verifyApplicant.mockReset();
});
afterEach(() => vi.restoreAllMocks());

describe('idphoto-verify verify', () => {
  it('says "digits not checked" in the verdict when digits were given and could not be checked', async () => {
    verifyApplicant.mockResolvedValue(passing());
    const { out } = capture();
    expect(await main([...ARGS, '--digits', '3806', '--locale', 'en'])).toBe(0);
    expect(out[0]).toBe('✓ passed, digits not checked (attempts left: 2)');
    expect(verifyApplicant.mock.calls[0]![0]).toMatchObject({ challengeDigits: '3806' });
  });

  it('passes --id-number and --name as what the card must show, and prints the card step with its reasons', async () => {
    const r = passing();
    const card = { side: 'portrait', rotation: 0, skewDeg: 0, fields: { name: { value: '张伟', confidence: 1 }, idNumber: { value: '11010519491231002X', confidence: 1 } }, reasons: [], lines: [], timings: {} };
    const mismatch = { step: 'card', id: 'NAME_MISMATCH', status: 'failed', passed: false, severity: 'error', measured: { name: '张伟' }, limit: { expected: '李娜' }, message: { en: 'The name on the ID card is not the name the applicant registered with.', zh: '身份证上的姓名与报名登记的姓名不一致。' } };
    verifyApplicant.mockResolvedValue({ ...r, passed: false, steps: { card, ...r.steps }, reasons: [mismatch] });
    const { out } = capture();
    expect(await main([...ARGS, '--id-number', '11010519491231002x', '--name', '李娜', '--locale', 'en'])).toBe(1);
    expect(verifyApplicant.mock.calls[0]![0]).toMatchObject({ expected: { idNumber: '11010519491231002x', name: '李娜' } });
    expect(out[1]).toBe('  ✗ ID card: 张伟 11010519491231002X');
    expect(out[2]).toBe('      The name on the ID card is not the name the applicant registered with. (NAME_MISMATCH)');
  });

  it('refuses an --id-number that is not 17 digits and a check character', async () => {
    const { err } = capture();
    expect(await main([...ARGS, '--id-number', '12345'])).toBe(2);
    expect(err[0]).toMatch(/--id-number must be 17 digits and a digit or X, not 12345/);
    expect(verifyApplicant).not.toHaveBeenCalled();
  });

  it('does not mention the digits when none were given', async () => {
    verifyApplicant.mockResolvedValue(passing());
    const { out } = capture();
    expect(await main([...ARGS, '--locale', 'en'])).toBe(0);
    expect(out[0]).toBe('✓ passed (attempts left: 2)');
  });

  it('fails with --require-digits when the digits were not checked, and says why', async () => {
    verifyApplicant.mockResolvedValue(passing());
    let c = capture();
    expect(await main([...ARGS, '--digits', '3806', '--require-digits', '--locale', 'en'])).toBe(1);
    expect(c.out[0]).toBe('✗ failed, digits not checked (attempts left: 2)');
    expect(c.out.join('\n')).toMatch(/✗ the digits read are the ones shown: The spoken digits were not checked/);
    vi.restoreAllMocks();
    c = capture();
    expect(await main([...ARGS, '--digits', '3806', '--require-digits', '--json'])).toBe(1);
    const r = JSON.parse(c.out[0]!);
    expect(r).toMatchObject({ passed: false, digitsChecked: false });
    expect(r.reasons).toContainEqual(expect.objectContaining({ step: 'liveness', id: 'DIGITS_NOT_CHECKED', status: 'not-checked', message: NOT_CHECKED }));
    // The frames' bytes stay out of the JSON.
    expect(r.steps.liveness.recording.frames[0]).toEqual({ timestamp: 1 });
  });

  it.each(['en', 'zh'] as const)('names passing signals in the language of the run (%s), never by their ids', async (locale) => {
    verifyApplicant.mockResolvedValue(passing());
    const { out } = capture();
    await main([...ARGS, '--digits', '3806', '--locale', locale]);
    const text = out.join('\n');
    expect(text).not.toMatch(/\b(speech|lipSync|faceConsistency|presentationAttack|quality|digits)\s*[:：]|passed\.|通过。/);
    if (locale === 'zh') {
      expect(text).toMatch(/✓ 唇动与声音一致/);
      expect(text).toMatch(/^✓ 通过，未核对朗读的数字（剩余验证次数：2）$/m);
      expect(text).toMatch(/✓ 视频与身份证比对：同一人，相似度 0\.8/);
      expect(text).not.toMatch(/[a-z]{3,}/); // no English word
    } else {
      expect(text).toMatch(/✓ lips move with the voice/);
      expect(text).toMatch(/✓ video vs ID card: same person, similarity 0\.8/);
      expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('exits 1 with the message for people when an input cannot be read, naming the video for a video code', async () => {
    verifyApplicant.mockImplementation(async () => {
      throw new VerifyError(ErrorCode.NOT_A_VIDEO, 'The file is not a readable video.');
    });
    let c = capture();
    expect(await main([...ARGS, '--locale', 'zh'])).toBe(1);
    expect(c.out).toEqual(['✗ reading.mp4：无法读取该视频文件，请上传完整的视频（如MP4格式）。（NOT_A_VIDEO）']);
    vi.restoreAllMocks();
    c = capture();
    expect(await main([...ARGS, '--json'])).toBe(1);
    expect(JSON.parse(c.out[0]!)).toMatchObject({ file: 'reading.mp4', passed: false, error: { code: 'NOT_A_VIDEO' } });
  });

  it('exits 2 on an environment error', async () => {
    verifyApplicant.mockImplementation(async () => {
      throw new VerifyError(ErrorCode.FFMPEG_NOT_FOUND, 'ffprobe was not found.');
    });
    const { out, err } = capture();
    expect(await main(ARGS)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual(['idphoto-verify: FFMPEG_NOT_FOUND: ffprobe was not found.']);
  });
});
