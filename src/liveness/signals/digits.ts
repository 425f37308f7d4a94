/** digits: were the challenge digits the ones read? (with the host's speech recogniser) */
import type { AnalyzeReadingVideoOptions, SignalOf } from '../types.js';
import { notMeasured, signal } from './signal.js';

export async function digitsSignal(pcm: Int16Array | undefined, challenge: string | undefined, transcribe: AnalyzeReadingVideoOptions['transcribe']): Promise<SignalOf<'digits'>> {
  const limit = { challenge: challenge ?? '', rule: 'the challenge digits, in order, among the digits heard' };
  if (!challenge || !transcribe) {
    return notMeasured('digits', limit, { en: 'The spoken digits were not checked (no speech recogniser was given).', zh: '未核对朗读的数字（未提供语音识别）。' }, 'not-checked');
  }
  const heard = pcm ? spokenDigits(await transcribe(pcm)) : '';
  const ok = isSubsequence(challenge, heard);
  return signal('digits', ok ? [] : ['DIGITS_MISMATCH'], { heard }, limit, {
    DIGITS_MISMATCH: { en: 'The digits read do not match the digits shown. Read exactly the digits on the screen.', zh: '朗读的数字与屏幕显示的不一致。请准确朗读屏幕上的数字。' },
  });
}

const CHINESE_DIGITS: Record<string, string> = { 零: '0', 〇: '0', 洞: '0', 一: '1', 幺: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
const ENGLISH_DIGITS: Record<string, string> = { zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9' };

/** The digits in a transcript, in order: Arabic, Chinese (一, 幺, 两, …) and English words; the rest is filler. */
export function spokenDigits(text: string): string {
  let out = '';
  for (const token of text.toLowerCase().match(/[a-z]+|./gu) ?? []) {
    if (/^\d$/.test(token)) out += token;
    else if (CHINESE_DIGITS[token]) out += CHINESE_DIGITS[token];
    else if (ENGLISH_DIGITS[token]) out += ENGLISH_DIGITS[token];
  }
  return out;
}

function isSubsequence(needle: string, hay: string): boolean {
  let i = 0;
  for (const c of hay) if (c === needle[i]) i++;
  return i === needle.length;
}

