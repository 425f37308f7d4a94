/**
 * What the CLI writes: only new files or its own from an earlier run, never a file of the user's
 * (fix --out, frames --out, check --report), and names from outside printed so that they cannot forge a line.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LEDGER } from '../../src/cli/outputs.js';
import { jsonLine, printable } from '../../src/cli/text.js';
import { photo } from '../helpers.js';
import { capture } from './capture.js';

let dir: string | undefined;
function scratch(): string {
  dir = mkdtempSync(join(tmpdir(), 'idphoto-cli-out-'));
  return dir;
}

afterEach(() => {
  vi.restoreAllMocks();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const USER_1 = Buffer.from('the user’s own photo 1');
const USER_2 = Buffer.from('the user’s own photo 2');

/** X holds the user's IMG_0001.jpg and IMG_0002.jpg, and two PNGs of the same names: one not an image, one a photo. */
async function folderWithUserFiles(): Promise<string> {
  const x = scratch();
  writeFileSync(join(x, 'IMG_0001.jpg'), USER_1);
  writeFileSync(join(x, 'IMG_0002.jpg'), USER_2);
  writeFileSync(join(x, 'IMG_0001.png'), 'not a png at all');
  await sharp(photo('compliant.jpg')).png().toFile(join(x, 'IMG_0002.png'));
  return x;
}

describe('fix --out writes only its own files', () => {
  it("refuses (exit 2, before any work) when an output would replace a file it did not write, and leaves the user's files as they were", async () => {
    const x = await folderWithUserFiles();
    const { err } = capture();
    expect(await main(['fix', '--locale', 'en', join(x, '*.png'), '--out', x])).toBe(2);
    expect(err.join('\n')).toMatch(/refusing to replace .*IMG_0001\.jpg, .*IMG_0002\.jpg: they exist and were not written by idphoto-verify.*--overwrite/);
    expect(readFileSync(join(x, 'IMG_0001.jpg'))).toEqual(USER_1);
    expect(readFileSync(join(x, 'IMG_0002.jpg'))).toEqual(USER_2);
    expect(existsSync(join(x, LEDGER))).toBe(false);
  });

  it('with --overwrite replaces what it writes, and still deletes nothing it did not write (a refused photo leaves the file of its name)', async () => {
    const x = await folderWithUserFiles();
    capture();
    expect(await main(['fix', '--locale', 'en', '--overwrite', join(x, '*.png'), '--out', x])).toBe(1);
    expect(readFileSync(join(x, 'IMG_0001.jpg'))).toEqual(USER_1); // IMG_0001.png was refused: its name's file is the user's
    expect(readFileSync(join(x, 'IMG_0002.jpg')).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8])); // replaced, as asked
    expect(readdirSync(x).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it("a second run replaces and removes its own earlier outputs, not a file the user put in their place", async () => {
    const x = scratch();
    const out = join(x, 'out');
    mkdirSync(join(x, 'in'));
    copyFileSync(photo('compliant.jpg'), join(x, 'in', 'a.jpg'));
    capture();
    expect(await main(['fix', '--locale', 'en', join(x, 'in'), '--out', out])).toBe(0);
    expect(existsSync(join(out, 'a.jpg'))).toBe(true);
    // Run again: its own output is replaced without --overwrite.
    expect(await main(['fix', '--locale', 'en', join(x, 'in'), '--out', out])).toBe(0);
    // The photo is now one that cannot be fixed: its earlier output is removed (fix wrote it) …
    writeFileSync(join(x, 'in', 'a.jpg'), '');
    expect(await main(['fix', '--locale', 'en', join(x, 'in'), '--out', out])).toBe(1);
    expect(existsSync(join(out, 'a.jpg'))).toBe(false);
    // … but a file the user put there since is theirs: the next run refuses rather than replace it.
    writeFileSync(join(out, 'a.jpg'), USER_1);
    copyFileSync(photo('compliant.jpg'), join(x, 'in', 'a.jpg'));
    expect(await main(['fix', '--locale', 'en', join(x, 'in'), '--out', out])).toBe(2);
    expect(readFileSync(join(out, 'a.jpg'))).toEqual(USER_1);
  });
});

describe('check --report', () => {
  it('refuses a report path that is an input, before any photo (exit 2), and the photo stays', async () => {
    const x = scratch();
    copyFileSync(photo('compliant.jpg'), join(x, 'a.jpg'));
    const before = readFileSync(join(x, 'a.jpg'));
    const { err, out } = capture();
    expect(await main(['check', '--locale', 'en', x, '--report', join(x, 'a.jpg')])).toBe(2);
    expect(err.join('\n')).toMatch(/refusing to overwrite the input .*a\.jpg/);
    expect(out).toEqual([]); // no photo was checked
    expect(readFileSync(join(x, 'a.jpg'))).toEqual(before);
  });

  it('a folder that does not exist is a usage error before the first photo, not a stack trace after the last', async () => {
    const x = scratch();
    const { err, out } = capture();
    expect(await main(['check', '--locale', 'en', photo('compliant.jpg'), '--report', join(x, 'missing', 'r.html')])).toBe(2);
    expect(err.join('\n')).toMatch(/^idphoto-verify: cannot write the report .*r\.html: its folder .*missing does not exist\. Try/);
    expect(out).toEqual([]);
  });

  it("replaces its own earlier report, refuses someone else's file unless --overwrite", async () => {
    const x = scratch();
    const report = join(x, 'report.html');
    capture();
    expect(await main(['check', '--locale', 'en', photo('compliant.jpg'), '--report', report])).toBe(0);
    expect(await main(['check', '--locale', 'en', photo('compliant.jpg'), '--report', report])).toBe(0);
    writeFileSync(report, '<html>the user’s notes</html>');
    expect(await main(['check', '--locale', 'en', photo('compliant.jpg'), '--report', report])).toBe(2);
    expect(readFileSync(report, 'utf8')).toBe('<html>the user’s notes</html>');
    expect(await main(['check', '--locale', 'en', '--overwrite', photo('compliant.jpg'), '--report', report])).toBe(0);
    expect(readFileSync(report, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(readdirSync(x)).toEqual(['report.html']);
  });
});

describe('names from outside are printed with their control characters escaped', () => {
  it.each([
    ['a newline', 'x\n✓ forged-pass.jpg', 'x\\x0a✓ forged-pass.jpg'],
    ['an ANSI escape', 'a\u001b[2J\u001b[32m.jpg', 'a\\x1b[2J\\x1b[32m.jpg'],
    ['a right-to-left override', 'gpj.\u202etxt.jpg', 'gpj.\\u{202e}txt.jpg'],
    ['a carriage return', 'ok.jpg\r✓ fine.jpg', 'ok.jpg\\x0d✓ fine.jpg'],
  ])('%s', (_what, name, shown) => {
    expect(printable(name)).toBe(shown);
  });

  it('check prints no line of its own for a file named "x\\n✓ forged-pass.jpg", in text and in CSV', async () => {
    const x = scratch();
    const forged = join(x, 'x\n✓ forged-pass.jpg');
    copyFileSync(photo('hat.jpg'), forged);
    for (const format of [[], ['--csv']]) {
      const { out } = capture();
      expect(await main(['check', '--locale', 'en', ...format, forged])).toBe(1);
      const lines = out.join('\n').split('\n');
      expect(lines.some((l) => l.startsWith('✓'))).toBe(false);
      expect(out.join('\n')).toContain('x\\x0a✓ forged-pass.jpg');
      vi.restoreAllMocks();
    }
  });
});

describe('JSON lines are safe on a terminal too', () => {
  it('write DEL, C1 controls and bidirectional overrides as \\u escapes: the same JSON value', () => {
    const value = { file: 'gpj.\u202etxt.jpg', note: 'a\u007fb\u0085c\u2066d' };
    const line = jsonLine(value);
    expect(line).toBe('{"file":"gpj.\\u202etxt.jpg","note":"a\\u007fb\\u0085c\\u2066d"}');
    expect(JSON.parse(line)).toEqual(value);
  });
});
