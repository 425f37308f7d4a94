/**
 * The CLI's own words, in both languages; the library's results and errors carry their own messages.
 * One language per run: every line a command prints comes from here or from a `message[locale]`.
 * (Help and usage errors are English only, as the option names are.)
 */
import type { SignalId } from '../liveness/types.js';
import type { VerifyStep } from '../verify/types.js';
import { CHECK_LABELS } from './report/strings.js';

export type Locale = 'zh' | 'en';

const photos = (n: number) => `${n} photo${n === 1 ? '' : 's'}`;

export const TEXT = {
  checked: {
    en: (n: number, pass: number, fail: number) => `${photos(n)} checked: ${pass} pass, ${fail} fail`,
    zh: (n: number, pass: number, fail: number) => `共检查 ${n} 张照片：${pass} 张合格，${fail} 张不合格`,
  },
  failedChecks: { en: 'Failed checks:', zh: '不合格项：' },
  cardsRead: {
    en: (n: number, ok: number, bad: number) => `${n} ID card photo${n === 1 ? '' : 's'} read: ${ok} without errors, ${bad} with errors`,
    zh: (n: number, ok: number, bad: number) => `共识别 ${n} 张身份证照片：${ok} 张无误，${bad} 张有误`,
  },
  unreadable: { en: '(unreadable)', zh: '（无法读取）' },
  warning: { en: '(warning) ', zh: '（提示）' },
  /** fix's summary: `stillFailingIn` is where those outputs went, or undefined when they were not written. */
  fixed: {
    en: (n: number, pass: number, still: number, refused: number, stillFailingIn: string | undefined) =>
      `${photos(n)}: ${pass} pass, ${still} still fail${still > 0 ? (stillFailingIn ? ` (in ${printable(stillFailingIn)})` : ' (not written)') : ''}, ${refused} refused`,
    zh: (n: number, pass: number, still: number, refused: number, stillFailingIn: string | undefined) =>
      `共 ${n} 张照片：${pass} 张合格，${still} 张仍不合格${still > 0 ? (stillFailingIn ? `（在 ${printable(stillFailingIn)}）` : '（未写出）') : ''}，${refused} 张无法处理`,
  },
  reasonsIn: { en: (path: string) => `Reasons: ${printable(path)}`, zh: (path: string) => `原因见 ${printable(path)}` },
  stillFails: { en: 'still fails', zh: '仍不合格' },
  notWritten: { en: 'not written', zh: '未写出' },
  refused: { en: 'cannot be fixed', zh: '无法处理' },
  interrupted: {
    en: (done: number, n: number) => `Interrupted: ${done} of ${photos(n)} done.`,
    zh: (done: number, n: number) => `已中断：已完成 ${done}/${n} 张照片。`,
  },
  skipped: {
    en: (n: number) => `Skipped ${n} file${n === 1 ? '' : 's'} not named as images (--all-files takes every file).`,
    zh: (n: number) => `已跳过 ${n} 个扩展名不是图片的文件（--all-files 会包含所有文件）。`,
  },
  report: { en: (path: string) => `Report written to ${printable(path)}`, zh: (path: string) => `报告已写入 ${printable(path)}` },
  progress: {
    en: '{bar} {value}/{total} photos | {rate}/s | {eta_formatted} left | {label}',
    zh: '{bar} {value}/{total} 张 | {rate} 张/秒 | 剩余 {eta_formatted} | {label}',
  },

  match: { en: 'same person', zh: '同一人' },
  noMatch: { en: 'not the same person', zh: '不是同一人' },
  noVerdict: { en: 'no verdict', zh: '无法判定' },
  similarity: {
    en: (similarity: number, threshold: number, far: number) => `similarity ${similarity} (threshold ${threshold} at a false-accept rate of ${far})`,
    zh: (similarity: number, threshold: number, far: number) => `相似度 ${similarity}（阈值 ${threshold}，误识率 ${far}）`,
  },
  framesUsed: { en: (n: number) => `${n} frame${n === 1 ? '' : 's'} used`, zh: (n: number) => `使用 ${n} 帧` },
  recording: {
    en: (codec: string, width: number, height: number, seconds: number, speech: number) => `${codec} ${width}×${height}, ${seconds.toFixed(1)} s, speech ${speech} s`,
    zh: (codec: string, width: number, height: number, seconds: number, speech: number) => `${codec} ${width}×${height}，${seconds.toFixed(1)} 秒，语音 ${speech} 秒`,
  },

  passed: { en: 'passed', zh: '通过' },
  failed: { en: 'failed', zh: '未通过' },
  digitsNotChecked: { en: 'digits not checked', zh: '未核对朗读的数字' },
  attemptsLeft: { en: (n: number) => `attempts left: ${n}`, zh: (n: number) => `剩余验证次数：${n}` },
  reportedOnly: { en: 'reported only', zh: '仅供参考' },
  score: { en: 'score', zh: '得分' },
} as const;

/** A liveness signal's name as people read it. */
export const SIGNAL_LABELS: Record<SignalId, { zh: string; en: string }> = {
  speech: { zh: '有清晰的朗读声音', en: 'voice heard' },
  lipSync: { zh: '唇动与声音一致', en: 'lips move with the voice' },
  faceConsistency: { zh: '始终是同一个人', en: 'the same one person throughout' },
  presentationAttack: { zh: '翻拍/假体检测', en: 'presentation-attack check' },
  quality: { zh: '人脸清晰、光线充足', en: 'face sharp and well lit' },
  digits: { zh: '朗读的数字正确', en: 'the digits read are the ones shown' },
};

/** A verification step's name as people read it. */
export const STEP_LABELS: Record<VerifyStep, { zh: string; en: string }> = {
  card: { zh: '身份证', en: 'ID card' },
  liveness: { zh: '活体检测', en: 'liveness' },
  videoMatch: { zh: '视频与身份证比对', en: 'video vs ID card' },
  photo: { zh: '照片规格', en: 'photo spec' },
  photoMatch: { zh: '照片与身份证比对', en: 'photo vs ID card' },
  attempts: { zh: '验证次数', en: 'attempts' },
};

/** A photo check's name as people read it (the report's labels); the id itself for a check this build does not know. */
export function checkLabel(id: string, locale: Locale): string {
  return (CHECK_LABELS as Record<string, { zh: string; en: string } | undefined>)[id]?.[locale] ?? id;
}

/** "label: text" with the colon of the language. */
export function labelled(label: string, text: string, locale: Locale): string {
  return locale === 'zh' ? `${label}：${text}` : `${label}: ${text}`;
}

/** Text in parentheses, with the parentheses of the language. */
export function parenthesised(text: string, locale: Locale): string {
  return locale === 'zh' ? `（${text}）` : ` (${text})`;
}

/** An input error as people read it: the words for people, then the stable code to look up. */
export function withCode(message: string, code: string, locale: Locale): string {
  return `${message}${parenthesised(code, locale)}`;
}

/** Columns a string takes on a terminal: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return width;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** The locale of a run: --locale, else LC_ALL, LC_MESSAGES, LANG (the first one set, as POSIX orders them); zh* is Chinese. */
export function defaultLocale(env: NodeJS.ProcessEnv = process.env): Locale {
  return /^zh/i.test(env.LC_ALL || env.LC_MESSAGES || env.LANG || '') ? 'zh' : 'en';
}

// C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what a terminal shows.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text from outside (a file name, a path, a value read from an input) as it may reach a terminal: every
 * control character escaped (`\n` → `\x0a`, ESC → `\x1b`, U+202E → `\u{202e}`), so that a name cannot
 * print a line of its own ("✓ forged.jpg") or drive the terminal. JSON and the HTML report escape by their own rules.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

// What JSON.stringify leaves as it is but a terminal acts on: DEL, C1 controls, bidirectional overrides and isolates.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** One JSON line for stdout: JSON.stringify, with the characters above written as \u escapes (the same JSON value). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
