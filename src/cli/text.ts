export type Locale = 'zh' | 'en';

/** The CLI's own words, in both languages; the library's results carry their own messages. */
export const TEXT = {
  checked: { en: (n: number, pass: number, fail: number) => `${n} photo${n === 1 ? '' : 's'} checked: ${pass} pass, ${fail} fail`, zh: (n: number, pass: number, fail: number) => `共检查 ${n} 张照片：${pass} 张合格，${fail} 张不合格` },
  failedChecks: { en: 'Failed checks:', zh: '不合格项：' },
  unreadable: { en: '(unreadable)', zh: '（无法读取）' },
  warning: { en: '(warning) ', zh: '（提示）' },
  fixed: { en: (n: number, ok: number, bad: number) => `${n} photo${n === 1 ? '' : 's'}: ${ok} fixed, ${bad} could not be fixed`, zh: (n: number, ok: number, bad: number) => `共 ${n} 张照片：${ok} 张已处理，${bad} 张无法处理` },
  report: { en: (path: string) => `Report written to ${path}`, zh: (path: string) => `报告已写入 ${path}` },
  match: { en: 'same person', zh: '同一人' },
  noMatch: { en: 'not the same person', zh: '不是同一人' },
  noVerdict: { en: 'no verdict', zh: '无法判定' },
  passed: { en: 'passed', zh: '通过' },
  failed: { en: 'failed', zh: '未通过' },
} as const;
