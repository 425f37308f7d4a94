/**
 * The operator's HTML report: one self-contained file (thumbnails inlined as data URIs, inline CSS and
 * JS, a Content-Security-Policy that forbids every fetch) that opens from disk with no network.
 */
import { ErrorCode, VerifyError } from '../../core/errors.js';
import type { PhotoSpec } from '../../core/spec.js';
import type { CheckId } from '../../photo/types.js';
import type { Locale } from '../text.js';
import { type Page, pageHtml, rowHtml } from './html.js';
import { type ReportRow, verdictOf } from './report-row.js';
import { CHECK_LABELS, REPORT_TEXT } from './strings.js';
import { makeThumbnail } from './thumbnails.js';

export type { ReportRow } from './report-row.js';

export interface ReportOptions {
  locale: Locale;
  /** Heading and <title>. Default: "照片检查报告" / "Photo check report". */
  title?: string;
  /** The spec the photos were checked against: its limits are drawn on the thumbnails. */
  spec: PhotoSpec;
  /**
   * Shade the background region the background check sampled. It is not part of the result, so it is
   * recomputed as the check computes it (the same decode, person segmentation): ~60 ms a photo here. Default true.
   */
  backgroundRegion?: boolean;
}

export const REPORT_DEFAULTS = Object.freeze({
  /** Thumbnail height, CSS pixels. */
  thumbnailHeight: 160,
  /** JPEG quality 1–100 of the thumbnails: 2–4 KB each at 120×160 on the fixtures. */
  thumbnailQuality: 70,
  backgroundRegion: true,
});

/** Renders the report as one HTML document. Every name and message is escaped; nothing is fetched when it opens. */
export async function renderReport(rows: ReportRow[], options: ReportOptions): Promise<string> {
  const { locale, spec } = options;
  if (locale !== 'zh' && locale !== 'en') {
    throw new VerifyError(ErrorCode.INVALID_ARGUMENT, `Expected 'zh' or 'en' for locale but received ${JSON.stringify(locale)} of type ${typeof locale}`);
  }
  if (!Array.isArray(rows)) {
    throw new VerifyError(ErrorCode.INVALID_ARGUMENT, `Expected an array of rows but received ${typeof rows}`);
  }
  const showBackground = options.backgroundRegion ?? REPORT_DEFAULTS.backgroundRegion;

  const verdicts = rows.map(verdictOf);
  const tally = { pass: 0, fail: 0, unreadable: 0 };
  for (const v of verdicts) tally[v]++;
  const failureCounts = new Map<CheckId, Page['failures'][number]>();
  for (const row of rows) {
    for (const check of row.result?.checks ?? []) {
      if (check.status !== 'failed') continue;
      const entry = failureCounts.get(check.id) ?? { id: check.id, n: 0, severity: check.severity };
      entry.n++;
      failureCounts.set(check.id, entry);
    }
  }

  const rowsHtml: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const thumbnail = await makeThumbnail(row.file, {
      height: REPORT_DEFAULTS.thumbnailHeight,
      quality: REPORT_DEFAULTS.thumbnailQuality,
      backgroundRegion: row.result !== undefined && showBackground,
    });
    rowsHtml.push(rowHtml(row, i, verdicts[i], thumbnail, spec, locale));
  }

  return pageHtml({
    locale,
    title: options.title ?? REPORT_TEXT[locale].title,
    spec,
    tally,
    // In the checks' own order, which is the order of CHECK_LABELS.
    failures: (Object.keys(CHECK_LABELS) as CheckId[]).flatMap((id) => failureCounts.get(id) ?? []),
    showBackground,
    rows: rowsHtml,
  });
}
