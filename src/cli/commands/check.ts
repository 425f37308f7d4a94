import { defineSpec } from '../../core/spec.js';
import { inputError, isInputError } from '../errors.js';
import { photosOf } from '../inputs.js';
import { planReport } from '../outputs.js';
import type { CliOptions } from '../options.js';
import { progress } from '../progress.js';
import { renderReport, type ReportRow } from '../report/render-report.js';
import { runBulk } from '../runner.js';
import { type Locale, TEXT, checkLabel, displayWidth, jsonLine, labelled, padEnd, printable, withCode } from '../text.js';

const CSV_HEADER = 'file,passed,failed_checks,error_code,message';

export async function check(targets: string[], o: CliOptions): Promise<number> {
  const files = photosOf(targets, o);
  // The report's path is checked before the first photo: not an input, a folder that can be written, no file of someone else's.
  const report = o.report === undefined ? undefined : planReport(o.report, files, o.overwrite);
  const bar = progress(files.length, o.locale);
  const rows: ReportRow[] = [];
  const failures = new Map<string, number>();
  let passed = 0;
  if (o.csv) bar.log(CSV_HEADER);
  let interrupted: boolean;
  try {
    interrupted = await runBulk(
      files,
      o.workers,
      async (runner, file, signal): Promise<ReportRow> => {
        try {
          return { file, result: await runner.validatePhoto(file, { spec: o.spec as never, detector: o.detector, signal }) };
        } catch (error) {
          // The environment's errors end the run (exit 2); an input's is its row.
          if (!isInputError(error)) throw error;
          return { file, error: inputError(error, file) };
        }
      },
      (_file, row) => {
        rows.push(row);
        bar.tick(row.file);
        if (row.result?.passed) passed++;
        // An image in a format not accepted counts with the format check, not as unreadable.
        if (row.error) {
          const key = row.error.format ? checkLabel('format', o.locale) : TEXT.unreadable[o.locale];
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
        for (const c of row.result?.checks ?? []) {
          if (c.status === 'failed' && c.severity === 'error') failures.set(checkLabel(c.id, o.locale), (failures.get(checkLabel(c.id, o.locale)) ?? 0) + 1);
        }
        if (o.json) bar.log(jsonLine(row.result ? { file: row.file, ...row.result } : row));
        else if (o.csv) bar.log(csvRow(row, o.locale));
        else bar.log(textRow(row, o.locale));
      },
    );
    if (!interrupted && report) report.write(await renderReport(rows, { locale: o.locale, spec: defineSpec(o.spec as never) }));
  } finally {
    bar.stop();
    report?.discard();
  }
  const failed = rows.length - passed;
  if (interrupted) {
    console.error(TEXT.interrupted[o.locale](rows.length, files.length));
    return 130;
  }
  if (report && !o.json && !o.csv) console.log(TEXT.report[o.locale](o.report!));
  const summary = TEXT.checked[o.locale](rows.length, passed, failed);
  if (o.json || o.csv) {
    // stdout stays rows only; the summary is for the person watching.
    console.error(summary);
  } else {
    // Worded so that CI's test-summary readers do not take photo verdicts for test results.
    console.log(`\n${summary}`);
    if (failures.size > 0) {
      console.log(TEXT.failedChecks[o.locale]);
      const width = Math.max(...[...failures.keys()].map(displayWidth)) + 2;
      for (const [label, n] of [...failures].sort((a, b) => b[1] - a[1])) console.log(`  ${padEnd(label, width)}${n}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

function textRow(row: ReportRow, locale: Locale): string {
  if (!row.result) return `✗ ${printable(row.file)}\n    ${withCode(row.error!.messages?.[locale] ?? row.error!.message, row.error!.code, locale)}`;
  const lines = [`${row.result.passed ? '✓' : '✗'} ${printable(row.file)}`];
  for (const c of row.result.checks) {
    if (c.status === 'failed') lines.push(`    ${c.severity === 'error' ? '' : TEXT.warning[locale]}${labelled(checkLabel(c.id, locale), c.message[locale], locale)}`);
  }
  return lines.join('\n');
}

function csvRow(row: ReportRow, locale: Locale): string {
  const failed = row.result?.checks.filter((c) => c.status === 'failed' && c.severity === 'error') ?? [];
  const message = row.error ? (row.error.messages?.[locale] ?? row.error.message) : failed.map((c) => c.message[locale]).join(locale === 'zh' ? '' : ' ');
  return [row.file, row.result?.passed ? 'true' : 'false', failed.map((c) => c.id).join(' '), row.error?.code ?? '', message].map(csvField).join(',');
}

/** RFC 4180: quoted when it holds a comma or quote; a leading = + - @ is defused for spreadsheets. */
export function csvField(value: string): string {
  // Control characters escaped too: a row shown on a terminal must not print a line or an escape of its own.
  const text = printable(value);
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
