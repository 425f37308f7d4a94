/**
 * idphoto-verify: the command-line face of the library, for operators checking uploads in bulk.
 *
 *   idphoto-verify check <files|folders|globs…> [--json | --csv] [--report FILE] [--workers N]
 *   idphoto-verify fix <files|folders|globs…> --out DIR [--no-failing] [--workers N]
 *   idphoto-verify card <files|folders|globs…> [--json | --csv]
 *   idphoto-verify compare <id-card> <frames… | video> [--json]
 *   idphoto-verify frames <video> --out DIR [--count N]
 *   idphoto-verify verify --id-card F --video F --photo F [--id-number N] [--name NAME] [--digits D [--require-digits]] [--attempt N] [--json]
 *   idphoto-verify worker --redis URL [--queue NAME] [--workers N] [--json]
 *   idphoto-verify enqueue check <files|folders|globs…> --redis URL [--queue NAME] [--wait] [--by-path] [--json]
 *
 * Exit status: 0 when everything passes, 1 when something fails or an input cannot be read or
 * measured, 2 on usage or environment errors (a missing ffmpeg, a model that does not load), 130 on Ctrl-C.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isVerifyError } from '../core/errors.js';
import { defineSpec } from '../core/spec.js';
import { DETECTOR_NAMES, type DetectorName } from '../models/detect.js';
import { card } from './commands/card.js';
import { check } from './commands/check.js';
import { compare } from './commands/compare.js';
import { fix } from './commands/fix.js';
import { frames } from './commands/frames.js';
import { InputFailure, printInputFailure } from './commands/input-failure.js';
import { enqueue, worker } from './commands/queue.js';
import { verify } from './commands/verify.js';
import { isEnvironmentError } from './errors.js';
import { type CliOptions, UsageError } from './options.js';
import { defaultLocale } from './text.js';
import { COMMAND_NAMES, type CommandName, commandHelp, mainHelp, OPTIONS, takes } from './usage.js';

type Parsed = { kind: 'help'; command?: CommandName } | { kind: 'version' } | { kind: 'run'; command: CommandName; targets: string[]; options: CliOptions };

export async function main(argv: string[]): Promise<number> {
  // The command, once known: usage errors point at its own help.
  const context: { command?: CommandName } = {};
  let parsed: Parsed;
  try {
    parsed = parse(argv, context);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error, context.command);
    throw error;
  }
  if (parsed.kind === 'help') {
    console.log(parsed.command ? commandHelp(parsed.command) : mainHelp());
    return 0;
  }
  if (parsed.kind === 'version') {
    console.log(`idphoto-verify ${version()}`);
    return 0;
  }
  const { command, targets, options } = parsed;
  try {
    switch (command) {
      case 'check':
        return await check(targets, options);
      case 'fix':
        return await fix(targets, options);
      case 'card':
        return await card(targets, options);
      case 'compare':
        return await compare(targets, options);
      case 'frames':
        return await frames(targets, options);
      case 'verify':
        return await verify(options);
      case 'worker':
        return await worker(options);
      case 'enqueue':
        return await enqueue(targets, options);
    }
  } catch (error) {
    if (error instanceof UsageError) return usageError(error, command);
    // The environment (ffmpeg, models) or the command line: the run cannot go on.
    if (isEnvironmentError(error)) {
      console.error(`idphoto-verify: ${error.code}: ${error.message}`);
      return 2;
    }
    // The one input a command needs cannot be read or measured: that is its answer.
    if (error instanceof InputFailure || isVerifyError(error)) {
      printInputFailure(error instanceof InputFailure ? error : new InputFailure(error), options);
      return 1;
    }
    throw error;
  }
}

/** One or two lines: what was wrong, and where help is. */
function usageError(error: UsageError, command: CommandName | undefined): number {
  console.error(`idphoto-verify: ${error.message.replace(/\.$/, '')}. Try 'idphoto-verify ${command ? `${command} ` : ''}--help'.`);
  return 2;
}

/** The version in package.json, found from this file: dist/cli.js → ../package.json (src/cli/main.ts → ../../package.json). */
export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 3; up++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'idphoto-verify' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

const PARSE_OPTIONS = Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]));

function parse(argv: string[], context: { command?: CommandName }): Parsed {
  // Not strict: unknown options come back as tokens, to be named with a suggestion rather than a stack of text.
  const { tokens } = parseArgs({ args: argv, options: PARSE_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  const given: Array<{ name: string; raw: string; value: string | undefined; inline: boolean }> = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind === 'option') given.push({ name: t.name, raw: t.rawName, value: t.value, inline: t.inlineValue ?? false });
  }
  let [first, ...targets] = positionals;
  // `idphoto-verify help check` is `idphoto-verify check --help`.
  const helpWord = first === 'help';
  if (helpWord) [first, ...targets] = targets;
  const command = COMMAND_NAMES.find((c) => c === first);
  context.command = command;
  if (helpWord || given.some((o) => o.name === 'help')) {
    if (helpWord && first !== undefined && !command) throw new UsageError(`unknown command ${first}${didYouMean(first, COMMAND_NAMES)}`);
    return { kind: 'help', command };
  }
  if (given.some((o) => o.name === 'version')) return { kind: 'version' };
  if (first === undefined) throw new UsageError(`a command is needed: ${COMMAND_NAMES.join(', ')}`);
  if (!command) throw new UsageError(`unknown command ${first}${didYouMean(first, COMMAND_NAMES)}`);

  const values: Record<string, string | boolean> = {};
  for (const o of given) {
    const def = OPTIONS[o.name];
    if (!def) {
      const mine = Object.keys(OPTIONS).filter((name) => takes(command, name));
      throw new UsageError(`unknown option ${o.raw}${o.raw.startsWith('--') ? didYouMean(o.name, mine, '--') : ''}`);
    }
    if (!takes(command, o.name)) {
      const others = COMMAND_NAMES.filter((c) => takes(c, o.name));
      throw new UsageError(`${command} does not take --${o.name} (${others.join(', ')} ${others.length === 1 ? 'does' : 'do'})`);
    }
    if (def.type === 'boolean') {
      if (o.value !== undefined) throw new UsageError(`${o.raw} takes no value`);
      values[o.name] = true;
    } else {
      // `--out --json`: a forgotten value, not an output folder named --json.
      if (o.value === undefined || (!o.inline && /^-./.test(o.value))) throw new UsageError(`${o.raw} needs a value (${o.raw} ${def.value})`);
      values[o.name] = o.value;
    }
  }
  const string = (name: string) => values[name] as string | undefined;
  const flag = (name: string) => values[name] === true;

  const locale = string('locale') ?? defaultLocale();
  if (locale !== 'zh' && locale !== 'en') throw new UsageError(`--locale must be zh or en, not ${locale}`);
  const detector = string('detector');
  if (detector !== undefined && !(DETECTOR_NAMES as readonly string[]).includes(detector)) throw new UsageError(`--detector must be ${DETECTOR_NAMES.join(', ')}, not ${detector}`);
  if (flag('json') && flag('csv')) throw new UsageError('--json and --csv exclude each other');
  const digits = string('digits');
  if (digits !== undefined && !/^\d{1,32}$/.test(digits)) throw new UsageError(`--digits must be 1 to 32 digits, not ${digits}`);
  if (flag('require-digits') && digits === undefined) throw new UsageError('--require-digits needs --digits D');
  const idNumber = string('id-number');
  if (idNumber !== undefined && !/^\d{17}[\dXx]$/.test(idNumber)) throw new UsageError(`--id-number must be 17 digits and a digit or X, not ${idNumber}`);

  switch (command) {
    case 'check':
    case 'fix':
    case 'card':
      if (targets.length === 0) throw new UsageError(`${command} needs ${command === 'card' ? 'ID card photos' : 'photos'}: files, folders or globs`);
      break;
    case 'compare':
      if (targets.length < 2) throw new UsageError('compare needs an ID card image, then frames or a video');
      break;
    case 'frames':
      if (targets.length !== 1) throw new UsageError(`frames needs one video${targets.length > 1 ? `, not ${targets.length} files` : ''}`);
      break;
    case 'verify':
      if (targets.length > 0) throw new UsageError(`verify takes its files as --id-card, --video and --photo, not ${targets[0]}`);
      for (const name of ['id-card', 'video', 'photo']) if (string(name) === undefined) throw new UsageError('verify needs --id-card, --video and --photo');
      break;
  }
  if ((command === 'fix' || command === 'frames') && string('out') === undefined) throw new UsageError(`${command} needs --out DIR`);
  if ((command === 'worker' || command === 'enqueue') && string('redis') === undefined) throw new UsageError(`${command} needs --redis URL (e.g. redis://127.0.0.1:6379)`);
  if (command === 'worker' && targets.length > 0) throw new UsageError(`worker takes no files, not ${targets[0]}`);
  if (command === 'enqueue' && targets[0] !== 'check') throw new UsageError(`enqueue takes check and photos (enqueue check <files|folders|globs…>)${targets[0] === undefined ? '' : `, not ${targets[0]}`}`);

  return {
    kind: 'run',
    command,
    targets,
    options: {
      json: flag('json'),
      csv: flag('csv'),
      report: string('report'),
      out: string('out'),
      failing: !flag('no-failing'),
      overwrite: flag('overwrite'),
      allFiles: flag('all-files'),
      workers: positiveInt(string('workers'), '--workers'),
      locale,
      spec: readSpec(string('spec')),
      detector: detector as DetectorName | undefined,
      count: positiveInt(string('count'), '--count'),
      idCard: string('id-card'),
      video: string('video'),
      photo: string('photo'),
      digits,
      requireDigits: flag('require-digits'),
      attempt: positiveInt(string('attempt'), '--attempt'),
      idNumber,
      name: string('name'),
      redis: string('redis'),
      queue: string('queue'),
      pathsUnder: string('paths-under'),
      wait: flag('wait'),
      byPath: flag('by-path'),
    },
  };
}

/** The spec file, read and checked before any work: a mistake in it is a usage error, not a row per photo. */
function readSpec(file: string | undefined): object | undefined {
  if (file === undefined) return undefined;
  let spec: unknown;
  try {
    spec = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read the spec file ${file}: ${(error as Error).message}`);
  }
  try {
    defineSpec(spec as never);
  } catch (error) {
    if (!isVerifyError(error)) throw error;
    throw new UsageError(`the spec file ${file} is not a spec: ${error.message}`);
  }
  return spec as object;
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number ≥ 1, not ${value}`);
  return n;
}

/** " (did you mean --json?)" for the nearest name within a typo's reach, else "". */
function didYouMean(input: string, names: readonly string[], prefix = ''): string {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(input.length / 3)) + 1;
  for (const name of names) {
    const d = distance(input.toLowerCase(), name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best === undefined ? '' : ` (did you mean ${prefix}${best}?)`;
}

/** Edit distance with adjacent transpositions (jsno → json is one edit). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
