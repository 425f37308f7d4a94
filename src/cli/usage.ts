/**
 * The command line's vocabulary in one place: each command with what it takes, each option with the
 * commands that accept it, and the help texts made from them (one for the tool, one per command).
 */
import { DETECTOR_NAMES } from '../models/detect.js';
import { IMAGE_EXTENSIONS } from './inputs.js';

export const COMMAND_NAMES = ['check', 'fix', 'card', 'compare', 'frames', 'verify', 'worker', 'enqueue'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

interface CommandDef {
  /** What follows the command name in the usage line. */
  args: string;
  summary: string;
  /** Paragraphs after the summary in the command's own help. */
  notes: readonly string[];
  exit: string;
}

const IMAGE_NAMES = [...IMAGE_EXTENSIONS].join(' ');

export const COMMANDS: Readonly<Record<CommandName, CommandDef>> = {
  check: {
    args: '<files|folders|globs…>',
    summary: 'Check photos against the exam photo spec (the Hubei self-study exam by default).',
    notes: [`Folders and globs take image files (${IMAGE_NAMES}); --all-files takes every file. A file named explicitly is always taken.`],
    exit: '0 every photo passes, 1 some fail or cannot be read, 2 usage or environment error.',
  },
  fix: {
    args: '<files|folders|globs…> --out DIR',
    summary: 'Make photos that pass from ordinary ones (compressToSpec). Inputs are never overwritten.',
    notes: [
      'Each photo ends in one of three ways: it passes (written to DIR), it still fails after fixing (written to DIR/still-failing/, so that nobody uploads it by mistake; not written with --no-failing), or it cannot be fixed (nothing written). DIR/not-fixed.txt lists the last two with the reasons, in the language of --locale.',
      'fix writes only new files and files it wrote itself in an earlier run (listed in DIR/.idphoto-verify-outputs). A run whose output would land on an existing file it did not write is refused before any work (exit 2), unless --overwrite; an input is never overwritten. An earlier run\'s output for the same photo is removed when this run does not write it again, so that DIR shows this run only; nothing fix did not write is removed.',
      `Folders and globs take image files (${IMAGE_NAMES}); --all-files takes every file. A file named explicitly is always taken.`,
    ],
    exit: '0 every photo passes, 1 some still fail or cannot be fixed, 2 usage or environment error, 130 interrupted.',
  },
  card: {
    args: '<files|folders|globs…>',
    summary: 'Read ID card photos: the side, the fields, the 18-digit number checked (GB 11643-1999), the portrait.',
    notes: [
      'An error is a card that cannot be read, the emblem side\'s expired validity, or a number that does not hold (its check character, its birth date, or the printed date and sex disagreeing with it).',
      `Folders and globs take image files (${IMAGE_NAMES}); --all-files takes every file. A file named explicitly is always taken.`,
    ],
    exit: '0 every card reads without an error, 1 some have errors or cannot be read, 2 usage or environment error.',
  },
  compare: {
    args: '<id-card> <frames…|video>',
    summary: 'Is the person in the frames (or the reading video) the person on the ID card?',
    notes: [],
    exit: '0 same person, 1 not the same person, no verdict, or an input that cannot be read; 2 usage or environment error.',
  },
  frames: {
    args: '<video> --out DIR',
    summary: 'Write the sharp, upright frames of a reading video as JPEGs.',
    notes: ['frames writes only new files and files it wrote itself in an earlier run; an existing file it did not write is refused (exit 2) unless --overwrite.'],
    exit: '0 written, 1 the video cannot be read, 2 usage or environment error.',
  },
  verify: {
    args: '--id-card F --video F --photo F',
    summary: 'The whole verification of one applicant: liveness of the reading video, the video and the photo against the ID card, the photo against the spec.',
    notes: [
      'The CLI has no speech recogniser, so --digits are not checked: the verdict says so, and --require-digits makes it fail.',
    ],
    exit: '0 passed, 1 failed or an input cannot be read, 2 usage or environment error.',
  },
  worker: {
    args: '--redis URL',
    summary: 'Run the jobs of a queue on Redis (idphoto-verify/queue) on this machine, until SIGTERM or Ctrl-C.',
    notes: [
      'Needs the optional packages bullmq and ioredis (npm install bullmq ioredis). Jobs that give photos by path are run only with --paths-under DIR, and only for files under DIR; results keep verdicts and measurements, not the applicant\'s identity data, and finished jobs leave Redis a day after they end. Each finished job is a line on stdout (--json: one JSON object). On SIGTERM or Ctrl-C no job is taken, running ones get 30 s to finish and are then handed back to the queue; the worker threads, their ffmpeg and temp data end with it.',
    ],
    exit: '0 after a clean shutdown, 2 usage or environment error (Redis or bullmq missing).',
  },
  enqueue: {
    args: 'check <files|folders|globs…> --redis URL',
    summary: 'Put a validatePhoto job on the queue for each photo, for workers on other machines; --wait prints each verdict as check does.',
    notes: [
      'Photos up to 256 KiB travel in the job; larger ones, and all with --by-path, go by absolute path, which every worker must be able to read (shared storage), under the folder its worker was given (worker --paths-under). Enqueuing the same photo with the same options again adds no job: the id is made from the content.',
      `Folders and globs take image files (${IMAGE_NAMES}); --all-files takes every file.`,
    ],
    exit: '0 enqueued (with --wait: every photo passes), 1 some fail or cannot be read, 2 usage or environment error.',
  },
};

export interface OptionDef {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help. */
  value?: string;
  /** Help text, or one per command where it differs. */
  help: string | Partial<Record<CommandName, string>>;
  /** The commands that take it; undefined: every command, and none. */
  commands?: readonly CommandName[];
}

export const OPTIONS: Readonly<Record<string, OptionDef>> = {
  json: {
    type: 'boolean',
    help: { check: 'one JSON object per photo on stdout', fix: 'one JSON object per photo on stdout', card: 'one JSON object per card on stdout', worker: 'one JSON object per finished job on stdout', enqueue: 'one JSON object per photo on stdout', compare: 'the result as one JSON object', frames: 'the result as one JSON object', verify: 'the result as one JSON object' },
    commands: ['check', 'fix', 'card', 'compare', 'frames', 'verify', 'worker', 'enqueue'],
  },
  csv: { type: 'boolean', help: { check: 'one CSV row per photo on stdout', card: 'one CSV row per card on stdout' }, commands: ['check', 'card'] },
  report: { type: 'string', value: 'FILE', help: 'also write a self-contained HTML report with annotated thumbnails', commands: ['check'] },
  out: { type: 'string', value: 'DIR', help: { fix: 'where to write (created if missing)', frames: 'where to write the frames (created if missing)' }, commands: ['fix', 'frames'] },
  overwrite: { type: 'boolean', help: { check: 'replace a --report file that idphoto-verify did not write', fix: 'replace files in --out that idphoto-verify did not write (never an input)', frames: 'replace files in --out that idphoto-verify did not write' }, commands: ['check', 'fix', 'frames'] },
  'no-failing': { type: 'boolean', help: 'do not write the outputs that still fail', commands: ['fix'] },
  'all-files': { type: 'boolean', help: 'take every file of folders and globs, not only image names', commands: ['check', 'fix', 'card', 'enqueue'] },
  workers: { type: 'string', value: 'N', help: 'worker threads (default: one per core)', commands: ['check', 'fix', 'card', 'worker'] },
  spec: { type: 'string', value: 'FILE', help: 'a JSON file of spec changes, e.g. {"fileSize":{"kilobyte":1000}}', commands: ['check', 'fix', 'verify', 'enqueue'] },
  redis: { type: 'string', value: 'URL', help: 'the Redis server, e.g. redis://127.0.0.1:6379', commands: ['worker', 'enqueue'] },
  'paths-under': { type: 'string', value: 'DIR', help: 'run jobs that give inputs by path, for files under DIR only (shared storage); without it such jobs are refused', commands: ['worker'] },
  queue: { type: 'string', value: 'NAME', help: "the queue's name (default idphoto-verify)", commands: ['worker', 'enqueue'] },
  wait: { type: 'boolean', help: "wait for each job's outcome and print it", commands: ['enqueue'] },
  'by-path': { type: 'boolean', help: 'send every photo by absolute path (workers on shared storage), none inline', commands: ['enqueue'] },
  detector: { type: 'string', value: DETECTOR_NAMES.join('|'), help: "face detector for the photo (default: the library's)", commands: ['check', 'fix', 'verify'] },
  count: { type: 'string', value: 'N', help: 'how many frames (default 8)', commands: ['frames'] },
  'id-card': { type: 'string', value: 'F', help: 'the photo of the ID card, portrait side', commands: ['verify'] },
  video: { type: 'string', value: 'F', help: 'the recording of the applicant reading the digits', commands: ['verify'] },
  photo: { type: 'string', value: 'F', help: 'the electronic ID photo', commands: ['verify'] },
  digits: { type: 'string', value: 'D', help: 'the digits the applicant was asked to read', commands: ['verify'] },
  'require-digits': { type: 'boolean', help: 'fail the verification when the digits were not checked (always, without a speech recogniser)', commands: ['verify'] },
  'id-number': { type: 'string', value: 'N', help: "the ID number the applicant registered with: the card's must be it", commands: ['verify'] },
  name: { type: 'string', value: 'NAME', help: "the name the applicant registered with: the card's must be it", commands: ['verify'] },
  attempt: { type: 'string', value: 'N', help: "which of the applicant's verifications this is (default 1)", commands: ['verify'] },
  locale: { type: 'string', value: 'zh|en', help: 'language of the output (default: from LC_ALL, LC_MESSAGES, LANG; zh* is Chinese, else English)' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
  version: { type: 'boolean', help: 'the version' },
};

export function takes(command: CommandName, option: string): boolean {
  const commands = OPTIONS[option]?.commands;
  return commands === undefined || commands.includes(command);
}

export function commandHelp(name: CommandName): string {
  const c = COMMANDS[name];
  const rows = Object.keys(OPTIONS)
    .filter((option) => takes(name, option))
    .map((option) => optionRow(option, name));
  return [`Usage: idphoto-verify ${name} ${c.args} [options]`, '', ...wrap(c.summary), ...c.notes.flatMap((n) => ['', ...wrap(n)]), '', 'Options:', ...table(rows), '', ...wrap(`Exit status: ${c.exit}`)].join('\n');
}

function optionRow(option: string, command: CommandName | undefined): readonly [string, string] {
  const o = OPTIONS[option]!;
  const help = typeof o.help === 'string' ? o.help : command ? (o.help[command] ?? '') : '';
  return [`${o.short ? `-${o.short}, ` : ''}--${option}${o.value ? ` ${o.value}` : ''}`, help];
}

/** Lines of at most `width` columns, broken at spaces. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

export function mainHelp(): string {
  const rows = COMMAND_NAMES.map((name) => [`${name} ${COMMANDS[name].args}`, COMMANDS[name].summary] as const);
  return [
    'Usage: idphoto-verify <command> [options]',
    '',
    'Commands:',
    ...table(rows),
    '',
    'Options for every command:',
    ...table(['locale', 'help', 'version'].map((option) => optionRow(option, undefined))),
    '',
    "Each command's own options: idphoto-verify <command> --help",
    '',
    'Exit status: 0 all pass, 1 some fail or cannot be read, 2 usage or environment error, 130 interrupted.',
  ].join('\n');
}

/** Two columns: the left padded to a common width, or on its own line when it is too long. */
function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = 28;
  const indent = ' '.repeat(width);
  return rows.flatMap(([left, right]) => {
    const [first, ...rest] = wrap(right, 100 - width);
    const head = left.length + 2 < width ? [`  ${left.padEnd(width - 2)}${first}`] : [`  ${left}`, `${indent}${first}`];
    return [...head, ...rest.map((line) => `${indent}${line}`)];
  });
}
