import { existsSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Message } from '../../core/result.js';
import { type InputError, inputError, isInputError } from '../errors.js';
import { photosOf } from '../inputs.js';
import { type CliOptions, UsageError } from '../options.js';
import { progress } from '../progress.js';
import { runBulk } from '../runner.js';
import { OutputFolder } from '../outputs.js';
import { type Locale, TEXT, checkLabel, jsonLine, labelled, parenthesised, printable, withCode } from '../text.js';

/** Where outputs that still fail go, inside --out: apart, so that nobody uploads them by mistake. */
const STILL_FAILING = 'still-failing';
const NOT_FIXED = 'not-fixed.txt';

type Outcome =
  | { kind: 'pass'; buffer: Buffer }
  | { kind: 'still-fails'; buffer: Buffer; failed: Array<{ id: string; message: Message }> }
  | { kind: 'refused'; error: InputError };

/**
 * compressToSpec on each input, and each output checked: it passes (written to --out as <name>.jpg), it
 * still fails (written to --out/still-failing/, or not at all with --no-failing), or the photo cannot be
 * fixed (a VerifyError: nothing written). The last two are listed, with the reasons an applicant should
 * read, in <out>/not-fixed.txt. Exit 0 only when every photo passes.
 *
 * Files are written and removed through OutputFolder (outputs.ts): every output is planned before any
 * work, an input is never overwritten, a file fix did not write is never replaced (unless --overwrite) or
 * removed, names that collide get a suffix, and each file is renamed into place when complete.
 */
export async function fix(targets: string[], o: CliOptions): Promise<number> {
  // A second run with --out inside the photos' folder must not take the first run's outputs for inputs.
  const files = photosOf(targets, o, o.out ? [o.out] : []);
  // Through symlinks: `--out LINK` where LINK points at the photos' folder is that folder.
  const out = new OutputFolder(o.out!);
  const stillFailing = join(out.root, STILL_FAILING);
  if (existsSync(stillFailing) && !statSync(stillFailing).isDirectory()) throw new UsageError(`${printable(join(o.out!, STILL_FAILING))} is a file; fix writes the photos that still fail into a folder of that name. Choose another --out`);
  const used = new Set<string>();
  const nameOf = new Map(files.map((f) => [f, outputName(f, used)]));
  // Every file this run may write, checked before the first photo: never an input, never a file fix did not write (unless --overwrite).
  const planned = [...files.flatMap((f) => [nameOf.get(f)!, join(STILL_FAILING, nameOf.get(f)!)]), NOT_FIXED];
  out.plan(planned, files, o.overwrite, (rel) => join(o.out!, rel));

  const bar = progress(files.length, o.locale);
  const notFixed: string[] = [];
  const count = { pass: 0, 'still-fails': 0, refused: 0 };
  let interrupted: boolean;
  try {
    interrupted = await runBulk(
      files,
      o.workers,
      async (runner, file, signal): Promise<Outcome> => {
        try {
          const r = await runner.compressToSpec(file, { spec: o.spec as never, detector: o.detector, signal });
          if (r.report.passed) return { kind: 'pass', buffer: r.buffer };
          // A check only a new photo can fix says so (compressToSpec's retake: "take the photo again facing the camera").
          const retake = new Map(r.retake.map((f) => [f.check, f.message]));
          const failed = r.report.checks.filter((c) => c.status === 'failed' && c.severity === 'error').map((c) => ({ id: c.id, message: retake.get(c.id) ?? c.message }));
          return { kind: 'still-fails', buffer: r.buffer, failed };
        } catch (error) {
          // The environment's errors end the run (exit 2); an input's is its outcome.
          if (!isInputError(error)) throw error;
          return { kind: 'refused', error: inputError(error, file) };
        }
      },
      (file, r) => {
        bar.tick(file);
        count[r.kind]++;
        const name = nameOf.get(file)!;
        const rel = r.kind === 'pass' ? name : r.kind === 'still-fails' && o.failing ? join(STILL_FAILING, name) : undefined;
        if (rel !== undefined && r.kind !== 'refused') out.write(rel, r.buffer);
        // A previous run's output under this photo's other name is not this run's answer: gone (only if fix wrote it), so that --out shows this run.
        for (const other of [name, join(STILL_FAILING, name)]) if (other !== rel) out.remove(other);
        const shown = rel === undefined ? undefined : join(o.out!, rel);

        const reason = r.kind === 'refused' ? r.error.messages[o.locale] : r.kind === 'still-fails' ? r.failed.map((c) => c.message[o.locale]).join(o.locale === 'zh' ? '' : ' ') : '';
        const codes = r.kind === 'refused' ? r.error.code : r.kind === 'still-fails' ? r.failed.map((c) => c.id).join(' ') : '';
        if (r.kind !== 'pass') notFixed.push([file, r.kind, codes, reason].map(tsvField).join('\t'));
        if (o.json) {
          // `reason`: what not-fixed.txt says, in the run's language.
          const detail = r.kind === 'still-fails' ? { failedChecks: r.failed.map((c) => c.id), reason } : r.kind === 'refused' ? { error: r.error, reason } : {};
          bar.log(jsonLine({ file, outcome: r.kind, passes: r.kind === 'pass', output: shown ?? null, ...detail }));
        } else {
          bar.log(textRow(file, r, shown, o.locale));
        }
      },
    );
    // Written whole, or removed: a list left from an earlier run would name photos this run did not fail.
    if (notFixed.length > 0) out.write(NOT_FIXED, `${['file\toutcome\tcodes\treason', ...notFixed].join('\n')}\n`);
    else out.remove(NOT_FIXED);
  } finally {
    bar.stop();
    out.close();
  }

  const done = count.pass + count['still-fails'] + count.refused;
  const summary = TEXT.fixed[o.locale](done, count.pass, count['still-fails'], count.refused, o.failing ? join(o.out!, STILL_FAILING) : undefined);
  const lines = [summary, ...(notFixed.length > 0 ? [TEXT.reasonsIn[o.locale](join(o.out!, NOT_FIXED))] : [])];
  if (interrupted) console.error([TEXT.interrupted[o.locale](done, files.length), ...lines].join('\n'));
  else if (o.json) console.error(lines.join('\n'));
  else console.log(`\n${lines.join('\n')}`);
  if (interrupted) return 130;
  return count.pass === files.length ? 0 : 1;
}

function textRow(file: string, r: Outcome, shown: string | undefined, locale: Locale): string {
  [file, shown] = [printable(file), shown && printable(shown)];
  if (r.kind === 'pass') return `✓ ${file} → ${shown}`;
  if (r.kind === 'refused') return `✗ ${file}${parenthesised(TEXT.refused[locale], locale)}\n    ${withCode(r.error.messages[locale], r.error.code, locale)}`;
  const head = shown ? `✗ ${file} → ${shown}${parenthesised(TEXT.stillFails[locale], locale)}` : `✗ ${file}${parenthesised(`${TEXT.stillFails[locale]}${locale === 'zh' ? '，' : ', '}${TEXT.notWritten[locale]}`, locale)}`;
  return [head, ...r.failed.map((c) => `    ${labelled(checkLabel(c.id, locale), c.message[locale], locale)}`)].join('\n');
}

/** A name in --out for each input, unique ignoring case (so two never meet on a case-insensitive file system). */
function outputName(file: string, used: Set<string>): string {
  const stem = basename(file, extname(file)) || 'photo';
  let name = `${stem}.jpg`;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${stem}-${i}.jpg`;
  used.add(name.toLowerCase());
  return name;
}

/** Tab-separated values: a tab, line break or backslash in a name or message is escaped, so each photo stays one line. */
function tsvField(value: string): string {
  return printable(value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
}
