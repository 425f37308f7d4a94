import { mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { isVerifyError } from '../../errors.js';
import { UsageError, type CliOptions } from '../main.js';
import { expandInputs } from '../inputs.js';
import { progress } from '../progress.js';
import { runBulk } from '../runner.js';
import { TEXT } from '../text.js';

/**
 * compressToSpec on each input, written to --out as <name>.jpg. Inputs are never overwritten: an output
 * that would land on an input is refused, and names that collide get a suffix. Each file is written under
 * a temporary name and renamed when complete, so Ctrl-C leaves no partial file. What could not be fixed
 * is listed, with why, in <out>/not-fixed.txt (and on stdout).
 */
export async function fix(targets: string[], o: CliOptions): Promise<number> {
  if (!o.out) throw new UsageError('fix needs --out DIR');
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const files = expandInputs(targets);
  const inputs = new Set(files.map((f) => realOrResolved(f)));
  const used = new Set<string>();
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
        const target = outputName(out, file, used);
        if (inputs.has(target)) throw new UsageError(`Refusing to overwrite the input ${file}: choose another --out.`);
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

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
