/**
 * idphoto-verify: the command-line face of the library, for operators checking uploads in bulk.
 *
 *   idphoto-verify check <files|folders|globs…> [--json | --csv] [--report FILE] [--workers N]
 *   idphoto-verify fix <files|folders|globs…> --out DIR [--workers N]
 *   idphoto-verify compare <id-card> <frames… | video> [--json]
 *   idphoto-verify frames <video> --out DIR [--count N]
 *   idphoto-verify verify --id-card F --video F --photo F [--digits D] [--attempt N] [--json]
 *
 * Exit status: 0 when everything passes, 1 when something fails (or cannot be read), 2 on usage or
 * environment errors (a missing ffmpeg, a model that does not load).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isVerifyError } from '../core/errors.js';
import { DETECTOR_NAMES, type DetectorName } from '../models/detect.js';
import { check } from './commands/check.js';
import { compare, frames, verify } from './commands/video.js';
import { fix } from './commands/fix.js';
import { type CliOptions, UsageError } from './options.js';

const USAGE = `Usage: idphoto-verify <command> [options]

Commands:
  check <files|folders|globs…>   check photos against the exam photo spec (Hubei self-study exam by default)
  fix <files|folders|globs…> --out DIR
                                 make photos that pass from ordinary ones; inputs are never overwritten
  compare <id-card> <frames…|video>
                                 is the person in the frames (or the video) the person on the ID card?
  frames <video> --out DIR       the sharp, upright frames of a reading video, as JPEGs
  verify --id-card F --video F --photo F [--digits D] [--attempt N]
                                 the whole verification of one applicant

Options:
  --json              one JSON object per line (check, fix, compare, frames, verify)
  --csv               check: one CSV row per photo
  --report FILE       check: a self-contained HTML report with annotated thumbnails
  --out DIR           fix, frames: where to write
  --workers N         worker threads (default: one per core)
  --locale zh|en      language of the messages (default: from LC_ALL/LANG, else en)
  --spec FILE         a JSON file of spec changes, e.g. {"fileSize":{"kilobyte":1000}}
  --detector auto|ultraface|ssd|tiny  face detector (default: the library's: auto for check, ssd for fix)
  --count N           frames: how many (default 8)
  -h, --help          this text

Exit status: 0 all pass, 1 some fail or cannot be read, 2 usage or environment error.`;

export async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  let command: string | undefined;
  let targets: string[];
  try {
    ({ options, command, targets } = parse(argv));
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(USAGE);
      return 0;
    }
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  try {
    switch (command) {
      case 'check':
        return await check(need(targets, 'check needs photos to check'), options);
      case 'fix':
        return await fix(need(targets, 'fix needs photos to fix'), options);
      case 'compare':
        return await compare(targets, options);
      case 'frames':
        return await frames(targets, options);
      case 'verify':
        return await verify(options);
      default:
        throw new UsageError(command ? `Unknown command ${command}.` : 'A command is needed.');
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    // The environment (ffmpeg, models) or the one input a command needs: say what, exit 2.
    if (isVerifyError(error)) {
      console.error(`${error.code}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

class HelpRequested extends Error {}

function parse(argv: string[]): { options: CliOptions; command: string | undefined; targets: string[] } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      report: { type: 'string' },
      out: { type: 'string' },
      workers: { type: 'string' },
      locale: { type: 'string' },
      spec: { type: 'string' },
      detector: { type: 'string' },
      count: { type: 'string' },
      'id-card': { type: 'string' },
      video: { type: 'string' },
      photo: { type: 'string' },
      digits: { type: 'string' },
      attempt: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) throw new HelpRequested();
  const [command, ...targets] = positionals;
  const locale = values.locale ?? (/^zh/i.test(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '') ? 'zh' : 'en');
  if (locale !== 'zh' && locale !== 'en') throw new Error(`--locale must be zh or en, not ${locale}`);
  if (values.detector !== undefined && !(DETECTOR_NAMES as readonly string[]).includes(values.detector)) throw new Error(`--detector must be ${DETECTOR_NAMES.join(', ')}, not ${values.detector}`);
  if (values.json && values.csv) throw new Error('--json and --csv exclude each other');
  let spec: object | undefined;
  if (values.spec) {
    try {
      spec = JSON.parse(readFileSync(values.spec, 'utf8'));
    } catch (error) {
      throw new Error(`Cannot read the spec file ${values.spec}: ${(error as Error).message}`);
    }
  }
  return {
    command,
    targets,
    options: {
      json: values.json,
      csv: values.csv,
      report: values.report,
      out: values.out,
      workers: positiveInt(values.workers, '--workers'),
      locale,
      spec,
      detector: values.detector as DetectorName | undefined,
      count: positiveInt(values.count, '--count'),
      idCard: values['id-card'],
      video: values.video,
      photo: values.photo,
      digits: values.digits,
      attempt: positiveInt(values.attempt, '--attempt'),
    },
  };
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, not ${value}`);
  return n;
}

function need(targets: string[], message: string): string[] {
  if (targets.length === 0) throw new UsageError(message);
  return targets;
}
