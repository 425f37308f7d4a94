import { writeFile } from 'node:fs/promises';
import { isVerifyError } from '../../core/errors.js';
import { defineSpec } from '../../core/spec.js';
import { expandInputs } from '../inputs.js';
import type { CliOptions } from '../options.js';
import { progress } from '../progress.js';
import { renderReport, type ReportRow } from '../report/render-report.js';
import { runBulk } from '../runner.js';
import { type Locale, TEXT } from '../text.js';

const CSV_HEADER = 'file,passed,failed_checks,error_code,message';

export async function check(targets: string[], o: CliOptions): Promise<number> {
  const files = expandInputs(targets);
  const bar = progress(files.length, !o.json && !o.csv);
  const rows: ReportRow[] = [];
  const failures = new Map<string, number>();
  let passed = 0;
  if (o.csv) console.log(CSV_HEADER);
  let interrupted: boolean;
  try {
    interrupted = await runBulk(
      files,
      o.workers,
      async (runner, file): Promise<ReportRow> => {
        try {
          return { file, result: await runner.validatePhoto(file, { spec: o.spec as never, detector: o.detector }) };
        } catch (error) {
          if (!isVerifyError(error)) throw error;
          return { file, error: { code: error.code, message: error.message } };
        }
      },
      (_file, row) => {
        rows.push(row);
        bar.tick(row.file);
        if (row.result?.passed) passed++;
        if (row.error) failures.set(TEXT.unreadable[o.locale], (failures.get(TEXT.unreadable[o.locale]) ?? 0) + 1);
        for (const c of row.result?.checks ?? []) if (c.status === 'failed' && c.severity === 'error') failures.set(c.id, (failures.get(c.id) ?? 0) + 1);
        if (o.json) console.log(JSON.stringify(row.result ? { file: row.file, ...row.result } : row));
        else if (o.csv) console.log(csvRow(row, o.locale));
        else bar.log(textRow(row, o.locale));
      },
    );
  } finally {
    bar.stop();
  }
  if (interrupted) return 130;
  if (o.report) {
    await writeFile(o.report, await renderReport(rows, { locale: o.locale, spec: defineSpec(o.spec as never) }));
    if (!o.json && !o.csv) console.log(TEXT.report[o.locale](o.report));
  }
  const failed = rows.length - passed;
  if (!o.json && !o.csv) {
    // Worded so that CI's test-summary readers do not take photo verdicts for test results.
    console.log(`\n${TEXT.checked[o.locale](rows.length, passed, failed)}`);
    if (failures.size > 0) {
      console.log(TEXT.failedChecks[o.locale]);
      for (const [id, n] of [...failures].sort((a, b) => b[1] - a[1])) console.log(`  ${id.padEnd(14)} ${n}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

function textRow(row: ReportRow, locale: Locale): string {
  if (!row.result) return `✗ ${row.file}\n    ${row.error!.code}: ${row.error!.message}`;
  const lines = [`${row.result.passed ? '✓' : '✗'} ${row.file}`];
  for (const c of row.result.checks) {
    if (c.status === 'failed') lines.push(`    ${c.severity === 'error' ? '' : TEXT.warning[locale]}${c.id}: ${c.message[locale]}`);
  }
  return lines.join('\n');
}

function csvRow(row: ReportRow, locale: Locale): string {
  const failed = row.result?.checks.filter((c) => c.status === 'failed' && c.severity === 'error') ?? [];
  const message = row.error ? row.error.message : failed.map((c) => c.message[locale]).join(' ');
  return [row.file, row.result?.passed ? 'true' : 'false', failed.map((c) => c.id).join(' '), row.error?.code ?? '', message].map(csvField).join(',');
}

/** RFC 4180: quoted when it holds a comma, quote or line break; a leading = + - @ is defused for spreadsheets. */
export function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
