/**
 * idphoto-verify: the command-line face of the library.
 *
 *   idphoto-verify check <files or folders…> [--json] [--locale zh|en] [--spec spec.json] [--detector ssd|tiny]
 *
 * Exit status: 0 when every photo passes, 1 when any fails (or cannot be read), 2 on usage errors.
 */
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isVerifyError } from '../errors.js';
import { validatePhoto } from '../photo/validate-photo.js';
import type { PhotoValidation } from '../types.js';

const USAGE = `Usage: idphoto-verify check <files or folders…> [options]

Checks each photo against the exam photo spec (Hubei self-study exam by default).

Options:
  --json              one JSON object per photo, one per line
  --locale zh|en      language of the messages (default: from LANG, else en)
  --spec FILE         a JSON file of spec changes, e.g. {"fileSize":{"kilobyte":1000}}
  --detector ssd|tiny face detector (default ssd)
  -h, --help          this text

Exit status: 0 all photos pass, 1 some fail or cannot be read, 2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        locale: { type: 'string' },
        spec: { type: 'string' },
        detector: { type: 'string', default: 'ssd' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, ...targets] = positionals;
  if (command !== 'check' || targets.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const locale = values.locale ?? (/^zh/i.test(process.env.LC_ALL || process.env.LANG || '') ? 'zh' : 'en');
  if (locale !== 'zh' && locale !== 'en') {
    console.error(`--locale must be zh or en, not ${locale}`);
    return 2;
  }
  if (values.detector !== 'ssd' && values.detector !== 'tiny') {
    console.error(`--detector must be ssd or tiny, not ${values.detector}`);
    return 2;
  }
  let spec: object | undefined;
  if (values.spec) {
    try {
      spec = JSON.parse(readFileSync(values.spec, 'utf8'));
    } catch (error) {
      console.error(`Cannot read the spec file ${values.spec}: ${(error as Error).message}`);
      return 2;
    }
  }

  const seen = new Set<string>();
  const files = targets.flatMap((target) => expand(target, seen));
  let passed = 0;
  let failed = 0;
  const failures = new Map<string, number>();
  for (const file of files) {
    let result: PhotoValidation | undefined;
    let error: unknown;
    try {
      result = await validatePhoto(file, { spec: spec as never, detector: values.detector });
    } catch (caught) {
      if (!isVerifyError(caught)) throw caught;
      error = caught;
    }
    if (result?.passed) passed++;
    else failed++;
    if (values.json) {
      console.log(JSON.stringify(result ? { file, ...result } : { file, error: { code: (error as { code: string }).code, message: (error as Error).message } }));
      continue;
    }
    if (!result) {
      console.log(`✗ ${file}\n    ${(error as { code: string }).code}: ${(error as Error).message}`);
      failures.set('(unreadable)', (failures.get('(unreadable)') ?? 0) + 1);
      continue;
    }
    const bad = result.checks.filter((c) => c.status === 'failed');
    console.log(`${result.passed ? '✓' : '✗'} ${file}`);
    for (const check of bad) {
      console.log(`    ${check.severity === 'error' ? '' : '(warning) '}${check.id}: ${check.message[locale]}`);
      if (check.severity === 'error') failures.set(check.id, (failures.get(check.id) ?? 0) + 1);
    }
  }
  if (!values.json) {
    // Worded so that CI's test-summary readers do not take photo verdicts for test results.
    const total = passed + failed;
    console.log(`\n${total} photo${total === 1 ? '' : 's'} checked: ${passed} pass, ${failed} fail`);
    if (failures.size > 0) {
      console.log('Failed checks:');
      for (const [id, n] of [...failures].sort((a, b) => b[1] - a[1])) console.log(`  ${id.padEnd(14)} ${n}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

/** A folder becomes its files (recursively, sorted, hidden ones left out, each real folder once: symlink loops end); a file stays itself. */
function expand(target: string, seen: Set<string>): string[] {
  let info;
  try {
    info = statSync(target);
  } catch {
    return [target]; // reported as unreadable in its row
  }
  if (!info.isDirectory()) return [target];
  const real = realpathSync(target);
  if (seen.has(real)) return [];
  seen.add(real);
  return readdirSync(target)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) => expand(join(target, name), seen));
}
