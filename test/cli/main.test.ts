import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { capture } from './capture.js';
import { main, version } from '../../src/cli/main.js';
import { COMMAND_NAMES, OPTIONS, takes } from '../../src/cli/usage.js';


afterEach(() => vi.restoreAllMocks());

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('idphoto-verify: usage', () => {
  it('--version prints the version of package.json', async () => {
    const { out } = capture();
    expect(await main(['--version'])).toBe(0);
    expect(out).toEqual([`idphoto-verify ${PACKAGE_VERSION}`]);
    expect(version()).toBe(PACKAGE_VERSION);
  });

  it.each(COMMAND_NAMES)('%s --help shows that command and its options only', async (command) => {
    const { out } = capture();
    expect(await main([command, '--help'])).toBe(0);
    const help = out.join('\n');
    expect(help).toMatch(new RegExp(`^Usage: idphoto-verify ${command} `));
    for (const option of Object.keys(OPTIONS)) {
      expect(help.includes(`--${option} `) || help.includes(`--${option}\n`), `--${option}`).toBe(takes(command, option));
    }
  });

  it('help <command> is <command> --help; --help lists the commands', async () => {
    let c = capture();
    await main(['help', 'fix']);
    expect(c.out.join('\n')).toMatch(/^Usage: idphoto-verify fix /);
    vi.restoreAllMocks();
    c = capture();
    await main(['--help']);
    for (const command of COMMAND_NAMES) expect(c.out.join('\n')).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  // Each usage error is one line: what was wrong and where the command's help is; never the whole usage.
  it.each([
    [['check', '--jsno', 'x'], "idphoto-verify: unknown option --jsno (did you mean --json?). Try 'idphoto-verify check --help'."],
    [['check', '--wokers', '2', 'x'], "idphoto-verify: unknown option --wokers (did you mean --workers?). Try 'idphoto-verify check --help'."],
    [['check', '--frobnicate', 'x'], "idphoto-verify: unknown option --frobnicate. Try 'idphoto-verify check --help'."],
    [['check', '-x', 'x'], "idphoto-verify: unknown option -x. Try 'idphoto-verify check --help'."],
    [['chek', 'x'], "idphoto-verify: unknown command chek (did you mean check?). Try 'idphoto-verify --help'."],
    [['frobnicate', 'x'], "idphoto-verify: unknown command frobnicate. Try 'idphoto-verify --help'."],
    [[], "idphoto-verify: a command is needed: check, fix, card, compare, frames, verify, worker, enqueue. Try 'idphoto-verify --help'."],
    [['check'], "idphoto-verify: check needs photos: files, folders or globs. Try 'idphoto-verify check --help'."],
    [['check', '--out', 'd', 'x'], "idphoto-verify: check does not take --out (fix, frames do). Try 'idphoto-verify check --help'."],
    [['check', '--json', '--csv', 'x'], "idphoto-verify: --json and --csv exclude each other. Try 'idphoto-verify check --help'."],
    [['check', '--json=yes', 'x'], "idphoto-verify: --json takes no value. Try 'idphoto-verify check --help'."],
    [['check', '--locale', 'fr', 'x'], "idphoto-verify: --locale must be zh or en, not fr. Try 'idphoto-verify check --help'."],
    [['check', '--workers', 'many', 'x'], "idphoto-verify: --workers must be a whole number ≥ 1, not many. Try 'idphoto-verify check --help'."],
    [['check', '--detector', 'best', 'x'], "idphoto-verify: --detector must be auto, ultraface, ssd, tiny, not best. Try 'idphoto-verify check --help'."],
    [['fix', 'x'], "idphoto-verify: fix needs --out DIR. Try 'idphoto-verify fix --help'."],
    [['fix', '--out', '--json', 'x'], "idphoto-verify: --out needs a value (--out DIR). Try 'idphoto-verify fix --help'."],
    [['compare', 'card.jpg'], "idphoto-verify: compare needs an ID card image, then frames or a video. Try 'idphoto-verify compare --help'."],
    [['frames', 'a.mp4', 'b.mp4', '--out', 'd'], "idphoto-verify: frames needs one video, not 2 files. Try 'idphoto-verify frames --help'."],
    [['verify', '--id-card', 'x'], "idphoto-verify: verify needs --id-card, --video and --photo. Try 'idphoto-verify verify --help'."],
    [['verify', '--id-card', 'c', '--video', 'v', '--photo', 'p', '--require-digits'], "idphoto-verify: --require-digits needs --digits D. Try 'idphoto-verify verify --help'."],
    [['verify', '--id-card', 'c', '--video', 'v', '--photo', 'p', '--digits', '38a6'], "idphoto-verify: --digits must be 1 to 32 digits, not 38a6. Try 'idphoto-verify verify --help'."],
    [['verify', 'card.jpg'], "idphoto-verify: verify takes its files as --id-card, --video and --photo, not card.jpg. Try 'idphoto-verify verify --help'."],
    [['check', '--spec', '/nonexistent.json', 'x'], /^idphoto-verify: cannot read the spec file \/nonexistent\.json: .*\. Try 'idphoto-verify check --help'\.$/],
  ] as Array<[string[], string | RegExp]>)('exits 2 with one line on a usage error: %j', async (argv, message) => {
    const { out, err } = capture();
    expect(await main(argv)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    if (typeof message === 'string') expect(err[0]).toBe(message);
    else expect(err[0]).toMatch(message);
  });
});
