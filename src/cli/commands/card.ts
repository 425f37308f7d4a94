/** card <files|folders|globs…>: each ID card photo read (readIdCard, on the worker pool), its fields and what is wrong. */
import type { IdCardReading } from '../../card/types.js';
import { inputError, isInputError } from '../errors.js';
import { photosOf } from '../inputs.js';
import type { CliOptions } from '../options.js';
import { progress } from '../progress.js';
import { runBulk } from '../runner.js';
import { type Locale, TEXT, jsonLine, labelled, printable, withCode } from '../text.js';
import { csvField } from './check.js';

const CSV_COLUMNS = ['file', 'passed', 'side', 'rotation', 'name', 'sex', 'ethnicity', 'birthDate', 'address', 'idNumber', 'checksumValid', 'consistent', 'authority', 'validFrom', 'validTo', 'expired', 'reasons', 'error'] as const;

const FIELD_LABELS = {
  name: { zh: '姓名', en: 'name' },
  sex: { zh: '性别', en: 'sex' },
  ethnicity: { zh: '民族', en: 'ethnicity' },
  birthDate: { zh: '出生', en: 'born' },
  address: { zh: '住址', en: 'address' },
  idNumber: { zh: '公民身份号码', en: 'ID number' },
  authority: { zh: '签发机关', en: 'issued by' },
  validFrom: { zh: '有效期自', en: 'valid from' },
  validTo: { zh: '有效期至', en: 'valid to' },
} as const;
const SIDES = { portrait: { zh: '人像面', en: 'portrait side' }, emblem: { zh: '国徽面', en: 'emblem side' }, unknown: { zh: '未识别', en: 'not recognised' } } as const;

/** Each card read on the worker pool (one thread a core, --workers), printed in input order; exit 0 when every one reads with no error. */
export async function card(targets: string[], o: CliOptions): Promise<number> {
  const files = photosOf(targets, o);
  const bar = progress(files.length, o.locale);
  if (o.csv) bar.log(CSV_COLUMNS.join(','));
  let failed = 0;
  let done = 0;
  let interrupted: boolean;
  try {
    interrupted = await runBulk(
      files,
      o.workers,
      async (runner, file, signal): Promise<{ reading: IdCardReading } | { error: unknown }> => {
        try {
          return { reading: await runner.readIdCard(file, { signal }) };
        } catch (error) {
          // The environment's errors end the run (exit 2); an input's is its row.
          if (!isInputError(error)) throw error;
          return { error };
        }
      },
      (file, row) => {
        done++;
        bar.tick(file);
        if ('error' in row) {
          failed++;
          const e = inputError(row.error as never, file);
          if (o.json) bar.log(jsonLine({ file, passed: false, error: e }));
          else if (o.csv) bar.log(CSV_COLUMNS.map((c) => (c === 'file' ? file : c === 'passed' ? 'false' : c === 'error' ? e.code : '')).map(csvField).join(','));
          else bar.log(`✗ ${printable(file)}\n    ${withCode(e.messages[o.locale], e.code, o.locale)}`);
          return;
        }
        const { reading } = row;
        const passed = !reading.reasons.some((r) => r.severity === 'error');
        if (!passed) failed++;
        if (o.json) bar.log(jsonLine({ file, passed, ...reading }));
        else if (o.csv) bar.log(csvRow(file, passed, reading));
        else bar.log(cardLines(file, passed, reading, o.locale).join('\n'));
      },
    );
  } finally {
    bar.stop();
  }
  if (interrupted) {
    console.error(TEXT.interrupted[o.locale](done, files.length));
    return 130;
  }
  const summary = TEXT.cardsRead[o.locale](files.length, files.length - failed, failed);
  if (o.json || o.csv) console.error(summary);
  else console.log(`\n${summary}`);
  return failed === 0 ? 0 : 1;
}

/** The file with the side, each field read, then the reasons in the run's language. */
export function cardLines(file: string, passed: boolean, r: IdCardReading, locale: Locale): string[] {
  const lines = [`${passed ? '✓' : '✗'} ${labelled(printable(file), SIDES[r.side][locale], locale)}`];
  for (const [key, label] of Object.entries(FIELD_LABELS) as Array<[keyof typeof FIELD_LABELS, { zh: string; en: string }]>) {
    const field = r.fields[key];
    if (field) lines.push(`    ${labelled(label[locale], printable(field.value), locale)}`);
  }
  for (const reason of r.reasons) lines.push(`    ${reason.severity === 'error' ? '' : TEXT.warning[locale]}${withCode(reason.message[locale], reason.id, locale)}`);
  return lines;
}

function csvRow(file: string, passed: boolean, r: IdCardReading): string {
  const f = r.fields;
  const values: Record<(typeof CSV_COLUMNS)[number], string> = {
    file,
    passed: String(passed),
    side: r.side,
    rotation: String(r.rotation),
    name: f.name?.value ?? '',
    sex: f.sex?.value ?? '',
    ethnicity: f.ethnicity?.value ?? '',
    birthDate: f.birthDate?.value ?? '',
    address: f.address?.value ?? '',
    idNumber: f.idNumber?.value ?? '',
    checksumValid: r.idNumber ? String(r.idNumber.checksumValid) : '',
    consistent: r.idNumber?.consistent === null || !r.idNumber ? '' : String(r.idNumber.consistent),
    authority: f.authority?.value ?? '',
    validFrom: f.validFrom?.value ?? '',
    validTo: f.validTo?.value ?? '',
    expired: r.expired === undefined ? '' : String(r.expired),
    reasons: r.reasons.map((x) => x.id).join(' '),
    error: '',
  };
  return CSV_COLUMNS.map((c) => csvField(values[c])).join(',');
}
