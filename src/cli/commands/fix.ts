import { mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { isVerifyError } from '../../core/errors.js';
import { UsageError, type CliOptions } from '../options.js';
import { expandInputs } from '../inputs.js';
import { progress } from '../progress.js';
import { runBulk } from '../runner.js';
import { TEXT } from '../text.js';

/**
 * compressToSpec on each input, written to --out as <name>.jpg. Inputs are never overwritten: every
 * output name is planned before any work, and the run is refused (exit 2) if one would land on an input
 * — through a symlinked --out, a hard link, or another case of the name on a case-insensitive file
 * system — and names that collide get a suffix. Each file is written under
 * a temporary name and renamed when complete, so Ctrl-C leaves no partial file. What could not be fixed
 * is listed, with why, in <out>/not-fixed.txt (and on stdout).
 */
export async function fix(targets: string[], o: CliOptions): Promise<number> {
  if (!o.out) throw new UsageError('fix needs --out DIR');
  mkdirSync(resolve(o.out), { recursive: true });
  // Through symlinks: `--out LINK` where LINK points at the photos' folder is that folder.
  const out = realpathSync(resolve(o.out));
  const files = expandInputs(targets);
  const used = new Set<string>();
  const targetOf = new Map(files.map((f) => [f, outputName(out, f, used)]));
  refuseOverwrites(files, [...targetOf.values(), join(out, 'not-fixed.txt')]);
  const bar = progress(files.length, !o.json);
  const notFixed: string[] = [];
  let fixedCount = 0;
  const partial = new Set<string>();
  let interrupted: boolean;
  try {
    interrupted = await runBulk(
      files,
      o.workers,
      async (runner, file) => {
        try {
          const r = await runner.compressToSpec(file, { spec: o.spec as never, detector: o.detector });
          return { buffer: r.buffer, passed: r.report.passed, failed: r.report.checks.filter((c) => c.status === 'failed' && c.severity === 'error').map((c) => c.id) };
        } catch (error) {
          if (!isVerifyError(error)) throw error;
          return { error: { code: error.code, message: error.message } };
        }
      },
      (file, r) => {
        bar.tick(file);
        if ('error' in r) {
          notFixed.push(`${file}\t${r.error!.code}\t${r.error!.message}`);
          if (o.json) console.log(JSON.stringify({ file, fixed: false, error: r.error }));
          else bar.log(`✗ ${file}\n    ${r.error!.code}: ${r.error!.message}`);
          return;
        }
        const target = targetOf.get(file)!;
        const temp = `${target}.partial`;
        partial.add(temp);
        writeFileSync(temp, r.buffer!);
        renameSync(temp, target);
        partial.delete(temp);
        fixedCount++;
        if (!r.passed) notFixed.push(`${file}\tSTILL_FAILS\t${r.failed!.join(' ')}`);
        if (o.json) console.log(JSON.stringify({ file, fixed: true, output: target, passes: r.passed, failedChecks: r.failed }));
        else bar.log(`${r.passed ? '✓' : '~'} ${file} → ${target}${r.passed ? '' : `\n    still fails: ${r.failed!.join(', ')}`}`);
      },
    );
  } finally {
    bar.stop();
    for (const temp of partial) rmSync(temp, { force: true });
  }
  if (interrupted) return 130;
  if (notFixed.length > 0) writeFileSync(join(out, 'not-fixed.txt'), `${['file\treason\tdetails', ...notFixed].join('\n')}\n`);
  if (!o.json) console.log(`\n${TEXT.fixed[o.locale](files.length, fixedCount, files.length - fixedCount)}`);
  return notFixed.length === 0 ? 0 : 1;
}

function outputName(out: string, file: string, used: Set<string>): string {
  const stem = basename(file, extname(file)) || 'photo';
  let name = join(out, `${stem}.jpg`);
  for (let i = 2; used.has(name); i++) name = join(out, `${stem}-${i}.jpg`);
  used.add(name);
  return name;
}

/**
 * Refuses the run when an output (or its temporary name) is an input. Files are compared by identity
 * (device and inode, through symlinks): that also catches hard links and a name in another case on a
 * case-insensitive file system, which comparing path strings misses.
 */
function refuseOverwrites(inputs: readonly string[], outputs: readonly string[]): void {
  const ids = new Map<string, string>();
  for (const file of inputs) {
    const id = identity(file);
    if (id) ids.set(id, file);
  }
  for (const output of outputs) {
    for (const name of [output, `${output}.partial`]) {
      const input = ids.get(identity(name) ?? '');
      if (input !== undefined) throw new UsageError(`Refusing to overwrite the input ${input}: ${name} is the same file. Choose another --out.`);
    }
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
