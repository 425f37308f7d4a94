/**
 * Access to the evaluation data in ../shared/data (override with VERIFY_DATA_DIR).
 * The data is for evaluation only: it is read in place, never copied into this repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type RgbImage, decodeRgb } from '../src/image/decode.js';
import { sniffFormat } from '../src/image/sniff.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DATA_DIR = resolve(process.env.VERIFY_DATA_DIR ?? join(repoRoot, '..', 'shared', 'data'));

export interface LabelRow {
  source: string;
  /** Absolute path of the file. */
  path: string;
  /** Path as written in the labels file. */
  relative: string;
  identity: string;
  kind: string;
  note: string;
  dupOf: string;
  resolution: string;
}

/** Says exactly what is missing and how to point at the data, then exits with status 2. */
export function requireData(): void {
  const needed = ['labels.csv', 'asia/labels.csv'];
  const missing = needed.filter((f) => !existsSync(join(DATA_DIR, f)));
  if (missing.length > 0) {
    console.error(
      `Evaluation data not found: ${missing.map((f) => join(DATA_DIR, f)).join(', ')} missing.\n` +
        'These scripts read the real photos in ../shared/data (beside the repository).\n' +
        'Set VERIFY_DATA_DIR to the folder that holds labels.csv and asia/labels.csv.',
    );
    process.exit(2);
  }
}

export function dataAvailable(): boolean {
  return existsSync(join(DATA_DIR, 'labels.csv')) && existsSync(join(DATA_DIR, 'asia', 'labels.csv'));
}

/** Both label files, rows with absolute paths. */
export function readLabels(): LabelRow[] {
  const main = parseCsv(readFileSync(join(DATA_DIR, 'labels.csv'), 'utf8')).map((r) => ({
    source: r.source,
    path: join(DATA_DIR, r.path),
    relative: r.path,
    identity: r.identity,
    kind: r.kind,
    note: r.note ?? '',
    dupOf: r.dup_of ?? '',
    resolution: r.resolution ?? '',
  }));
  const asia = parseCsv(readFileSync(join(DATA_DIR, 'asia', 'labels.csv'), 'utf8')).map((r) => ({
    source: `asia/${r.source}`,
    path: join(DATA_DIR, 'asia', r.path.replace(/^asia\//, '')),
    relative: r.path,
    identity: r.identity,
    kind: r.kind,
    note: r.note ?? '',
    dupOf: '',
    resolution: r.resolution ?? '',
  }));
  return [...main, ...asia];
}

/** RFC 4180 CSV with a header row. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** Prints a table with aligned columns. */
export function printTable(headers: string[], rows: Array<Array<string | number>>): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/**
 * A photo of the data set as RGB, reduced to 1280 px: AT&T's binary PGMs (P5, 8-bit grey), which the
 * prebuilt sharp does not read, by hand; the rest by sharp. A BMP (some files named .jpg are) throws:
 * the prebuilt libvips has no BMP loader.
 */
export async function decodeDataImage(path: string): Promise<RgbImage> {
  const bytes = readFileSync(path);
  if (bytes.subarray(0, 2).toString() === 'P5') return decodePgm(bytes);
  const format = sniffFormat(bytes);
  if (format === 'bmp') throw new Error(`${path}: BMP, not decodable by the prebuilt sharp`);
  return decodeRgb(bytes, format, 64_000_000, 1280);
}

function decodePgm(bytes: Buffer): RgbImage {
  const header = bytes.subarray(0, 64).toString('latin1').match(/^P5\s+(?:#.*\s+)*(\d+)\s+(\d+)\s+(\d+)\s/);
  if (!header) throw new Error('not a binary PGM');
  const [, w, h] = header.map(Number);
  const grey = bytes.subarray(header[0].length);
  const data = Buffer.alloc(w! * h! * 3);
  for (let i = 0; i < w! * h!; i++) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = grey[i]!;
  return { data, width: w!, height: h! };
}
