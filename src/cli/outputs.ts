/**
 * What the CLI may write: only new files, or files it wrote itself in an earlier run. A folder the CLI
 * writes into keeps a ledger (LEDGER, one JSON line per file written: its name, inode, size and mtime),
 * and a file counts as the CLI's only while it is still the one recorded. Every output is planned before
 * any work: one that would land on an input is refused always, one on an existing file the CLI does not
 * own is refused unless --overwrite (exit 2). Nothing the CLI did not write is ever removed. Each file is
 * written under a fresh temporary name (created exclusively) and renamed when complete.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './options.js';
import { printable } from './text.js';

/** The ledger of the files the CLI wrote in a folder (hidden: folder walks leave it out). */
export const LEDGER = '.idphoto-verify-outputs';
/** The HTML report's mark of authorship, in its first bytes (render-report.ts writes it). */
export const REPORT_GENERATOR = '<meta name="generator" content="idphoto-verify">';

interface Entry {
  path: string;
  ino: string;
  size: number;
  mtimeMs: number;
}

/** A folder the CLI writes files into, with the ledger of those it wrote. */
export class OutputFolder {
  /** The folder's real path (symlinks followed). */
  readonly root: string;
  private readonly entries = new Map<string, Entry>();
  private readonly temps = new Set<string>();

  constructor(dir: string) {
    mkdirSync(resolve(dir), { recursive: true });
    this.root = realpathSync(resolve(dir));
    let text = '';
    try {
      text = readFileSync(join(this.root, LEDGER), 'utf8');
    } catch {
      // no ledger: nothing here is ours yet
    }
    for (const line of text.split('\n')) {
      try {
        const e = JSON.parse(line) as Entry;
        if (typeof e.path === 'string') this.entries.set(e.path, e);
      } catch {
        // a torn last line (a run killed mid-write): that file is not counted as ours
      }
    }
  }

  /** True when `rel` is a file this folder's ledger lists and it is unchanged since (same inode, size, mtime). */
  owns(rel: string): boolean {
    const e = this.entries.get(rel);
    if (!e) return false;
    try {
      const s = lstatSync(join(this.root, rel), { bigint: true });
      return s.isFile() && String(s.ino) === e.ino && Number(s.size) === e.size && Number(s.mtimeMs) === e.mtimeMs;
    } catch {
      return false;
    }
  }

  /**
   * Refuses the run (UsageError, before any work) when an output would be an input (through a symlink,
   * a hard link or another case of the name), or an existing entry this folder does not own (unless
   * `overwrite`: then a regular file is replaced, never a folder or a symlink).
   */
  plan(outputs: readonly string[], inputs: readonly string[], overwrite: boolean, shown: (rel: string) => string): void {
    refuseInputs(inputs, outputs.map((rel) => join(this.root, rel)));
    const foreign: string[] = [];
    for (const rel of outputs) {
      let s;
      try {
        s = lstatSync(join(this.root, rel));
      } catch {
        continue; // a new file
      }
      if (this.owns(rel)) continue;
      if (!overwrite || !s.isFile()) foreign.push(rel);
    }
    if (foreign.length > 0) {
      const names = foreign.slice(0, 3).map((rel) => printable(shown(rel))).join(', ');
      const more = foreign.length > 3 ? ` and ${foreign.length - 3} more` : '';
      throw new UsageError(`refusing to replace ${names}${more}: ${foreign.length === 1 ? 'it exists and was' : 'they exist and were'} not written by idphoto-verify. Choose another --out, or --overwrite to replace such files`);
    }
  }

  /** Writes `rel` whole: a temporary file created exclusively beside it, renamed over it when complete, then recorded. */
  write(rel: string, bytes: Uint8Array | string): void {
    const path = join(this.root, rel);
    mkdirSync(dirname(path), { recursive: true });
    const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
    this.temps.add(temp);
    writeFileSync(temp, bytes, { flag: 'wx', mode: 0o644 });
    renameSync(temp, path);
    this.temps.delete(temp);
    const s = statSync(path, { bigint: true });
    const entry: Entry = { path: rel, ino: String(s.ino), size: Number(s.size), mtimeMs: Number(s.mtimeMs) };
    this.entries.set(rel, entry);
    appendFileSync(join(this.root, LEDGER), `${JSON.stringify(entry)}\n`);
  }

  /** Removes `rel` if this folder owns it (an earlier run's output); anything else is left alone. */
  remove(rel: string): void {
    if (!this.owns(rel)) return;
    unlinkSync(join(this.root, rel));
    this.entries.delete(rel);
  }

  /** Removes temporary files of writes that did not complete and rewrites the ledger with what is still ours. */
  close(): void {
    for (const temp of this.temps) rmSync(temp, { force: true });
    this.temps.clear();
    const kept = [...this.entries.keys()].filter((rel) => this.owns(rel)).map((rel) => JSON.stringify(this.entries.get(rel)));
    const ledger = join(this.root, LEDGER);
    if (kept.length === 0) return rmSync(ledger, { force: true }); // nothing of ours is left here
    const temp = `${ledger}.${randomBytes(6).toString('hex')}.partial`;
    writeFileSync(temp, `${kept.join('\n')}\n`, { flag: 'wx' });
    renameSync(temp, ledger);
  }
}

/**
 * The report file of `check --report`, checked before the first photo: its folder exists and can be
 * written, it is no input, and it is new or an earlier report (its generator mark) unless `overwrite`.
 * Returns `write`, which puts the report in place whole, and `discard` (a run that ends without one).
 */
export function planReport(file: string, inputs: readonly string[], overwrite: boolean): { write(html: string): void; discard(): void } {
  const path = resolve(file);
  const folder = dirname(path);
  try {
    if (!statSync(folder).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new UsageError(`cannot write the report ${printable(file)}: its folder ${printable(dirname(file))} does not exist`);
  }
  refuseInputs(inputs, [path]);
  let existing;
  try {
    existing = lstatSync(path);
  } catch {
    // a new file
  }
  if (existing && (!existing.isFile() || (!overwrite && !isReport(path)))) {
    throw new UsageError(`refusing to replace ${printable(file)}: it exists and is not a report written by idphoto-verify. Choose another --report, or --overwrite to replace it`);
  }
  // Written to now, so that a folder that cannot be written is found before the first photo, not after the last.
  const temp = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    closeSync(openSync(temp, 'wx', 0o644));
  } catch (error) {
    throw new UsageError(`cannot write the report ${printable(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const discard = () => {
    rmSync(temp, { force: true });
    process.off('exit', discard);
  };
  process.once('exit', discard);
  return {
    write(html) {
      try {
        writeFileSync(temp, html);
        renameSync(temp, path);
      } finally {
        discard();
      }
    },
    discard,
  };
}

function isReport(path: string): boolean {
  const head = Buffer.alloc(1024);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('utf8').includes(REPORT_GENERATOR);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Refuses when an output (or the folder it would be created in) is an input. Files are compared by
 * identity (device and inode, through symlinks): that also catches hard links and a name in another
 * case on a case-insensitive file system, which comparing path strings misses.
 */
function refuseInputs(inputs: readonly string[], outputs: readonly string[]): void {
  const ids = new Map<string, string>();
  for (const file of inputs) {
    const id = identity(file);
    if (id) ids.set(id, file);
  }
  for (const output of outputs) {
    const input = ids.get(identity(output) ?? '');
    if (input !== undefined) throw new UsageError(`refusing to overwrite the input ${printable(input)}: ${printable(output)} is the same file. Choose another output`);
  }
}

function identity(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}
